import {
  asyncScheduler,
  filter,
  firstValueFrom,
  map,
  type SchedulerAction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Dialog, DialogEnd, SipRequest, SipResponse } from '../../src/index.js';
import type { SippResult } from '../support/sipp.js';
import { expectClean, onInvite, sippParties } from '../support/sipp-parties.js';
import { APP_SDP, RXSIP_SDP } from '../support/sipp-sdp.js';
import { all, cseqOf, find, header, ladder, tagOf, trace } from '../support/sipp-trace.js';

// RFC 3262 (100rel/PRACK), RFC 3311 (UPDATE), RFC 4028 (session timers), RFC 3261 §14 (glare)
// and late offers, against SIPp on 127.0.0.1 over UDP: one scenario in test/sipp/ per case. Each
// test checks what SIPp saw on the wire (its trace, its own checks, success count and error log)
// and what rxsip's API emitted.

/** rxsip's next offer: the same session, o= version 2 (RFC 3264 §8). */
const RXSIP_REOFFER = RXSIP_SDP.replace(' 1 IN IP4', ' 2 IN IP4').replace('s=rxsip', 's=rxsip-reoffer');

// One rxsip and the SIPp instances of each test, all gone after it; SIPp calls `sip:rxsip@...`.
const { rxsip, caller: sippCalls, callee: sippCallee, onCleanup } = sippParties({ service: 'rxsip' });

// --- RFC 3262 ------------------------------------------------------------------------------

describe('reliable provisional responses (RFC 3262) against SIPp', () => {
  it('rxsip calls; SIPp rings with a reliable 180: PRACK with RAck and CSeq + 1, 200 after it, ACK, BYE at CSeq + 2', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-100rel-prack');
    const progress: string[] = [];
    const dialog = await firstValueFrom(
      srf.call$(sipp.uri, { localSdp: RXSIP_SDP }).pipe(
        filter((p) => {
          if (p.type === 'provisional')
            progress.push(`${p.response.status} ${p.dialog?.state} prack:${p.prack !== undefined}`);
          return p.type === 'dialog';
        }),
        map((p) => (p as { dialog: Dialog }).dialog),
      ),
    );
    const state = dialog.state;
    await dialog.end();
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'rxsip PRACK',
      'sipp 200 PRACK',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const invite = find(wire, 'rxsip', 'INVITE');
    const ringing = find(wire, 'sipp', '180 INVITE');
    const prack = find(wire, 'rxsip', 'PRACK');
    const seq = cseqOf(invite).seq;
    expect(header(invite, 'supported')).toMatch(/\b100rel\b/);
    // RFC 3262 §7.2: RAck is the RSeq, then the INVITE's CSeq number and method.
    expect(header(prack, 'rack')).toBe(`4711 ${seq} INVITE`);
    expect(cseqOf(prack)).toEqual({ seq: seq + 1, method: 'PRACK' });
    // The PRACK goes in the early dialog: to the 180's Contact, with its To tag.
    expect(prack.uri).toBe(`sip:sipp@127.0.0.1:${sipp.port};transport=UDP`);
    expect(tagOf(header(prack, 'to'))).toBe(tagOf(header(ringing, 'to')));
    expect(header(prack, 'call-id')).toBe(header(invite, 'call-id'));
    expect(cseqOf(find(wire, 'rxsip', 'ACK'))).toEqual({ seq, method: 'ACK' });
    expect(cseqOf(find(wire, 'rxsip', 'BYE'))).toEqual({ seq: seq + 2, method: 'BYE' });
    // SIPp resends the 180 until PRACKed: it was PRACKed once, at its first sending.
    expect(all(wire, 'rxsip', 'PRACK')).toHaveLength(1);

    expect(progress).toEqual(['180 early prack:true']);
    expect(state).toBe('confirmed');
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', '200 INVITE').body);
    expect(srf.dialogCount).toBe(0);
  });

  it('two reliable provisionals, the SDP answer in the 183 and none in the 200: each PRACKed in RSeq order; remote.sdp is the early answer', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-100rel-early-answer');
    const early: Array<{ status: number; dialog?: Dialog; sdp?: string }> = [];
    const dialog = await firstValueFrom(
      srf.call$(sipp.uri, { localSdp: RXSIP_SDP }).pipe(
        filter((p) => {
          if (p.type === 'provisional')
            early.push({ status: p.response.status, dialog: p.dialog, sdp: p.dialog?.remote.sdp });
          return p.type === 'dialog';
        }),
        map((p) => (p as { dialog: Dialog }).dialog),
      ),
    );
    const remote = dialog.remote.sdp;
    await dialog.end();
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'rxsip PRACK',
      'sipp 200 PRACK',
      'sipp 183 INVITE',
      'rxsip PRACK',
      'sipp 200 PRACK',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const seq = cseqOf(find(wire, 'rxsip', 'INVITE')).seq;
    const [first, second] = all(wire, 'rxsip', 'PRACK');
    expect([header(first, 'rack'), header(second, 'rack')]).toEqual([
      `4711 ${seq} INVITE`,
      `4712 ${seq} INVITE`,
    ]);
    expect([cseqOf(first).seq, cseqOf(second).seq]).toEqual([seq + 1, seq + 2]);
    expect(cseqOf(find(wire, 'rxsip', 'BYE')).seq).toBe(seq + 3);
    const answer = find(wire, 'sipp', '183 INVITE').body;
    expect(find(wire, 'sipp', '200 INVITE').body).toBe('');

    // One early dialog for both (same To tag), confirmed by the 200 into the call's dialog.
    expect(early.map((e) => e.status)).toEqual([180, 183]);
    expect(early[0]?.dialog).toBe(dialog);
    expect(early[1]?.dialog).toBe(dialog);
    expect(early.map((e) => e.sdp)).toEqual(['', answer]);
    expect(remote).toBe(answer);
    expect(remote).toContain('s=sipp-early-answer');
    expect(srf.dialogCount).toBe(0);
  });
});

