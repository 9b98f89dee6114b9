// The engine's counters for metrics (engine.stats()): responses by class, retransmissions,
// transactions created and live, on the in-memory engine in virtual time, with the wire to
// compare with.
import { mergeMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type EngineStats, uas$ } from '../../src/index.js';
import { flow, SDP_A, SDP_B, virtualCall } from '../support/virtual-call.js';

function statsOf(srf: { engine: { stats?(): EngineStats } }): EngineStats {
  const stats = srf.engine.stats?.();
  if (!stats) throw new Error('the in-memory engine has stats');
  return stats;
}

const created = (stats: EngineStats) =>
  Object.fromEntries(stats.transactionsCreated.map((t) => [`${t.side} ${t.method}`, t.count]));

describe('engine stats (in-memory engine, virtual time)', () => {
  it('counts an answered call: responses by class each way, transactions created, live ones by state', () => {
    let during: EngineStats | undefined;
    let alice: EngineStats | undefined;
    let bob: EngineStats | undefined;
    const network = virtualCall(({ alice: a, bob: b }) => {
      b.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP_B }))).subscribe(() => {
        timer(100).subscribe(() => (during = statsOf(b)));
      });
      a.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe((p) => {
        if (p.type === 'dialog') timer(1000).subscribe(() => void p.dialog.end());
      });
      timer(60_000).subscribe(() => {
        alice = statsOf(a);
        bob = statsOf(b);
      });
    });
    expect(flow(network)).toEqual([
      '0 A->B INVITE',
      '1 B->A 200 OK',
      '2 A->B ACK',
      '1002 A->B BYE',
      '1003 B->A 200 OK',
    ]);
    // At 101 ms the INVITE server transaction waits out Timer L in Accepted (RFC 6026).
    expect(during?.transactions).toEqual([{ side: 'server', method: 'INVITE', state: 'accepted', count: 1 }]);
    expect(bob?.responsesSent).toEqual({ '1xx': 0, '2xx': 2, '3xx': 0, '4xx': 0, '5xx': 0, '6xx': 0 });
    expect(bob?.responsesReceived['2xx']).toBe(0);
    expect(alice?.responsesReceived).toEqual({ '1xx': 0, '2xx': 2, '3xx': 0, '4xx': 0, '5xx': 0, '6xx': 0 });
    expect(created(bob as EngineStats)).toEqual({
      'client INVITE': 0,
      'client non-INVITE': 0,
      'server INVITE': 1,
      'server non-INVITE': 1,
    });
    expect(created(alice as EngineStats)).toMatchObject({ 'client INVITE': 1, 'client non-INVITE': 1 });
    expect(bob?.retransmissions).toEqual({ requests: 0, responses: 0 });
    // Once every timer has run, no transaction is left.
    expect(bob?.transactions).toEqual([]);
    expect(bob?.connections).toEqual({});
  });

  it('counts retransmissions: Timer G resends the 486 while its ACKs are lost, the caller ACKs each again', () => {
    let acks = 0;
    let alice: EngineStats | undefined;
    let bob: EngineStats | undefined;
    let completed: EngineStats | undefined;
    const network = virtualCall(
      ({ alice: a, bob: b }) => {
        b.invite$.subscribe(({ res }) => res.send(486));
        a.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe({ error: () => undefined });
        timer(200).subscribe(() => (completed = statsOf(b)));
        timer(60_000).subscribe(() => {
          alice = statsOf(a);
          bob = statsOf(b);
        });
      },
      { drop: (p) => p.data.toString().startsWith('ACK') && ++acks <= 2 },
    );
    expect(flow(network)).toEqual([
      '0 A->B INVITE',
      '1 B->A 486 Busy Here',
      '2 A->B ACK (lost)',
      '501 B->A 486 Busy Here',
      '502 A->B ACK (lost)',
      '1501 B->A 486 Busy Here',
      '1502 A->B ACK',
    ]);
    expect(completed?.transactions).toEqual([
      { side: 'server', method: 'INVITE', state: 'completed', count: 1 },
    ]);
    expect(bob?.responsesSent['4xx']).toBe(1);
    expect(bob?.retransmissions).toEqual({ requests: 0, responses: 2 });
    expect(alice?.responsesReceived['4xx']).toBe(3);
    expect(alice?.retransmissions).toEqual({ requests: 2, responses: 0 });
  });

  it('counts Timer A: the INVITE sent again while no response comes', () => {
    let invites = 0;
    let alice: EngineStats | undefined;
    const network = virtualCall(
      ({ alice: a, bob: b }) => {
        b.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP_B }))).subscribe();
        a.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe();
        timer(5000).subscribe(() => (alice = statsOf(a)));
      },
      { drop: (p) => p.data.toString().startsWith('INVITE') && ++invites <= 2 },
    );
    expect(flow(network).slice(0, 4)).toEqual([
      '0 A->B INVITE (lost)',
      '500 A->B INVITE (lost)',
      '1500 A->B INVITE',
      '1501 B->A 200 OK',
    ]);
    expect(alice?.retransmissions.requests).toBe(2);
    expect(created(alice as EngineStats)['client INVITE']).toBe(1);
  });
});
