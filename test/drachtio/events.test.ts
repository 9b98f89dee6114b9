// rxsip/drachtio's EventEmitter surface, in virtual time: Srf, Dialog, Request and Response events
// as drachtio-srf 5 emits them, each one the reactive core's observable underneath.
import { describe, expect, it } from 'vitest';
import type { Dialog, Request, Response } from '../../src/drachtio.js';
import { Srf } from '../../src/drachtio.js';
import type { SipRequest } from '../../src/index.js';
import { sipTestAsync } from '../../src/testing.js';
import { asyncCall, SDP_A, SDP_B } from '../support/virtual-call.js';

const SDP_A2 = SDP_A.replace('o=alice 1 1', 'o=alice 1 2').replace('4000', '4002');

/** bob answers alice's call; both dialogs. */
async function connected(alice: Srf, bob: Srf): Promise<{ uac: Dialog; uas: Dialog }> {
  const uasMade = new Promise<Dialog>((resolve) =>
    bob.invite((req, res) => void bob.createUAS(req, res, { localSdp: SDP_B }).then(resolve)),
  );
  const uac = await alice.createUAC('sip:bob@10.0.0.2', { localSdp: SDP_A });
  return { uac, uas: await uasMade };
}

describe('Srf events', () => {
  it("emits connect with drachtio-server's hostports when attached", async () => {
    await sipTestAsync(async (kit) => {
      const srf = new Srf({ scheduler: kit.scheduler });
      const seen: Array<[Error | null, string]> = [];
      srf.on('connect', (err, hostports) => seen.push([err, hostports]));
      srf.attach(kit.engine('app', '10.0.0.9'));
      expect(seen).toEqual([[null, 'udp/10.0.0.9:5060']]);
      await srf.close();
    });
  });

  it('emits cdr:attempt, cdr:start and cdr:stop with (source, time, [role|reason], msg)', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const cdrs: string[] = [];
      bob.on('cdr:attempt', (source, time, msg) =>
        cdrs.push(`attempt ${source} ${/^\d\d:\d\d:\d\d\.\d{6}$/.test(time)} ${msg.type}`),
      );
      bob.on('cdr:start', (source, _time, role) => cdrs.push(`start ${source} ${role}`));
      bob.on('cdr:stop', (source, _time, reason) => cdrs.push(`stop ${source} ${reason}`));
      const { uac } = await connected(alice, bob);
      await uac.destroy();
      expect(cdrs).toEqual([
        'attempt network true request',
        'start network uas',
        'stop network normal-release',
      ]);
    });
  });
});