describe('reliable provisional responses (RFC 3262): SIPp calls rxsip with Supported: 100rel', () => {
  // The answer goes in the reliable 183; the 200 repeats it (RFC 3264: no new answer without a new offer).
  const EARLY_SDP = RXSIP_SDP;

  /** rxsip answers 183 reliably with an early SDP, then 200 at once (held until the PRACK). */
  async function ringReliably(answerPrack: boolean) {
    const { srf, port } = await rxsip();
    const pracks: string[] = [];
    const answered = onInvite(srf, async ({ req, res }) => {
      if (answerPrack) {
        req.prack$.subscribe(({ req: prack, res: prackRes }) => {
          pracks.push(prack.get('rack') ?? '');
          prackRes.send(200, { headers: { 'X-Prack': 'app' } });
        });
      }
      const early = res.send(183, {
        headers: { Require: '100rel', 'Content-Type': 'application/sdp' },
        body: EARLY_SDP,
      });
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      return { early, dialog, acked: firstValueFrom(dialog.ack$) };
    });
    const result = await sippCalls('uas-100rel-prack', port);
    const { early, dialog, acked } = await answered;
    return { srf, result, wire: trace(result), early, dialog, ack: await acked, pracks };
  }

  function expectReliableFlow(wire: ReturnType<typeof trace>): void {
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 183 INVITE',
      'rxsip 183 INVITE',
      'sipp PRACK',
      'rxsip 200 PRACK',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const [progress, resent] = all(wire, 'rxsip', '183 INVITE');
    const ok = find(wire, 'rxsip', '200 INVITE');
    const rseq = Number(header(progress, 'rseq'));
    // RFC 3262 §3: RSeq in 1..2^31-1, Require: 100rel, and the 2xx in the same dialog.
    expect(rseq).toBeGreaterThanOrEqual(1);
    expect(rseq).toBeLessThan(2 ** 31);
    expect(header(progress, 'require')).toBe('100rel');
    expect(progress.body).toBe(EARLY_SDP);
    expect(header(find(wire, 'sipp', 'PRACK'), 'rack')).toBe(`${rseq} 1 INVITE`);
    expect(tagOf(header(ok, 'to'))).toBe(tagOf(header(progress, 'to')));
    // SIPp PRACKed after 700 ms: meanwhile rxsip resent the 183, same RSeq, at T1 (500 ms).
    expect(resent?.raw).toBe(progress?.raw);
    expect((resent?.at ?? 0) - (progress?.at ?? 0)).toBeGreaterThanOrEqual(500 - 5);
    expect((resent?.at ?? 0) - (progress?.at ?? 0)).toBeLessThan(700);
    // The 200 was held until the PRACK came (rxsip answered at once).
    expect(ok.at).toBeGreaterThanOrEqual(find(wire, 'sipp', 'PRACK').at);
  }

  it('nobody listens to prack$: rxsip answers the PRACK 200 itself, then sends the held 200; the dialog is confirmed', async () => {
    const { srf, result, wire, early, dialog, ack } = await ringReliably(false);

    expectClean(result);
    expectReliableFlow(wire);
    expect(header(find(wire, 'rxsip', '200 PRACK'), 'x-prack')).toBeUndefined();
    expect(early?.status).toBe(183);
    expect(early?.get('rseq')).toBe(header(find(wire, 'rxsip', '183 INVITE'), 'rseq'));
    expect(dialog.type).toBe('uas');
    expect(dialog.local.sdp).toBe(RXSIP_SDP);
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', 'INVITE').body);
    expect(ack.cseq.seq).toBe(1);
    expect(srf.dialogCount).toBe(0);
  });

  it('a prack$ subscriber gets the PRACK and answers it; the held 200 follows its answer', async () => {
    const { srf, result, wire, pracks } = await ringReliably(true);

    expectClean(result);
    expectReliableFlow(wire);
    expect(header(find(wire, 'rxsip', '200 PRACK'), 'x-prack')).toBe('app');
    expect(pracks).toEqual([header(find(wire, 'sipp', 'PRACK'), 'rack')]);
    expect(srf.dialogCount).toBe(0);
  });
});

