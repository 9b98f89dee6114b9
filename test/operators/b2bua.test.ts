import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { uas$ } from '../../src/dialogs/uas.js';
import { b2bua } from '../../src/operators/b2bua.js';
import { VirtualNetwork } from '../../src/testing/virtual-network.js';
import { handCall, marbles, party, SDP, unsubscribedWhileRinging, userAgent } from './harness.js';

/** carol at 10.0.0.3: answers `sip:carol@...` calls with 200 and refuses `sip:busy@...` with 486. */
function carol(network: VirtualNetwork): void {
  party(network, '10.0.0.3', (call) =>
    call.req.uri.startsWith('sip:busy') ? call.res.send(486) : uas$(call, { localSdp: SDP }).subscribe(),
  );
}

describe('b2bua', () => {
  it('bridges each call; one that B refuses has B’s status answered to A, emits nothing, and the next is bridged', () => {
    const toA: number[][] = [];
    marbles(({ hot, expectObservable, expectSubscriptions }, scheduler) => {
      const network = new VirtualNetwork(scheduler);
      const ua = userAgent(scheduler, network);
      carol(network);
      const busy = handCall(ua);
      const taken = handCall(ua);
      const source = hot('-b-t-------|', { b: busy.event, t: taken.event });
      const target = (call: typeof busy.event) =>
        call === busy.event ? 'sip:busy@10.0.0.3' : 'sip:carol@10.0.0.3';
      // B answers 2 ms after the INVITE leaves (1 ms each way): A is answered and the legs emitted.
      expectObservable(
        source.pipe(
          b2bua(target),
          map(({ uas, uac }) => `${uas.type}+${uac.type}`),
        ),
      ).toBe('-----c-----|', { c: 'uas+uac' });
      expectSubscriptions(source.subscriptions).toBe('^----------!');
      scheduler.schedule(
        () =>
          toA.push(
            busy.sent.map((r) => r.status),
            taken.sent.map((r) => r.status),
          ),
        20,
      );
    });
    expect(toA).toEqual([[486], [200]]);
  });

  it('unsubscribing before B answers cancels B and lets go of A', () => {
    expect(unsubscribedWhileRinging(b2bua('sip:carol@10.0.0.3'))).toEqual([
      'INVITE',
      '180',
      'CANCEL',
      '200',
      '487',
      'ACK',
    ]);
  });
});
