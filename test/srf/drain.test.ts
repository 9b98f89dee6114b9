// srf.drain(): what a node behind a dispatcher does before it stops. New calls and probes get
// 503 with Retry-After, the dialogs up go on (their in-dialog requests too) until they end or
// the deadline ends them with BYE. In virtual time, the wire checked on the network.
import { firstValueFrom, mergeMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Dialog, type DialogEnd, type SipResponse, uas$ } from '../../src/index.js';
import { parseMessage } from '../../src/sip.js';
import { asyncCall, flow, packetsMatching, SDP_A, SDP_B } from '../support/virtual-call.js';

const at = (scheduler: { now(): number }) => scheduler.now();

describe('srf.drain() (in-memory engine, virtual time)', () => {
  it('refuses new INVITEs and OPTIONS with 503 and Retry-After, keeps the call up, and ends when it ends', async () => {
    let drained: { at: number; ended: number } | undefined;
    const statuses: number[] = [];
    const network = await asyncCall(async ({ scheduler, alice, bob }) => {
      bob.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP_B }))).subscribe((dialog) => {
        dialog.info$.subscribe(({ res }) => res.send(200));
      });
      const call = await alice.call('sip:bob@10.0.0.2', { localSdp: SDP_A });
      expect(bob.draining).toBe(false);
      const drain = bob.drain({ deadline: 60_000, retryAfter: 120 });
      expect(bob.draining).toBe(true);
      statuses.push((await alice.send('sip:bob@10.0.0.2', { method: 'OPTIONS' })).status);
      await alice.call('sip:bob@10.0.0.2', { localSdp: SDP_A }).catch((err: { status?: number }) => {
        statuses.push(err.status ?? 0);
      });
      // The call that was up goes on: an INFO is answered, then the caller hangs up at 3 s.
      statuses.push((await call.send({ method: 'INFO', body: 'x' })).status);
      await firstValueFrom(timer(3000));
      await call.end();
      const result = await drain;
      drained = { at: at(scheduler), ended: result.ended };
    });
    expect(statuses).toEqual([503, 503, 200]);
    const refusals = packetsMatching(network, /^SIP\/2\.0 503/).map((p) => parseMessage(p) as SipResponse);
    expect(refusals.map((r) => [r.cseq.method, r.get('retry-after')])).toEqual([
      ['OPTIONS', '120'],
      ['INVITE', '120'],
    ]);
    expect(drained?.ended).toBe(0);
    // It resolves within one check (100 ms) of the BYE's 200.
    const bye = flow(network).find((l) => / B->A 200 OK/.test(l) && l.startsWith('300'));
    expect(bye).toBeDefined();
    expect(drained?.at).toBeGreaterThanOrEqual(3000);
    expect(drained?.at).toBeLessThan(3200);
  });

  it('ends the dialogs still up at the deadline with BYE, and resolves once they are answered', async () => {
    let ends: DialogEnd[] = [];
    let result: { ended: number } | undefined;
    let resolvedAt = 0;
    const network = await asyncCall(async ({ scheduler, alice, bob }) => {
      const dialogs: Dialog[] = [];
      bob.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP_B }))).subscribe((d) => dialogs.push(d));
      const calls = [
        await alice.call('sip:bob@10.0.0.2', { localSdp: SDP_A }),
        await alice.call('sip:bob@10.0.0.2', { localSdp: SDP_A }),
      ];
      const endsSeen = calls.map((c) => firstValueFrom(c.ended$));
      const started = at(scheduler);
      result = await bob.drain({ deadline: 5000 });
      resolvedAt = at(scheduler) - started;
      ends = await Promise.all(endsSeen);
      expect(dialogs.map((d) => d.state)).toEqual(['terminated', 'terminated']);
    });
    expect(result).toEqual({ ended: 2 });
    expect(ends.map((e) => [e.reason, e.initiator])).toEqual([
      ['normal-release', 'remote'],
      ['normal-release', 'remote'],
    ]);
    const byes = flow(network).filter((l) => / B->A BYE$/.test(l));
    expect(byes).toHaveLength(2);
    // BYE at the deadline, 200 a millisecond later, the drain resolved then.
    expect(resolvedAt).toBeGreaterThanOrEqual(5000);
    expect(resolvedAt).toBeLessThan(5010);
  });

  it('does not wait past 4 s for the BYEs of the deadline when nobody answers them', async () => {
    let resolvedAt = 0;
    await asyncCall(
      async ({ scheduler, alice, bob }) => {
        bob.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP_B }))).subscribe();
        await alice.call('sip:bob@10.0.0.2', { localSdp: SDP_A });
        const started = at(scheduler);
        expect(await bob.drain({ deadline: 1000 })).toEqual({ ended: 1 });
        resolvedAt = at(scheduler) - started;
      },
      { drop: (p) => p.data.toString().startsWith('BYE') },
    );
    expect(resolvedAt).toBe(5000);
  });

  it('waits for a call being set up when it starts: the INVITE is answered, then the call ends', async () => {
    const events: string[] = [];
    await asyncCall(async ({ scheduler, alice, bob }) => {
      // The application answers after 2 s.
      bob.invite$
        .pipe(mergeMap((call) => timer(2000).pipe(mergeMap(() => uas$(call, { localSdp: SDP_B })))))
        .subscribe((dialog) => {
          events.push(`${at(scheduler)} answered`);
          timer(1000).subscribe(() => void dialog.end());
        });
      alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe();
      await firstValueFrom(timer(500));
      const result = await bob.drain({ deadline: 60_000 });
      events.push(`${at(scheduler)} drained ${result.ended}`);
    });
    expect(events[0]).toMatch(/^200\d answered$/);
    // The BYE leaves at 3001 ms; the next check (every 100 ms from 500 ms) sees nothing left.
    expect(events[1]).toBe('3100 drained 0');
  });

  it('resolves at once when nothing is up, and a second call gets the same drain', async () => {
    await asyncCall(async ({ scheduler, bob }) => {
      const first = bob.drain();
      expect(bob.drain({ deadline: 1 })).toBe(first);
      expect(await first).toEqual({ ended: 0 });
      expect(at(scheduler)).toBe(0);
    });
  });

  it('names a bad option', async () => {
    await asyncCall(async ({ bob }) => {
      expect(() => bob.drain({ deadline: -1 })).toThrow(/drain options: deadline/);
      expect(() => bob.drain({ retryAfter: 1.5 })).toThrow(/drain options: retryAfter/);
      expect(() => bob.drain({ deadlne: 5 } as never)).toThrow(/drain options: deadlne: unknown option/);
      expect(bob.draining).toBe(false);
    });
  });
});