// --- RFC 3311 ------------------------------------------------------------------------------

describe('UPDATE in a confirmed dialog (RFC 3311) against SIPp', () => {
  /** SIPp calls, then sends an UPDATE with a new offer; `listen` sets the dialog up first. */
  async function updatedBySipp(listen: (dialog: Dialog) => void) {
    const { srf, port } = await rxsip();
    const refreshes: string[] = [];
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.refresh$.subscribe((r) => refreshes.push(r.method));
      listen(dialog);
      return dialog;
    });
    const result = await sippCalls('uas-update-from-sipp', port);
    const dialog = await answered;
    const wire = trace(result);
    expectClean(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp UPDATE',
      'rxsip 200 UPDATE',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    // A new offer is no session refresh.
    expect(refreshes).toEqual([]);
    expect(srf.dialogCount).toBe(0);
    return { srf, port, wire, dialog };
  }

  it('SIPp offers in an UPDATE nobody listens to: rxsip answers 200 with its local SDP; remote.sdp is the offer', async () => {
    const { port, wire, dialog } = await updatedBySipp(() => undefined);

    const update = find(wire, 'sipp', 'UPDATE');
    const ok = find(wire, 'rxsip', '200 UPDATE');
    expect(ok.body).toBe(RXSIP_SDP);
    expect(header(ok, 'content-type')).toBe('application/sdp');
    expect(header(ok, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    expect(update.body).toContain('s=sipp-update');
    expect(dialog.remote.sdp).toBe(update.body);
    expect(dialog.local.sdp).toBe(RXSIP_SDP);
  });

  it('an update$ subscriber gets the UPDATE and answers it with its own SDP, which becomes the local SDP', async () => {
    const seen: string[] = [];
    const { wire, dialog } = await updatedBySipp((d) =>
      d.update$.subscribe(({ req, res }) => {
        seen.push(req.body);
        res.send(200, {
          headers: { 'Content-Type': 'application/sdp', 'X-Answered-By': 'update$' },
          body: APP_SDP,
        });
      }),
    );

    const update = find(wire, 'sipp', 'UPDATE');
    const ok = find(wire, 'rxsip', '200 UPDATE');
    expect(ok.body).toBe(APP_SDP);
    expect(header(ok, 'x-answered-by')).toBe('update$');
    expect(seen).toEqual([update.body]);
    expect(dialog.remote.sdp).toBe(update.body);
    expect(dialog.local.sdp).toBe(APP_SDP);
  });

  // Found here: receiveUpdate checked only our own pending offer (491), not the peer's offer we
  // still owed an answer, and answered such an UPDATE 200 in the middle of the re-INVITE's
  // offer/answer (fixed in 64fd94e).
  it('an UPDATE offer while the application still answers a re-INVITE offer gets 500 with Retry-After (RFC 3311 §5.2)', async () => {
    const { srf, port } = await rxsip();
    const updates: SipRequest[] = [];
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.update$.subscribe(({ req: update, res: answer }) => {
        updates.push(update);
        answer.send(200, { headers: { 'Content-Type': 'application/sdp' }, body: APP_SDP });
      });
      dialog.reinvite$.subscribe(({ res: answer }) => {
        const later = setTimeout(
          () => answer.send(200, { headers: { 'Content-Type': 'application/sdp' }, body: APP_SDP }),
          300,
        );
        onCleanup(() => clearTimeout(later));
      });
      return dialog;
    });
    const result = await sippCalls('uas-update-during-reinvite', port);
    const dialog = await answered;

    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'sipp UPDATE',
      'rxsip 500 UPDATE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expectClean(result);
    const retryAfter = Number.parseInt(header(find(wire, 'rxsip', '500 UPDATE'), 'retry-after') ?? '', 10);
    expect(retryAfter).toBeGreaterThanOrEqual(0);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(updates).toEqual([]);
    // The re-INVITE's offer and the application's answer stand; the rejected UPDATE changed nothing.
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', 'INVITE', 1).body);
    expect(dialog.local.sdp).toBe(APP_SDP);
    expect(srf.dialogCount).toBe(0);
  });

  it('rxsip offers with sendUpdate$: SIPp answers 200 with its SDP, which becomes remote.sdp; our offer the local one', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-update-from-rxsip');
    const dialog = await srf.createUac(sipp.uri, { localSdp: RXSIP_SDP });
    const responses: SipResponse[] = [];
    await new Promise<void>((resolve, reject) =>
      dialog.sendUpdate$({ body: RXSIP_REOFFER }).subscribe({
        next: (r) => responses.push(r),
        error: reject,
        complete: resolve,
      }),
    );
    const { remote, local } = { remote: dialog.remote.sdp, local: dialog.local.sdp };
    await dialog.end();
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip UPDATE',
      'sipp 200 UPDATE',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const invite = find(wire, 'rxsip', 'INVITE');
    const update = find(wire, 'rxsip', 'UPDATE');
    const answer = find(wire, 'sipp', '200 UPDATE');
    // RFC 3261 §12.2.1.1: to the remote target, in the dialog, with the next CSeq.
    expect(update.uri).toBe(`sip:sipp@127.0.0.1:${sipp.port};transport=UDP`);
    expect(tagOf(header(update, 'to'))).toBe(tagOf(header(find(wire, 'sipp', '200 INVITE'), 'to')));
    expect(cseqOf(update)).toEqual({ seq: cseqOf(invite).seq + 1, method: 'UPDATE' });
    // RFC 3311 §5.1: an UPDATE is a target refresh request and carries Contact.
    expect(header(update, 'contact')).toBe(header(invite, 'contact'));
    expect(header(update, 'content-type')).toBe('application/sdp');
    expect(update.body).toBe(RXSIP_REOFFER);
    expect(cseqOf(find(wire, 'rxsip', 'BYE')).seq).toBe(cseqOf(invite).seq + 2);

    expect(responses.map((r) => r.status)).toEqual([200]);
    expect(responses[0]?.body).toBe(answer.body);
    expect(remote).toBe(answer.body);
    expect(remote).toContain('s=sipp-update-answer');
    expect(local).toBe(RXSIP_REOFFER);
    expect(srf.dialogCount).toBe(0);
  });
});

