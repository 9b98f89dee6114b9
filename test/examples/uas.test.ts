// The UAS example's app in virtual time, written with rxsip/testing as a user would test theirs.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { answerSdp, uasApp } from '../../examples/uas/app.js';
import { sipTest } from '../../src/testing.js';

const options = { mediaIp: '192.0.2.10', mediaPort: 10000, log: pino({ level: 'silent' }) };

describe('examples/uas', () => {
  it('answers a call with its SDP, answers INFO, and lets the caller hang up', () => {
    const kit = sipTest(({ app, caller, marbles }) => {
      uasApp(app(), options);
      const alice = caller('alice');
      const call = alice.call('sip:app@10.0.0.2', {
        info: { after: 1000, body: 'Signal=5', contentType: 'application/dtmf-relay' },
        hangUpAfter: 3000,
      });
      marbles.expectObservable(call.events$).toBe('2ms a 1001ms i 1997ms (h|)', {
        a: 'answered',
        i: 'info 200',
        h: 'hung up',
      });
    });
    kit.expectLadder([
      'alice->app INVITE',
      'app->alice 200 OK',
      'alice->app ACK',
      'alice->app INFO',
      'app->alice 200 OK',
      'alice->app BYE',
      'app->alice 200 OK',
    ]);
    const ok = kit.network.packets[1]?.data.toString() ?? '';
    expect(ok).toContain(answerSdp(options, 1));
  });

  it('takes a re-INVITE putting it on hold, and every call keeps its own session version', () => {
    const kit = sipTest(({ app, caller }) => {
      uasApp(app(), options);
      const held =
        'v=0\r\no=peer 1 2 IN IP4 10.0.1.1\r\ns=-\r\nc=IN IP4 10.0.1.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n';
      caller('alice').call('sip:app@10.0.0.2', { reinvite: { after: 500, sdp: held }, hangUpAfter: 1000 });
      caller('bob').call('sip:app@10.0.0.2', { hangUpAfter: 100 });
    });
    const answers = kit.network.packets
      .map((p) => p.data.toString())
      .filter((t) => t.startsWith('SIP/2.0 200') && t.includes('v=0'));
    expect(answers.map((a) => /o=rxsip (\d+)/.exec(a)?.[1])).toEqual(['1', '2', '1']);
    // RFC 3264 §6.1: the answer to sendonly is recvonly.
    expect(answers[2]).toContain('a=recvonly');
  });

  it('--max-duration: a caller that never hangs up is sent BYE when the time is up', () => {
    const kit = sipTest(({ app, caller, marbles }) => {
      uasApp(app(), { ...options, maxDuration: 60 });
      // The caller would hang up after an hour; the app does a minute after its 200 (at 1 ms).
      const call = caller('alice').call('sip:app@10.0.0.2', { hangUpAfter: 3_600_000 });
      marbles.expectObservable(call.events$).toBe('2ms a 59999ms (e|)', { a: 'answered', e: 'ended' });
    });
    kit.expectLadder([
      'alice->app INVITE',
      'app->alice 200 OK',
      'alice->app ACK',
      'app->alice BYE',
      'alice->app 200 OK',
    ]);
    expect(kit.ladder()[3]).toMatch(/^60001 app->alice BYE/);
  });

  it('--max-duration: a call that ends first leaves no timer behind', () => {
    const kit = sipTest(({ app, caller }) => {
      uasApp(app(), { ...options, maxDuration: 60 });
      caller('alice').call('sip:app@10.0.0.2', { hangUpAfter: 1000 });
    });
    expect(kit.ladder().filter((l) => l.includes('BYE'))).toEqual(['1002 alice->app BYE']);
  });

  it('--session-expires: the 200 asks for an RFC 4028 timer, and the caller refreshes it', () => {
    const kit = sipTest(({ app, caller }) => {
      uasApp(app(), { ...options, sessionExpires: 300 });
      caller('alice').call('sip:app@10.0.0.2', { hangUpAfter: 400_000 });
    });
    const ok = kit.network.packets[1]?.data.toString() ?? '';
    // rxsip's UAC says Supported: timer, so it is the refresher (RFC 4028 §9).
    expect(ok).toMatch(/\r\nSession-Expires: 300;refresher=uac\r\n/);
    expect(ok).toMatch(/\r\nRequire: timer\r\n/);
    const refreshes = kit.ladder().filter((l) => / alice->app (UPDATE|INVITE)$/.test(l));
    expect(refreshes.map((l) => l.split(' ')[0])).toEqual(['0', '150002', '300004']);
  });
});
