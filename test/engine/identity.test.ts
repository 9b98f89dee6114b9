// The engine's identity options: User-Agent on the requests rxsip makes, Server on the responses
// it sends, an application's own header winning, and nothing added to what a proxy relays.
import { pino } from 'pino';
import { mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { proxy, Srf, startEmbeddedEngine, uas$ } from '../../src/index.js';
import { type SipTestKit, sipTest } from '../../src/testing.js';

const SDP =
  'v=0\r\no=a 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const IDENTITY = { userAgent: 'rxsip-test-ua/1.0', server: 'rxsip-test-server/1.0' };

/** An Srf at `address` on the kit's network whose engine has the identity options. */
function identified(kit: SipTestKit, name: string, address: string): Srf {
  return new Srf({ logger: pino({ level: 'silent' }), scheduler: kit.scheduler }).attach(
    kit.engine(name, address, IDENTITY),
  );
}

/** Each packet's first line and its User-Agent and Server values. */
function headersOnWire(kit: SipTestKit) {
  return kit.network.packets.map((p) => {
    const text = p.data.toString();
    return {
      line: text.slice(0, text.indexOf('\r\n')),
      userAgent: /\r\nUser-Agent: ([^\r]*)/.exec(text)?.[1],
      server: /\r\nServer: ([^\r]*)/.exec(text)?.[1],
    };
  });
}

describe('engine identity: userAgent and server', () => {
  it('a UAS: Server on its responses, User-Agent on its BYE; the caller without them sends neither', () => {
    const kit = sipTest((kit) => {
      identified(kit, 'app', '10.0.0.2')
        .invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP })))
        .subscribe((dialog) => kit.at(1000, () => dialog.end()));
      kit.caller('alice').call('sip:app@10.0.0.2');
    });
    kit.expectLadder([
      'alice->app INVITE',
      'app->alice 200 OK',
      'alice->app ACK',
      'app->alice BYE',
      'alice->app 200 OK',
    ]);
    expect(headersOnWire(kit)).toEqual([
      { line: 'INVITE sip:app@10.0.0.2 SIP/2.0', userAgent: undefined, server: undefined },
      { line: 'SIP/2.0 200 OK', userAgent: undefined, server: IDENTITY.server },
      { line: expect.stringMatching(/^ACK /), userAgent: undefined, server: undefined },
      { line: expect.stringMatching(/^BYE /), userAgent: IDENTITY.userAgent, server: undefined },
      { line: 'SIP/2.0 200 OK', userAgent: undefined, server: undefined },
    ]);
  });

  it('a UAC: User-Agent on INVITE and ACK, and on requests outside a dialog', () => {
    const kit = sipTest((kit) => {
      const srf = identified(kit, 'app', '10.0.0.2');
      kit.callee('bob', { hangUpAfter: 500 });
      srf.call$('sip:bob@10.0.1.1', { localSdp: SDP }).subscribe();
      kit.at(2000, () => srf.send$('sip:10.0.1.1', { method: 'OPTIONS' }).subscribe());
    });
    const ladder = kit.ladder();
    const wire = headersOnWire(kit);
    const ours = ladder.flatMap((l, i) =>
      / app->bob [A-Z]+$/.test(l) ? [[l.split(' ').at(-1), wire[i]?.userAgent]] : [],
    );
    expect(ours).toEqual([
      ['INVITE', IDENTITY.userAgent],
      ['ACK', IDENTITY.userAgent],
      ['OPTIONS', IDENTITY.userAgent],
    ]);
    // The 200 to bob's BYE is ours: Server.
    const okToBye = headersOnWire(kit)
      .filter((h) => h.line === 'SIP/2.0 200 OK')
      .at(-2);
    expect(okToBye?.server).toBe(IDENTITY.server);
  });

  it("the application's own header wins", () => {
    const kit = sipTest((kit) => {
      const srf = identified(kit, 'app', '10.0.0.2');
      srf.options$.subscribe(({ res }) => res.send(200, { headers: { Server: 'custom/2' } }));
      srf.message$.subscribe(({ res }) => res.send(202));
      const alice = kit.caller('alice');
      alice.srf.send$('sip:10.0.0.2', { method: 'OPTIONS' }).subscribe();
      alice.srf
        .send$('sip:10.0.0.2', { method: 'MESSAGE', body: 'hi', headers: { 'Content-Type': 'text/plain' } })
        .subscribe();
      kit.at(100, () =>
        srf.send$('sip:10.0.1.1', { method: 'OPTIONS', headers: { 'User-Agent': 'mine/3' } }).subscribe(),
      );
    });
    const wire = headersOnWire(kit);
    expect(wire.filter((h) => h.line.startsWith('SIP/2.0 20') && h.server).map((h) => h.server)).toEqual([
      'custom/2',
      IDENTITY.server,
    ]);
    expect(wire.find((h) => h.userAgent)?.userAgent).toBe('mine/3');
  });

  it('a proxy: its own 100 Trying has Server; what it relays gets neither header', () => {
    const kit = sipTest((kit) => {
      identified(kit, 'proxy', '10.0.0.2').invite$.pipe(proxy('10.0.0.3')).subscribe();
      const bob = kit.app({ name: 'bob', address: '10.0.0.3' });
      bob.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP }))).subscribe();
      kit.caller('alice').call('sip:bob@10.0.0.2', { hangUpAfter: 100 });
    });
    const wire = headersOnWire(kit);
    const trying = kit.ladder().findIndex((l) => l.includes('proxy->alice 100 Trying'));
    expect(wire[trying]?.server).toBe(IDENTITY.server);
    const forwarded = kit.ladder().findIndex((l) => l.includes('proxy->bob INVITE'));
    expect(wire[forwarded]?.userAgent).toBeUndefined();
    const relayed = kit.ladder().findIndex((l) => l.includes('proxy->alice 200 OK'));
    expect(relayed).toBeGreaterThan(0);
    expect(wire[relayed]?.server).toBeUndefined();
  });

  it('bad values name their field', async () => {
    await expect(
      startEmbeddedEngine({ listen: ['127.0.0.1:0'], userAgent: 'evil\r\nX-Injected: 1' }),
    ).rejects.toThrow('engine options: userAgent: expected one line of text');
    await expect(startEmbeddedEngine({ listen: ['127.0.0.1:0'], server: '' })).rejects.toThrow(
      /^engine options: server: /,
    );
  });
});