// --- RFC 4028 ------------------------------------------------------------------------------

/**
 * The scheduler rxsip's dialog layer runs on in the session timer tests: real time, except that
 * a delay of 40 s or more (a session timer's: 45 s to refresh, 60 s to give up, for an interval
 * of 90 s, the RFC's smallest) runs 100 times faster. Transactions keep the engine's own clock,
 * and rxsip's code is unchanged: only its clock for long timers is quicker. Every delay asked
 * for is recorded, so a test can check which timer rxsip set.
 */
class WarpScheduler implements SchedulerLike {
  static readonly FACTOR = 100;
  readonly delays: number[] = [];
  now(): number {
    return asyncScheduler.now();
  }
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    this.delays.push(delay);
    return asyncScheduler.schedule(work, delay >= 40_000 ? delay / WarpScheduler.FACTOR : delay, state);
  }
  /** The session timer delays asked for (40 s and more), in order. */
  get long(): number[] {
    return this.delays.filter((d) => d >= 40_000);
  }
}

function timerOf(dialog: Dialog): { interval: number; weRefresh: boolean } {
  const timer = dialog.sessionTimer;
  if (!timer) throw new Error('no session timer runs');
  return timer;
}

describe('session timers (RFC 4028) against SIPp', () => {
  /** SIPp calls rxsip (uas$ through createUas) with a session timer scenario. */
  async function timedCall(scenario: string, watch: (dialog: Dialog) => void = () => undefined) {
    const scheduler = new WarpScheduler();
    const { srf, port } = await rxsip({ scheduler });
    const ends: DialogEnd[] = [];
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.ended$.subscribe((end) => ends.push(end));
      const timer = timerOf(dialog);
      const negotiated = { interval: timer?.interval, weRefresh: timer?.weRefresh };
      watch(dialog);
      return { dialog, negotiated };
    });
    const result = await sippCalls(scenario, port);
    const { dialog, negotiated } = await answered;
    return { srf, result, wire: trace(result), dialog, negotiated, ends, scheduler };
  }

  it('SIPp refreshes (refresher=uac): the 200 agrees with Require: timer; UPDATE and re-INVITE refreshes emit refresh$ and restart the expiry', async () => {
    const refreshes: Array<{ method: string; weRefresh: boolean }> = [];
    const { srf, result, wire, dialog, negotiated, ends, scheduler } = await timedCall(
      'uas-session-timer-sipp-refreshes',
      (d) =>
        d.refresh$.subscribe((r: SipRequest) =>
          refreshes.push({ method: r.method, weRefresh: timerOf(d).weRefresh }),
        ),
    );

    expectClean(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp UPDATE',
      'rxsip 200 UPDATE',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const ok = find(wire, 'rxsip', '200 INVITE');
    expect(header(ok, 'session-expires')).toBe('90;refresher=uac');
    expect(header(ok, 'require')).toBe('timer');
    expect(header(ok, 'supported')).toMatch(/\btimer\b/);
    for (const answer of [find(wire, 'rxsip', '200 UPDATE'), find(wire, 'rxsip', '200 INVITE', 1)]) {
      expect(header(answer, 'session-expires')).toBe('90;refresher=uac');
      expect(header(answer, 'require')).toBe('timer');
    }
    // The refresh re-INVITE is answered with the unchanged local SDP.
    expect(find(wire, 'rxsip', '200 INVITE', 1).body).toBe(RXSIP_SDP);

    expect(negotiated).toEqual({ interval: 90, weRefresh: false });
    expect(refreshes).toEqual([
      { method: 'UPDATE', weRefresh: false },
      { method: 'INVITE', weRefresh: false },
    ]);
    // RFC 4028 §10: the expiry, at 90 - min(32, 90/3) = 60 s, set by the 200, then by each refresh.
    expect(scheduler.long).toEqual([60_000, 60_000, 60_000]);
    expect(dialog.state).toBe('terminated');
    expect(ends).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'remote' })]);
    expect(srf.dialogCount).toBe(0);
  });

  it('rxsip refreshes (refresher=uas): UPDATE at half the interval; a re-INVITE from SIPp naming refresher=uas keeps rxsip the refresher', async () => {
    const { srf, result, wire, negotiated, ends, scheduler } = await timedCall(
      'uas-session-timer-rxsip-refreshes',
    );

    expectClean(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip UPDATE',
      'sipp 200 UPDATE',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip UPDATE',
      'sipp 200 UPDATE',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const ok = find(wire, 'rxsip', '200 INVITE');
    expect(header(ok, 'session-expires')).toBe('90;refresher=uas');
    expect(header(ok, 'require')).toBe('timer');
    const [first, second] = all(wire, 'rxsip', 'UPDATE');
    for (const update of [first, second]) {
      // RFC 4028 §7.4/§9: the refresher names itself as the refresh's UAC; no new offer.
      expect(header(update, 'session-expires')).toBe('90;refresher=uac');
      expect(header(update, 'supported')).toMatch(/\btimer\b/);
      expect(update?.body).toBe('');
    }
    expect(cseqOf(second).seq).toBe(cseqOf(first).seq + 1);
    // SIPp's refresh named refresher=uas: the 2xx agrees, rxsip stays the refresher.
    const reinviteOk = find(wire, 'rxsip', '200 INVITE', 1);
    expect(header(reinviteOk, 'session-expires')).toBe('90;refresher=uas');
    expect(header(reinviteOk, 'require')).toBe('timer');
    // Each UPDATE came half an interval (45 s, here 450 ms) after the last refresh.
    expect((first?.at ?? 0) - ok.at).toBeGreaterThanOrEqual(45_000 / WarpScheduler.FACTOR - 50); // SIPp stamps as it logs: 50 ms of slack
    expect((second?.at ?? 0) - reinviteOk.at).toBeGreaterThanOrEqual(45_000 / WarpScheduler.FACTOR - 50); // SIPp stamps as it logs: 50 ms of slack

    expect(negotiated).toEqual({ interval: 90, weRefresh: true });
    // 45 s after the 200, after our UPDATE's 200, after SIPp's re-INVITE, after our second UPDATE.
    expect(scheduler.long).toEqual([45_000, 45_000, 45_000, 45_000]);
    expect(ends).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'remote' })]);
    expect(srf.dialogCount).toBe(0);
  });

  it('rxsip refreshes a peer that does not allow UPDATE with a re-INVITE carrying its unchanged SDP', async () => {
    const { result, wire, dialog, negotiated } = await timedCall('uas-session-timer-rxsip-reinvites');

    expectClean(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const refresh = find(wire, 'rxsip', 'INVITE');
    expect(header(refresh, 'session-expires')).toBe('90;refresher=uac');
    expect(header(refresh, 'supported')).toMatch(/\btimer\b/);
    expect(refresh.body).toBe(RXSIP_SDP);
    expect(cseqOf(find(wire, 'rxsip', 'ACK'))).toEqual({ seq: cseqOf(refresh).seq, method: 'ACK' });
    expect(negotiated).toEqual({ interval: 90, weRefresh: true });
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', '200 INVITE').body);
  });

  // RFC 4028 §7.2: "there is no session expiration. In this case, no refreshes need to be sent
  // ... the session timer can be 'turned-off' in mid dialog". Found here: refreshed() restarted
  // the timer whatever the 2xx said, so rxsip kept refreshing every 45 s (fixed in 64fd94e).
  it("a 2xx to rxsip's refresh without Session-Expires turns the timer off: no further refresh (RFC 4028 §7.2)", async () => {
    const { srf, result, wire, negotiated, scheduler } = await timedCall('uas-session-timer-turned-off');

    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip UPDATE',
      'sipp 200 UPDATE',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expectClean(result);
    expect(header(find(wire, 'sipp', '200 UPDATE'), 'session-expires')).toBeUndefined();
    expect(negotiated).toEqual({ interval: 90, weRefresh: true });
    // One refresh timer, from the 200 to the INVITE; none after the 2xx that turned it off.
    expect(scheduler.long).toEqual([45_000]);
    expect(srf.dialogCount).toBe(0);
  });

  it('SIPp never refreshes: rxsip ends the call with BYE at SE - min(32, SE/3), destroy$ says session-expired', async () => {
    const { srf, result, wire, ends, scheduler } = await timedCall('uas-session-timer-expires');

    expectClean(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const ok = find(wire, 'rxsip', '200 INVITE');
    const bye = find(wire, 'rxsip', 'BYE');
    expect(header(ok, 'session-expires')).toBe('90;refresher=uac');
    expect(tagOf(header(bye, 'from'))).toBe(tagOf(header(ok, 'to')));
    expect(bye.at - ok.at).toBeGreaterThanOrEqual(60_000 / WarpScheduler.FACTOR - 50); // SIPp stamps as it logs: 50 ms of slack
    expect(scheduler.long).toEqual([60_000]);
    expect(ends).toEqual([expect.objectContaining({ reason: 'session-expired', initiator: 'local' })]);
    expect(srf.dialogCount).toBe(0);
  });
});