describe('Dialog events', () => {
  it("destroy fires for the far end's BYE with (bye, 'normal release'); our own destroy() does not emit it", async () => {
    await asyncCall(async ({ alice, bob }) => {
      const { uac, uas } = await connected(alice, bob);
      const onUas: string[] = [];
      const onUac: string[] = [];
      uas.on('destroy', (bye, reason) => onUas.push(`${bye?.method} ${reason}`));
      uac.on('destroy', () => onUac.push('destroy'));
      const bye = await uac.destroy();
      expect(bye.method).toBe('BYE');
      expect(onUas).toEqual(['BYE normal release']);
      expect(onUac).toEqual([]);
      await expect(uac.destroy()).rejects.toMatchObject({ code: 'ENODIALOG' });
    });
  });

  it("destroy says 'ACK timeout' when the 2xx is never acknowledged", async () => {
    await sipTestAsync(async (kit) => {
      const app = kit.app({ make: (o) => new Srf(o) });
      const reasons: string[] = [];
      app.invite((req, res) =>
        app
          .createUAS(req, res, { localSdp: SDP_B })
          .then((uas) => uas.on('destroy', (_r, reason) => reasons.push(reason))),
      );
      // A caller whose ACKs never arrive: 100% loss from it after its INVITE.
      const caller = kit.app({ make: (o) => new Srf(o), name: 'lost', address: '10.0.1.9' });
      caller.invite$.subscribe();
      const sent = caller.send$('sip:app@10.0.0.2', {
        method: 'INVITE',
        headers: { 'Content-Type': 'application/sdp' },
        body: SDP_A,
      });
      sent.subscribe();
      await kit.wait(40_000);
      expect(reasons).toEqual(['ACK timeout']);
    });
  });

  it('modify, info, refer, notify and update go to listeners, who answer; without one the dialog answers 200', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const { uac, uas } = await connected(alice, bob);
      const seen: string[] = [];
      const answer = (name: string, status: number) => (req: Request, res: Response) => {
        seen.push(`${name} ${req.method}`);
        res.send(status);
      };
      uas.on('info', answer('info', 202));
      uas.on('refer', answer('refer', 202));
      uas.on('notify', answer('notify', 200));
      uas.on('update', answer('update', 200));
      uas.on('modify', (req, res) => {
        seen.push(`modify ${req.body.includes('4002')}`);
        res.send(488);
      });
      expect((await uac.request({ method: 'INFO', body: 'x' })).status).toBe(202);
      expect(
        (await uac.request({ method: 'REFER', headers: { 'Refer-To': '<sip:c@10.0.0.3>' } })).status,
      ).toBe(202);
      expect((await uac.request({ method: 'NOTIFY', headers: { Event: 'dialog' } })).status).toBe(200);
      expect((await uac.request({ method: 'UPDATE' })).status).toBe(200);
      await expect(uac.modify(SDP_A2)).rejects.toMatchObject({ status: 488 });
      expect(seen).toEqual(['info INFO', 'refer REFER', 'notify NOTIFY', 'update UPDATE', 'modify true']);
      // Listeners removed: the dialog answers on its own again (drachtio-srf's default 200).
      uas.removeAllListeners('info');
      expect((await uac.request({ method: 'INFO', body: 'y' })).status).toBe(200);
      await uac.destroy();
    });
  });

  it('refresh fires for a re-INVITE with the same SDP, answered 200 by the dialog', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const { uac, uas } = await connected(alice, bob);
      const refreshed: string[] = [];
      uas.on('refresh', (req: SipRequest) => refreshed.push(req.method));
      expect(await uac.modify(SDP_A)).toBe(SDP_B);
      expect(refreshed).toEqual(['INVITE']);
      await uac.destroy();
    });
  });
});

describe('Request and Response', () => {
  it("req.on('cancel') fires when the caller cancels; req.canceled can be set by the app", async () => {
    await asyncCall(async ({ alice, bob, kit }) => {
      const seen: string[] = [];
      bob.invite((req, res) => {
        res.send(180);
        req.on('cancel', (cancel) => seen.push(`cancel ${cancel.method} canceled=${req.canceled}`));
      });
      const call = alice.createUAC(
        'sip:bob@10.0.0.2',
        { localSdp: SDP_A },
        { cbRequest: (_e, sent) => kit.at(30, () => sent.cancel()) },
      );
      await expect(call).rejects.toMatchObject({ status: 487 });
      expect(seen).toEqual(['cancel CANCEL canceled=true']);
    });
  });

  it('res.send(200, opts, callback, fnAck): the 200 makes a dialog, and fnAck gets its ACK', async () => {
    await asyncCall(async ({ alice, bob, kit }) => {
      const acks: string[] = [];
      const sent: number[] = [];
      bob.invite((_req, res) =>
        res.send(
          200,
          { headers: { 'Content-Type': 'application/sdp' }, body: SDP_B },
          (err, msg) => sent.push(err ? -1 : (msg?.status ?? 0)),
          (ack) => acks.push(`${ack.method} ${ack.cseq.method}`),
        ),
      );
      const uac = await alice.createUAC('sip:bob@10.0.0.2', { localSdp: SDP_A });
      await kit.wait(10);
      expect(sent).toEqual([200]);
      expect(acks).toEqual(['ACK ACK']);
      // The dialog the 200 made answers the BYE (RFC 3261 §15.1.2).
      const bye = await uac.destroy();
      expect(bye.method).toBe('BYE');
      expect(kit.ladder().map((l) => l.replace(/^\d+ /, ''))).toEqual([
        'A->B INVITE',
        'B->A 200 OK',
        'A->B ACK',
        'A->B BYE',
        'B->A 200 OK',
      ]);
    });
  });

  it('res.statusCode and res.end(), req.server, and a second final response refused in the callback', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const seen: string[] = [];
      bob.message((req, res) => {
        seen.push(`server ${req.server.address} ${req.server.hostport}`);
        res.statusCode = 202;
        res.end();
        seen.push(`statusCode ${res.statusCode} final ${res.finalResponseSent}`);
        res.send(500, (err) => seen.push(`again ${err?.message}`));
      });
      const sent = await alice.request('sip:bob@10.0.0.2', { method: 'MESSAGE', body: 'hi' });
      expect((await sent.final).status).toBe(202);
      expect(seen[0]).toBe('server 10.0.0.2 10.0.0.2:5060');
      expect(seen[1]).toBe('statusCode 202 final true');
      expect(seen[2]).toMatch(/^again .*final response/);
    });
  });

  it('req.payload is drachtio-srf’s parts: one, or each part of a multipart body', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const payloads: unknown[] = [];
      bob.message((req, res) => {
        payloads.push(req.payload);
        res.send(200);
      });
      await (
        await alice.request('sip:bob@10.0.0.2', {
          method: 'MESSAGE',
          headers: { 'Content-Type': 'text/plain' },
          body: 'hello',
        })
      ).final;
      const multipart = [
        '--b1',
        'Content-Type: text/plain',
        '',
        'one',
        '--b1',
        'Content-Type: application/json',
        '',
        '{"n":2}',
        '--b1--',
        '',
      ].join('\r\n');
      await (
        await alice.request('sip:bob@10.0.0.2', {
          method: 'MESSAGE',
          headers: { 'Content-Type': 'multipart/mixed;boundary=b1' },
          body: multipart,
        })
      ).final;
      expect(payloads).toEqual([
        [{ type: 'text/plain', content: 'hello' }],
        [
          { type: 'text/plain', content: 'one' },
          { type: 'application/json', content: '{"n":2}' },
        ],
      ]);
    });
  });
});

