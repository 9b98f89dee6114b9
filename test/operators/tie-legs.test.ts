import { describe, it } from 'vitest';
import { tieLegs } from '../../src/operators/tie-legs.js';
import { marbles } from './harness.js';

describe('tieLegs', () => {
  it('ends the other leg when one ends, and lets go of both watches', () => {
    marbles(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const uasEnded = hot('------e|');
      const uacEnded = hot('---------e|');
      const uacBye = cold('--r|');
      const uasBye = cold('--r|');
      const legs = {
        uas: { ended$: uasEnded, end$: () => uasBye },
        uac: { ended$: uacEnded, end$: () => uacBye },
      };
      const source = hot('--l--|', { l: legs });
      // The pair passes at once; the operator completes once its hang-up has been answered.
      expectObservable(source.pipe(tieLegs())).toBe('--l------|', { l: legs });
      expectSubscriptions(source.subscriptions).toBe('^----!');
      expectSubscriptions(uasEnded.subscriptions).toBe('--^---!');
      expectSubscriptions(uacEnded.subscriptions).toBe('--^---!');
      expectSubscriptions(uacBye.subscriptions).toBe('------^--!');
      expectSubscriptions(uasBye.subscriptions).toBe([]);
    });
  });

  it('unsubscribing lets go of the source, both watches and a hang-up in flight', () => {
    marbles(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const uasEnded = hot('---------');
      const uacEnded = hot('----e----');
      const uasBye = cold('-----r|');
      const legs = {
        uas: { ended$: uasEnded, end$: () => uasBye },
        uac: { ended$: uacEnded, end$: () => cold('|') },
      };
      const source = hot('-l-------', { l: legs });
      expectObservable(source.pipe(tieLegs()), '^------!').toBe('-l', { l: legs });
      expectSubscriptions(source.subscriptions).toBe('^------!');
      expectSubscriptions(uasEnded.subscriptions).toBe('-^--!');
      expectSubscriptions(uasBye.subscriptions).toBe('----^--!');
    });
  });

  it('ties each pair on its own: one pair ending touches no other', () => {
    marbles(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const aBye = cold('-r|');
      const bBye = cold('-r|');
      const first = {
        uas: { ended$: hot('---e'), end$: () => cold('|') },
        uac: { ended$: hot('-'), end$: () => aBye },
      };
      const second = {
        uas: { ended$: hot('-'), end$: () => cold('|') },
        uac: { ended$: hot('-'), end$: () => bBye },
      };
      const source = hot('-a-b-|', { a: first, b: second });
      expectObservable(source.pipe(tieLegs()), '^-------!').toBe('-a-b----', { a: first, b: second });
      expectSubscriptions(aBye.subscriptions).toBe('---^-!');
      expectSubscriptions(bBye.subscriptions).toBe([]);
    });
  });
});
