import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { asUas } from '../../src/operators/as-uas.js';
import { handCall, marbles, SDP, userAgent } from './harness.js';

describe('asUas', () => {
  it('answers each call and emits its dialog; a call refused by the stack emits nothing and the stream goes on', () => {
    const statuses: number[][] = [];
    marbles(({ hot, expectObservable, expectSubscriptions }, scheduler) => {
      const ua = userAgent(scheduler);
      const refused = handCall(ua, { contact: false });
      const answered = handCall(ua);
      const source = hot('-r-a-|', { r: refused.event, a: answered.event });
      expectObservable(
        source.pipe(
          asUas({ localSdp: SDP }),
          map((d) => d.type),
        ),
      ).toBe('---d-|', { d: 'uas' });
      expectSubscriptions(source.subscriptions).toBe('^----!');
      scheduler.schedule(
        () =>
          statuses.push(
            refused.sent.map((r) => r.status),
            answered.sent.map((r) => r.status),
          ),
        10,
      );
    });
    expect(statuses).toEqual([[400], [200]]);
  });

  it('a cancelled call emits nothing; the next is answered', () => {
    const statuses: number[][] = [];
    marbles(({ hot, expectObservable }, scheduler) => {
      const ua = userAgent(scheduler);
      const cancelled = handCall(ua);
      const next = handCall(ua);
      scheduler.schedule(() => cancelled.cancel(), 1);
      const source = hot('--c-n-|', { c: cancelled.event, n: next.event });
      expectObservable(
        source.pipe(
          asUas({ localSdp: SDP }),
          map((d) => d.sip.callId),
        ),
      ).toBe('----n-|', {
        n: next.event.req.callId,
      });
      scheduler.schedule(
        () =>
          statuses.push(
            cancelled.sent.map((r) => r.status),
            next.sent.map((r) => r.status),
          ),
        10,
      );
    });
    expect(statuses).toEqual([[487], [200]]);
  });

  it('a call whose localSdp fails is answered 500 and emits nothing; the next is answered', () => {
    const statuses: number[][] = [];
    marbles(({ hot, expectObservable }, scheduler) => {
      const ua = userAgent(scheduler);
      const broken = handCall(ua);
      const fine = handCall(ua);
      const localSdp = () => {
        if (scheduler.now() < 3) throw new Error('media server down');
        return SDP;
      };
      const source = hot('-b--f-|', { b: broken.event, f: fine.event });
      expectObservable(
        source.pipe(
          asUas({ localSdp }),
          map((d) => d.type),
        ),
      ).toBe('----d-|', { d: 'uas' });
      scheduler.schedule(
        () =>
          statuses.push(
            broken.sent.map((r) => r.status),
            fine.sent.map((r) => r.status),
          ),
        10,
      );
    });
    expect(statuses).toEqual([[500], [200]]);
  });

  it('unsubscribing lets go of the source: a call after it is not answered by the operator', () => {
    const sent: number[] = [];
    marbles(({ hot, expectObservable, expectSubscriptions }, scheduler) => {
      const ua = userAgent(scheduler);
      const late = handCall(ua);
      const source = hot('-----l-|', { l: late.event });
      expectObservable(source.pipe(asUas({ localSdp: SDP })), '^--!').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      scheduler.schedule(() => sent.push(...late.sent.map((r) => r.status)), 10);
    });
    expect(sent).toEqual([]);
  });
});