describe('middleware', () => {
  it('an error handler (err, req, res, next) runs only after a failure before it, and answers it', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const seen: string[] = [];
      bob.locals.greeting = 'hello';
      bob.use((req, _res, next) => {
        seen.push(`first ${req.method} ${String(bob.locals.greeting)}`);
        next();
      });
      bob.options((_req, res) => res.send(200));
      bob.message((req) => {
        if (req.body === 'fail') throw new Error('boom');
        throw new Error('never');
      });
      // As in connect, an error handler sees the failures of the handlers registered before it.
      bob.use((err: Error, _req: Request, res: Response, _next: (e?: unknown) => void) => {
        seen.push(`error handler: ${err.message}`);
        res.send(503, { headers: { 'Retry-After': '5' } });
      });
      const ok = await alice.request('sip:bob@10.0.0.2', { method: 'OPTIONS' });
      expect((await ok.final).status).toBe(200);
      const failed = await alice.request('sip:bob@10.0.0.2', { method: 'MESSAGE', body: 'fail' });
      const final = await failed.final;
      expect(final.status).toBe(503);
      expect(final.get('retry-after')).toBe('5');
      expect(seen).toEqual(['first OPTIONS hello', 'first MESSAGE hello', 'error handler: boom']);
    });
  });
});

describe('dialog lookup', () => {
  it('findDialogById and findDialogByCallIDAndFromTag find a live dialog, and nothing once it ended', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const { uac, uas } = await connected(alice, bob);
      expect(uas.id).toBe(`${uas.sip.callId};from-tag=${uas.sip.remoteTag}`);
      expect(bob.findDialogById(uas.id)).toBe(uas);
      expect(bob.findDialogByCallIDAndFromTag(uas.sip.callId, uas.sip.remoteTag)).toBe(uas);
      expect(uas.getCountOfSubscriptions()).toBe(0);
      await uac.destroy();
      expect(bob.findDialogById(uas.id)).toBeUndefined();
    });
  });
});