// --- RFC 3261 §14 --------------------------------------------------------------------------

describe('re-INVITE glare (RFC 3261 §14) against SIPp', () => {
  /** rxsip re-INVITEs as soon as the call is up; SIPp glares with its own (see the scenarios). */
  async function glare(role: 'uas' | 'uac', random: number) {
    const { srf, port } = await rxsip({ random: () => random });
    const outcome: { statuses: number[]; error?: unknown } = { statuses: [] };
    const modified: SipRequest[] = [];
    const reinvite = (dialog: Dialog) => {
      dialog.reinvite$.subscribe(({ req }) => modified.push(req));
      return new Promise<void>((resolve) =>
        dialog.sendReinvite$(RXSIP_REOFFER).subscribe({
          next: (r) => outcome.statuses.push(r.status),
          error: (err: unknown) => {
            outcome.error = err;
            resolve();
          },
          complete: resolve,
        }),
      );
    };
    let dialog: Dialog;
    let result: SippResult;
    if (role === 'uas') {
      const answered = onInvite(srf, async ({ req, res }) => {
        const d = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
        await firstValueFrom(d.ack$);
        return { d, done: reinvite(d) };
      });
      result = await sippCalls('uas-glare-reinvite', port);
      const { d, done } = await answered;
      await done;
      dialog = d;
    } else {
      const sipp = await sippCallee('uac-glare-reinvite');
      dialog = await srf.createUac(sipp.uri, { localSdp: RXSIP_SDP });
      await reinvite(dialog);
      await dialog.end();
      result = await sipp.done;
    }

    expectClean(result);
    const wire = trace(result);
    const steps = ladder(wire);
    const [caller, callee] = role === 'uas' ? ['sipp', 'rxsip'] : ['rxsip', 'sipp'];
    expect(steps.slice(0, 5)).toEqual([
      `${caller} INVITE`,
      `${callee} 200 INVITE`,
      `${caller} ACK`,
      'rxsip INVITE',
      'sipp INVITE',
    ]);
    expect(steps.slice(5)).toEqual([
      'rxsip 491 INVITE',
      'sipp ACK',
      'sipp 491 INVITE',
      'rxsip ACK',
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      role === 'uas' ? 'sipp BYE' : 'rxsip BYE',
      role === 'uas' ? 'rxsip 200 BYE' : 'sipp 200 BYE',
    ]);
    const [first, retry] = all(wire, 'rxsip', 'INVITE').slice(-2);
    const theirs = all(wire, 'sipp', 'INVITE').at(-1);
    const ours491 = find(wire, 'rxsip', '491 INVITE');
    const their491 = find(wire, 'sipp', '491 INVITE');
    // rxsip's 491 answers SIPp's re-INVITE, once: SIPp's ACK (same branch) stopped its resending.
    expect(cseqOf(ours491)).toEqual(cseqOf(theirs));
    expect(all(wire, 'rxsip', '491 INVITE')).toHaveLength(1);
    // rxsip ACKed SIPp's 491 in its re-INVITE's transaction (RFC 3261 §17.1.1.3).
    const ack491 = all(wire, 'rxsip', 'ACK').find((a) => cseqOf(a).seq === cseqOf(first).seq);
    expect(ack491 && header(ack491, 'via')).toBe(header(first, 'via'));
    expect(cseqOf(their491)).toEqual(cseqOf(first));
    // The retry: a new transaction with a higher CSeq and the same offer.
    expect(cseqOf(retry).seq).toBeGreaterThan(cseqOf(first).seq);
    expect(header(retry, 'via')).not.toBe(header(first, 'via'));
    expect(retry?.body).toBe(RXSIP_REOFFER);

    // reinvite$ kept the 491 to itself and emitted the retry's 200; SIPp's glaring offer never
    // reached modify$.
    expect(outcome).toEqual({ statuses: [200] });
    expect(modified).toEqual([]);
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', '200 INVITE', role === 'uas' ? 0 : 1).body);
    expect(dialog.local.sdp).toBe(RXSIP_REOFFER);
    expect(srf.dialogCount).toBe(0);
    return { backOff: (retry?.at ?? 0) - their491.at };
  }

  it("SIPp called: rxsip answers SIPp's re-INVITE 491, gets 491, and retries within 0-2 s (not the Call-ID's owner)", async () => {
    // random() = 0.25: 500 ms.
    const { backOff } = await glare('uas', 0.25);
    expect(backOff).toBeGreaterThanOrEqual(500 - 5);
    expect(backOff).toBeLessThan(1500);
  });

  it("rxsip called: the same glare, and rxsip, the Call-ID's owner, retries within 2.1-4 s", async () => {
    // random() = 0: the shortest wait for the owner, 2.1 s.
    const { backOff } = await glare('uac', 0);
    expect(backOff).toBeGreaterThanOrEqual(2100 - 5);
    expect(backOff).toBeLessThan(3000);
  });
});

