import { pino } from 'pino';
import { mergeMap, tap, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  type Dialog,
  type DialogEnd,
  type SipRequest,
  type SipResponse,
  Srf,
  uas$,
} from '../../src/index.js';
import { parseMessage } from '../../src/sip.js';
import { MemoryEngine } from '../../src/testing/memory-engine.js';
import { VirtualNetwork } from '../../src/testing/virtual-network.js';
import { flow, packetsMatching, SDP_A, SDP_B, virtualCall } from '../support/virtual-call.js';

describe('session timers (RFC 4028, virtual time)', () => {
  it('the UAC asked to refresh does so with UPDATE at half the interval; the UAS sees refresh$ and keeps the call', () => {
    const refreshes: number[] = [];
    const ends: DialogEnd[] = [];
    const network = virtualCall(({ scheduler, alice, bob }) => {
      bob.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_B }))).subscribe((d) => {
        d.refresh$.subscribe(() => refreshes.push(scheduler.now()));
        d.ended$.subscribe((e) => ends.push(e));
      });
      alice
        .call$('sip:bob@10.0.0.2', { localSdp: SDP_A, sessionTimer: { expires: 90, refresher: 'uac' } })
        .subscribe((p) => {
          if (p.type === 'dialog') timer(200_000).subscribe(() => void p.dialog.end());
        });
    });
    const ok = parseMessage(packetsMatching(network, /^SIP\/2\.0 200/)[0] ?? '') as SipResponse;
    expect(ok.get('session-expires')).toBe('90;refresher=uac');
    expect(ok.get('require')).toBe('timer');
    // Refreshed at 45 s after the 200 reached alice (2 ms), then every 45 s, by UPDATE.
    expect(refreshes).toEqual([45_003, 90_005, 135_007, 180_009]);
    expect(flow(network).filter((l) => l.endsWith(' UPDATE')).length).toBe(4);
    expect(ends.map((e) => e.reason)).toEqual(['normal-release']);
    const update = parseMessage(packetsMatching(network, /^UPDATE/)[0] ?? '') as SipRequest;
    expect(update.get('session-expires')).toBe('90;refresher=uac');
    expect(update.payload.length).toBe(0);
  });

  it('the side not refreshing sends BYE at SE - min(32, SE/3) when no refresh comes, reason session-expired', () => {
    const ends: Array<{ at: number; end: DialogEnd }> = [];
    const network = virtualCall(
      ({ scheduler, alice, bob }) => {
        bob.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_B }))).subscribe((d) => {
          d.ended$.subscribe((end) => ends.push({ at: scheduler.now(), end }));
        });
        alice
          .call$('sip:bob@10.0.0.2', { localSdp: SDP_A, sessionTimer: { expires: 90, refresher: 'uac' } })
          .subscribe();
      },
      // alice's refreshes are lost.
      { drop: (p) => p.data.toString().startsWith('UPDATE') },
    );
    expect(ends).toEqual([
      { at: 60_001, end: expect.objectContaining({ reason: 'session-expired', initiator: 'local' }) },
    ]);
    expect(flow(network)).toContain('60001 B->A BYE');
  });

  it('rxsip as UAS refreshes when the UAC names refresher=uas', () => {
    const refreshes: number[] = [];
    virtualCall(({ scheduler, alice, bob }) => {
      bob.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_B }))).subscribe((d) => {
        timer(100_000).subscribe(() => void d.end());
      });
      alice
        .call$('sip:bob@10.0.0.2', { localSdp: SDP_A, sessionTimer: { expires: 120, refresher: 'uas' } })
        .subscribe((p) => {
          if (p.type === 'dialog') p.dialog.refresh$.subscribe(() => refreshes.push(scheduler.now()));
        });
    });
    expect(refreshes).toEqual([60_002]);
  });

  it('answers too small an interval with 422 and Min-SE; the UAC asks again with it', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    let network!: VirtualNetwork;
    let dialog: Dialog | undefined;
    const finals: number[] = [];
    scheduler.run(() => {
      network = new VirtualNetwork(scheduler);
      const logger = pino({ level: 'silent' });
      const alice = new Srf({ logger, scheduler }).attach(new MemoryEngine(network, { address: '10.0.0.1' }));
      const bob = new Srf({ logger, scheduler, sessionTimers: { minSE: 300 } }).attach(
        new MemoryEngine(network, { address: '10.0.0.2' }),
      );
      bob.invite$
        .pipe(
          tap((c) => c.res.final$.subscribe((f) => finals.push(f.status))),
          mergeMap((c) => uas$(c, { localSdp: SDP_B })),
        )
        .subscribe((d) => timer(10).subscribe(() => void d.end()));
      alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A, sessionTimer: { expires: 90 } }).subscribe((p) => {
        if (p.type === 'dialog') dialog = p.dialog;
      });
    });
    expect(
      flow(network)
        .slice(0, 5)
        .map((l) => l.replace(/^\d+ /, '')),
    ).toEqual([
      'A->B INVITE',
      'B->A 422 Session Interval Too Small',
      'A->B ACK',
      'A->B INVITE',
      'B->A 200 OK',
    ]);
    const [first, second] = packetsMatching(network, /^INVITE/).map((t) => parseMessage(t) as SipRequest);
    expect(first?.get('session-expires')).toBe('90');
    expect(second?.get('session-expires')).toBe('300');
    expect(second?.cseq.seq).toBe((first?.cseq.seq ?? 0) + 1);
    expect(dialog).toBeDefined();
    // The first INVITE ended on bob's side with the 422 it was answered; the pipeline went on.
    expect(finals).toEqual([422, 200]);
  });
});
