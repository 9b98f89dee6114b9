import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { uas$ } from '../../src/dialogs/uas.js';
import { proxy } from '../../src/operators/proxy.js';
import { VirtualNetwork } from '../../src/testing/virtual-network.js';
import { handCall, marbles, party, SDP, unsubscribedWhileRinging, userAgent } from './harness.js';

function callee(network: VirtualNetwork, address: string, status: number): void {
  party(network, address, (call) =>
    status === 200 ? uas$(call, { localSdp: SDP }).subscribe() : call.res.send(status),
  );
}

describe('proxy', () => {
  it('forwards each request and emits how it ended, failures included, calls in parallel', () => {
    const upstream: number[][] = [];
    marbles(({ hot, expectObservable, expectSubscriptions }, scheduler) => {
      const network = new VirtualNetwork(scheduler);
      const ua = userAgent(scheduler, network);
      callee(network, '10.0.0.3', 200);
      callee(network, '10.0.0.4', 404);
      const first = handCall(ua);
      const second = handCall(ua);
      const source = hot('-a-b------|', { a: first.event, b: second.event });
      const to = (call: typeof first.event) => (call === first.event ? '10.0.0.3' : '10.0.0.4');
      expectObservable(
        source.pipe(
          proxy(to),
          map((r) => r.finalStatus),
        ),
      ).toBe('---a-b----|', { a: 200, b: 404 });
      expectSubscriptions(source.subscriptions).toBe('^---------!');
      scheduler.schedule(
        () =>
          upstream.push(
            first.sent.map((r) => r.status),
            second.sent.map((r) => r.status),
          ),
        100,
      );
    });
    // RFC 3261 §16.2: the proxy answers each INVITE 100 Trying at once.
    expect(upstream).toEqual([
      [100, 200],
      [100, 404],
    ]);
  });

  it('unsubscribing before it settles cancels the branch', () => {
    expect(unsubscribedWhileRinging(proxy('10.0.0.3'))).toEqual([
      'INVITE',
      '180',
      'CANCEL',
      '200',
      '487',
      'ACK',
    ]);
  });
});
