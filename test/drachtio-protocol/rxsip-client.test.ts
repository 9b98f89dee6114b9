// rxsip attached to a drachtio-server (rxsip's own, the real peer here): `srf.connect` and
// `srf.listen` of the reactive Srf, the calls above the engine boundary unchanged (uas$, call$,
// b2bua$, proxy$) against SIPp, and what the connection events say.
import { pino } from 'pino';
import { firstValueFrom, mergeMap, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  b2bua$,
  type DialogEnd,
  type DrachtioConnectionEvent,
  proxy$,
  Srf,
  type SrfOptions,
  uas$,
} from '../../src/index.js';
import { freePort } from '../support/ports.js';
import { cleanTraces, expectCallerHangsUp, expectClean } from '../support/sipp-parties.js';
import { find, header, ladder, trace, type Wire } from '../support/sipp-trace.js';
import { APP_SDP, drachtioParties, eventually, SECRET } from './harness.js';

const { server, callee, caller, onCleanup } = drachtioParties();

/** A reactive Srf of rxsip, not started: it will attach to a drachtio-server. */
function rxsipApp(options: SrfOptions = {}): { srf: Srf; events: DrachtioConnectionEvent[] } {
  const srf = new Srf({ logger: pino({ level: 'silent' }), ...options });
  const events: DrachtioConnectionEvent[] = [];
  srf.connection$.subscribe((e) => events.push(e));
  onCleanup(() => srf.close());
  return { srf, events };
}

describe('srf.connect: rxsip attached to a drachtio-server', () => {
  it('uas$ answers SIPp through the server; the caller hangs up; connected first on connection$', async () => {
    const { sipPort, adminPort } = await server();
    const { srf, events } = rxsipApp();
    await srf.connect({ host: '127.0.0.1', port: adminPort, secret: SECRET, tags: ['rxsip'] });
    expect(events).toEqual([
      {
        type: 'connected',
        server: `127.0.0.1:${adminPort}`,
        flowId: 'drachtio:1',
        hostports: `udp/127.0.0.1:${sipPort},tcp/127.0.0.1:${sipPort}`,
        version: 'v0.9.0-rxsip',
      },
    ]);
    // The engine's listening points are the server's: Contacts and Record-Routes name it.
    expect(srf.engine.contactUri()).toBe(`sip:127.0.0.1:${sipPort}`);
    const ended = firstValueFrom(
      srf.invite$.pipe(
        mergeMap((call) => uas$(call, { localSdp: APP_SDP })),
        mergeMap((dialog) => dialog.ended$),
      ),
    );
    const result = await caller('uas-caller-hangs-up', sipPort);
    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expect(find(wire, 'rxsip', '200 INVITE').body).toBe(APP_SDP);
    expect(header(find(wire, 'rxsip', '200 INVITE'), 'contact')).toBe(`<sip:127.0.0.1:${sipPort}>`);
    expect(await ended).toMatchObject({ reason: 'normal-release', initiator: 'remote' });
    expect(srf.dialogCount).toBe(0);
  });

  it('call$ places a call through the server; the app hangs up; in-dialog requests carry its dialog', async () => {
    const { adminPort, server: drachtio } = await server();
    const { srf } = rxsipApp();
    await srf.connect({ host: '127.0.0.1', port: adminPort, secret: SECRET });
    const sipp = await callee('uac-ringing-then-answered-caller-hangs-up');
    const dialog = await srf.call(sipp.uri, { localSdp: APP_SDP });
    expect(drachtio.dialogCount).toBe(1);
    await dialog.end();
    const result = await sipp.done;
    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    // rxsip's dialog layer and the server's agree on the dialog's CSeq: one up from the INVITE.
    const inviteCseq = Number(header(find(wire, 'rxsip', 'INVITE'), 'cseq')?.split(' ')[0]);
    expect(header(find(wire, 'rxsip', 'BYE'), 'cseq')).toBe(`${inviteCseq + 1} BYE`);
    await eventually('the server forgets the dialog', () => drachtio.dialogCount === 0);
  });

  it('b2bua$ and proxy$ run unchanged over the drachtio engine', async () => {
    const { sipPort, adminPort } = await server();
    const { srf } = rxsipApp();
    await srf.connect({ host: '127.0.0.1', port: adminPort, secret: SECRET });

    const b = await callee('b2bua-callee-answers');
    const legs = firstValueFrom(
      srf.invite$.pipe(
        take(1),
        mergeMap((call) => b2bua$(call, b.uri)),
      ),
    );
    const a = await caller('b2bua-caller-hangs-up', sipPort);
    const { uas, uac } = await legs;
    uas.ended$.subscribe(() => void uac.end());
    const [wireA, wireB] = cleanTraces(a, await b.done) as [Wire[], Wire[]];
    expectCallerHangsUp(wireA, wireB);

    const callee2 = await callee('proxy-callee-answers');
    const proxied = firstValueFrom(
      srf.invite$.pipe(
        take(1),
        mergeMap((call) => proxy$(call, [callee2.address], { recordRoute: true })),
      ),
    );
    const a2 = await caller('proxy-caller-hangs-up', sipPort);
    const [wireA2, wireB2] = cleanTraces(a2, await callee2.done) as [Wire[], Wire[]];
    expectCallerHangsUp(wireA2, wireB2);
    expect((await proxied).finalStatus).toBe(200);
    expect(header(find(wireB2, 'rxsip', 'INVITE'), 'max-forwards')).toBe('69');
  });

  it('a wrong secret: connect rejects saying so, the error is on connection$, the server logs it', async () => {
    const { adminPort, logs } = await server();
    const { srf, events } = rxsipApp();
    await expect(srf.connect({ host: '127.0.0.1', port: adminPort, secret: 'wrong' })).rejects.toThrow(
      `drachtio-server 127.0.0.1:${adminPort} refused the secret: incorrect secret`,
    );
    expect(events.map((e) => e.type)).toEqual(['error']);
    expect(logs.some((l) => l.msg === 'drachtio server: app sent a wrong secret')).toBe(true);
    // Nothing is attached: the Srf may try again.
    await srf.connect({ host: '127.0.0.1', port: adminPort, secret: SECRET });
    expect(events.map((e) => e.type)).toEqual(['error', 'connected']);
  });

  it('bad options: a TypeError naming the field', async () => {
    const { srf } = rxsipApp();
    await expect(srf.connect({ host: '127.0.0.1', secret: SECRET, tags: ['no spaces'] })).rejects.toThrow(
      'drachtio connect options: tags.0: letters, digits and -_+@: only',
    );
    await expect(
      srf.connect({ host: '127.0.0.1', secret: SECRET, reconnect: { retries: 3 } as never }),
    ).rejects.toThrow('drachtio connect options: reconnect.retries: unknown option');
    await expect(srf.listen({ port: 99999, secret: SECRET })).rejects.toThrow(
      /^drachtio listen options: port: /,
    );
  });
});