describe('the rest of drachtio-srf’s Srf and Request', () => {
  it('req.proxy(opts, cb) proxies as srf.proxyRequest does; srf.set/get keep app parameters', async () => {
    await asyncCall(async ({ alice, bob, kit }) => {
      const carol = kit.app({ make: (o) => new Srf(o), name: 'C', address: '10.0.0.3' });
      carol.invite((req, res) => void carol.createUAS(req, res, { localSdp: SDP_B }));
      bob.set('next-hop', '10.0.0.3');
      const results: string[] = [];
      bob.invite((req) => {
        bob.endSession(req); // drachtio-mw-digest-auth calls it; nothing to end here
        void req.proxy({ destination: String(bob.get('next-hop')) }, (err, result) =>
          results.push(`${err} ${result?.finalStatus} ${result?.connected}`),
        );
      });
      const uac = await alice.createUAC('sip:carol@10.0.0.2', { localSdp: SDP_A });
      expect(uac.remote.sdp).toBe(SDP_B);
      await kit.wait(10);
      expect(results).toEqual(['null 200 true']);
      await uac.destroy();
    });
  });
});

describe('dialogStateEmitter (RFC 4235)', () => {
  it('reports trying, early, confirmed, terminated for a call placed, and trying, confirmed, terminated for one answered', async () => {
    const { EventEmitter } = await import('node:events');
    await asyncCall(async ({ alice, bob }) => {
      const placed = new EventEmitter();
      const answered = new EventEmitter();
      const seenA: string[] = [];
      const seenB: string[] = [];
      placed.on('stateChange', (s) =>
        seenA.push(`${s.state} ${s.direction} ${s.aor} ${s.remoteTag !== undefined}`),
      );
      answered.on('stateChange', (s) => seenB.push(`${s.state} ${s.direction} ${s.aor}`));
      bob.invite((req, res) => {
        res.send(180);
        void bob.createUAS(req, res, { localSdp: SDP_B, dialogStateEmitter: answered });
      });
      const uac = await alice.createUAC('sip:bob@10.0.0.2', { localSdp: SDP_A, dialogStateEmitter: placed });
      await uac.destroy();
      expect(seenA).toEqual([
        'trying recipient bob@10.0.0.2 false',
        'early recipient bob@10.0.0.2 true',
        'confirmed recipient bob@10.0.0.2 true',
        'terminated recipient bob@10.0.0.2 true',
      ]);
      expect(seenB).toEqual([
        'trying initiator anonymous@10.0.0.1',
        'confirmed initiator anonymous@10.0.0.1',
        'terminated initiator anonymous@10.0.0.1',
      ]);
    });
  });

  it('reports rejected for a refused call and cancelled for a cancelled one', async () => {
    const { EventEmitter } = await import('node:events');
    await asyncCall(async ({ alice, bob, kit }) => {
      const states: string[] = [];
      const emitter = new EventEmitter().on('stateChange', (s) => states.push(s.state));
      bob.invite((req, res) => (req.get('x-refuse') ? res.send(486) : res.send(180)));
      await expect(
        alice.createUAC('sip:bob@10.0.0.2', {
          localSdp: SDP_A,
          headers: { 'X-Refuse': '1' },
          dialogStateEmitter: emitter,
        }),
      ).rejects.toMatchObject({ status: 486 });
      await expect(
        alice.createUAC(
          'sip:bob@10.0.0.2',
          { localSdp: SDP_A, dialogStateEmitter: emitter },
          { cbRequest: (_e, sent) => kit.at(kit.scheduler.now() + 20, () => sent.cancel()) },
        ),
      ).rejects.toMatchObject({ status: 487 });
      expect(states).toEqual(['trying', 'rejected', 'trying', 'early', 'cancelled']);
    });
  });
});

describe('failures in the application’s listeners', () => {
  it('a dialog listener that throws: its request is answered 500, and the dialog goes on', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const { uac, uas } = await connected(alice, bob);
      uas.on('info', () => {
        throw new Error('listener bug');
      });
      const info = await uac.request({ method: 'INFO', body: 'x' });
      expect(info.status).toBe(500);
      expect(uas.connected).toBe(true);
      uas.removeAllListeners('info');
      expect((await uac.request({ method: 'INFO', body: 'y' })).status).toBe(200);
      await uac.destroy();
    });
  });
});
