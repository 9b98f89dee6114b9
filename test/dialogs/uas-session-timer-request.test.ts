// A UAS that asks for a session timer itself (RFC 4028 §9, `uas$(call, {sessionTimer})`): the
// interval and refresher it puts in its 2xx, and a caller without timer support (a scanner)
// whose call ends when the UAS's refresh goes unanswered.
import { filter, mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { negotiateAsUas } from '../../src/dialogs/session-timer-terms.js';
import { DEFAULT_SESSION_TIMERS, type DialogEnd, uas$ } from '../../src/index.js';
import { ackFor2xx } from '../../src/sip/ack-for-2xx.js';
import { createRequest, type SipRequest } from '../../src/sip.js';
import { sipTest } from '../../src/testing.js';

const SDP =
  'v=0\r\no=a 1 1 IN IP4 10.0.1.9\r\ns=-\r\nc=IN IP4 10.0.1.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

function invite(headers: Record<string, string> = {}): SipRequest {
  return createRequest({
    method: 'INVITE',
    uri: 'sip:app@10.0.0.2',
    from: '<sip:scanner@10.0.1.9>',
    headers: { Contact: '<sip:scanner@10.0.1.9>', ...headers },
    body: SDP,
    contentType: 'application/sdp',
  });
}

describe('negotiateAsUas with a timer of our own (RFC 4028 §9)', () => {
  const config = DEFAULT_SESSION_TIMERS;

  it('an INVITE without timer support gets one refreshed by us, without Require', () => {
    expect(negotiateAsUas(invite(), config, { expires: 300 })).toEqual({
      headers: { 'Session-Expires': '300;refresher=uas' },
      delta: 300,
      refresher: 'uas',
    });
  });

  it('a UAC that supports timers refreshes, unless we say we will', () => {
    const supported = invite({ Supported: 'timer' });
    expect(negotiateAsUas(supported, config, { expires: 300 })).toEqual({
      headers: { 'Session-Expires': '300;refresher=uac', Require: 'timer' },
      delta: 300,
      refresher: 'uac',
    });
    expect(negotiateAsUas(supported, config, { expires: 300, refresher: 'uas' })).toMatchObject({
      refresher: 'uas',
    });
  });

  it('a longer interval is lowered to ours, never below the request Min-SE nor 90 s; a shorter one is kept', () => {
    const ask = { expires: 300 };
    expect(negotiateAsUas(invite({ 'Session-Expires': '1800' }), config, ask)).toMatchObject({ delta: 300 });
    expect(negotiateAsUas(invite({ 'Session-Expires': '1800', 'Min-SE': '600' }), config, ask)).toMatchObject(
      { delta: 600 },
    );
    expect(negotiateAsUas(invite({ 'Session-Expires': '120' }), config, ask)).toMatchObject({ delta: 120 });
    expect(negotiateAsUas(invite(), config, { expires: 30 })).toMatchObject({ delta: 90 });
  });

  it('without a timer of our own nothing changes: no timer unless asked, 422 below Min-SE', () => {
    expect(negotiateAsUas(invite(), config)).toBeUndefined();
    expect(negotiateAsUas(invite({ 'Session-Expires': '60' }), config, { expires: 300 })).toEqual({
      reject: { 'Min-SE': 90 },
    });
  });
});

describe('uas$ with sessionTimer, on the wire', () => {
  it('a caller without timer support that never answers our refresh loses the call', () => {
    const ends: string[] = [];
    const kit = sipTest((kit) => {
      kit
        .app()
        .invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP, sessionTimer: { expires: 120 } })))
        .subscribe((dialog) =>
          dialog.ended$.subscribe((end: DialogEnd) => ends.push(`${kit.scheduler.now()} ${end.reason}`)),
        );
      // A scanner: an INVITE without Supported: timer, its 2xx ACKed, then silence.
      const scanner = kit.engine('scanner', '10.0.1.9');
      const request = invite();
      scanner
        .send(request)
        .pipe(filter((e) => e.kind === 'response' && e.response.status === 200))
        .subscribe((e) => {
          if (e.kind === 'response') scanner.sendAck(ackFor2xx(request, e.response));
        });
    });
    const ok = kit.network.packets.map((p) => p.data.toString()).find((t) => t.startsWith('SIP/2.0 200'));
    expect(ok).toMatch(/\r\nSession-Expires: 120;refresher=uas\r\n/);
    expect(ok).not.toMatch(/\r\nRequire:/);
    // Our refresh at half the interval (a re-INVITE: the scanner allows no UPDATE) goes unanswered.
    const refresh = kit.ladder().find((l) => l.includes('app->scanner INVITE'));
    expect(refresh).toMatch(/^60001 /);
    // The scanner's stack answers it 408 in the end (RFC 3261 §12.2.1.2): the dialog is over.
    expect(
      kit
        .ladder()
        .slice(3)
        .map((l) => l.replace(/^\d+ /, '')),
    ).toEqual([
      'app->scanner INVITE',
      'scanner->app 100 Trying',
      'scanner->app 408 Request Timeout',
      'app->scanner ACK',
    ]);
    expect(ends).toEqual(['240003 system-error-initiated-termination']);
  });
});