describe('srf.listen: drachtio-servers dial rxsip', () => {
  it('two servers dial the same rxsip app; a call through each is answered', async () => {
    const port = await freePort();
    const { srf, events } = rxsipApp();
    await srf.listen({ host: '127.0.0.1', port, secret: SECRET });
    const first = await server({ admin: undefined, outbound: { host: '127.0.0.1', port } });
    const second = await server({ admin: undefined, outbound: { host: '127.0.0.1', port } });
    const answered = firstValueFrom(
      srf.invite$.pipe(
        mergeMap((call) => uas$(call, { localSdp: APP_SDP })),
        take(2),
        toArray(),
      ),
    );
    const [one, two] = await Promise.all([
      caller('uas-caller-hangs-up', first.sipPort),
      caller('uas-caller-hangs-up', second.sipPort),
    ]);
    expectClean(one as never);
    expectClean(two as never);
    const dialogs = await answered;
    expect(new Set(dialogs.map((d) => d.flowId)).size).toBe(2);
    expect(events.filter((e) => e.type === 'connected').map((e) => e.server)).toHaveLength(2);
  });
});

describe('a server that goes away', () => {
  it('calls on it end with a reason that says so; connection$ says disconnected, then reconnecting', async () => {
    const { sipPort, adminPort, server: drachtio } = await server();
    const { srf, events } = rxsipApp();
    await srf.connect({ host: '127.0.0.1', port: adminPort, secret: SECRET, reconnect: { maxAttempts: 1 } });
    const ends: DialogEnd[] = [];
    const answered = firstValueFrom(srf.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: APP_SDP }))));
    // SIPp waits for a BYE that never comes: its call fails, after the checks below.
    const call = caller('uas-rxsip-hangs-up', sipPort);
    const dialog = await answered;
    dialog.ended$.subscribe((end) => ends.push(end));
    await firstValueFrom(dialog.ack$);
    await drachtio.close();
    await eventually('the dialog ended', () => ends.length === 1);
    expect(ends[0]).toEqual({
      reason: 'drachtio-server connection lost: closed by the peer',
      initiator: 'remote',
    });
    await eventually('the reconnection given up', () => events.length === 5);
    expect(events.map((e) => e.type)).toEqual([
      'connected',
      'disconnected',
      'reconnecting',
      'error',
      'error',
    ]);
    const errors = events.flatMap((e) => (e.type === 'error' ? [e.error.message] : []));
    expect(errors[0]).toMatch(/ECONNREFUSED/);
    expect(errors[1]).toBe(`drachtio-server 127.0.0.1:${adminPort}: gave up after 1 reconnection attempts`);
    expect(events[1]).toMatchObject({ type: 'disconnected', reason: 'closed by the peer' });
    expect(events[2]).toMatchObject({ type: 'reconnecting', attempt: 1, delay: 150 });
    expect(ladder(trace(await call)).slice(0, 3)).toEqual(['sipp INVITE', 'rxsip 200 INVITE', 'sipp ACK']);
  }, 30_000);
});