// --- late offer ----------------------------------------------------------------------------

describe('a late offer (RFC 3264) against SIPp', () => {
  it("SIPp's INVITE has no SDP: rxsip's 200 offers, SIPp's ACK answers; ack$ emits the answer, which becomes remote.sdp", async () => {
    const { srf, port } = await rxsip();
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      const before = dialog.remote.sdp;
      const ack = await firstValueFrom(dialog.ack$);
      return { dialog, before, ack, after: dialog.remote.sdp };
    });
    const result = await sippCalls('uas-late-offer', port);
    const { dialog, before, ack, after } = await answered;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const invite = find(wire, 'sipp', 'INVITE');
    const ok = find(wire, 'rxsip', '200 INVITE');
    const sippAck = find(wire, 'sipp', 'ACK');
    expect(invite.body).toBe('');
    expect(ok.body).toBe(RXSIP_SDP);
    expect(header(ok, 'content-type')).toBe('application/sdp');
    expect(sippAck.body).toContain('s=sipp-answer');

    expect(before).toBe('');
    expect(ack.body).toBe(sippAck.body);
    expect(ack.get('content-type')).toBe('application/sdp');
    expect(after).toBe(sippAck.body);
    expect(dialog.remote.sdp).toBe(sippAck.body);
    expect(dialog.local.sdp).toBe(RXSIP_SDP);
    expect(srf.dialogCount).toBe(0);
  });
});
