import { type Observable, of, take } from 'rxjs';
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

  it('a leg that has already ended (its end replayed at once) hangs up the other without watching it', () => {
    marbles(({ hot, cold, expectObservable, expectSubscriptions }) => {
      // A Dialog's ended$ subscribed after the end replays it synchronously, as `of` does.
      const uacEnded = hot('-----e');
      const uacBye = cold('-r|');
      const legs = {
        uas: { ended$: of('e'), end$: () => cold('|') },
        uac: { ended$: uacEnded, end$: () => uacBye },
      };
      const source = hot('--l-|', { l: legs });
      expectObservable(source.pipe(tieLegs())).toBe('--l-|', { l: legs });
      expectSubscriptions(uacEnded.subscriptions).toBe([]);
      expectSubscriptions(uacBye.subscriptions).toBe('--^-!');
    });
  });

  it("a watch that completes without an end decides the race: nothing is hung up, and the watch's error is the pair's", () => {
    marbles(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const quiet = {
        uas: { ended$: hot('---|'), end$: () => cold('|') },
        uac: { ended$: hot('-'), end$: () => cold('|') },
      };
      const failing = {
        uas: { ended$: hot('------'), end$: () => cold('|') },
        uac: { ended$: hot('----#', undefined, new Error('lost')), end$: () => cold('|') },
      };
      expectObservable(hot('-q|', { q: quiet }).pipe(tieLegs())).toBe('-q-|', { q: quiet });
      expectObservable(hot('-f', { f: failing }).pipe(tieLegs())).toBe(
        '-f--#',
        { f: failing },
        new Error('lost'),
      );
      expectSubscriptions(failing.uas.ended$.subscriptions).toBe('-^--!');
    });
  });

  it('a hang-up that cannot be made errors the pair; a consumer done with the pair ties nothing', () => {
    marbles(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const failing = {
        uas: { ended$: hot('--e'), end$: () => cold('|') },
        uac: {
          ended$: hot('-'),
          end$: (): Observable<unknown> => {
            throw new Error('no route');
          },
        },
      };
      expectObservable(hot('f', { f: failing }).pipe(tieLegs())).toBe(
        'f-#',
        { f: failing },
        new Error('no route'),
      );
      const bye = cold('-r|');
      const ended = {
        uas: { ended$: of('e'), end$: () => cold('|') },
        uac: { ended$: hot('-'), end$: () => bye },
      };
      expectObservable(hot('-l', { l: ended }).pipe(tieLegs(), take(1))).toBe('-(l|)', { l: ended });
      expectSubscriptions(bye.subscriptions).toBe([]);
    });
  });
});
