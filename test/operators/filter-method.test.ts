import { describe, it } from 'vitest';
import { filterMethod } from '../../src/operators/filter-method.js';
import { marbles } from './harness.js';

const events = {
  i: { req: { method: 'INVITE' } },
  o: { req: { method: 'OPTIONS' } },
  m: { method: 'MESSAGE' },
  x: { nothing: true },
};

describe('filterMethod', () => {
  it('lets through the methods named, events and requests alike, and nothing else', () => {
    marbles(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-i-o-m-x-i-|', events);
      expectObservable(source.pipe(filterMethod('invite', 'MESSAGE'))).toBe('-i---m---i-|', events);
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
  });

  it('passes errors on and lets go of the source when unsubscribed', () => {
    marbles(({ hot, expectObservable, expectSubscriptions }) => {
      const failing = hot('-i-#', events);
      expectObservable(failing.pipe(filterMethod('INVITE'))).toBe('-i-#', events);
      expectSubscriptions(failing.subscriptions).toBe('^--!');
      const source = hot('-i-o-i-i-|', events);
      expectObservable(source.pipe(filterMethod('INVITE')), '^-----!').toBe('-i---i', events);
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });
});
