import { type MonoTypeOperatorFunction, mergeMap, Observable, type Subscription } from 'rxjs';

/** What tying needs of a leg: when it ends, and how to end it. */
export interface TiedLeg {
  /** Emits when the leg ends, whoever ended it; a `Dialog`'s `ended$`. */
  readonly ended$: Observable<unknown>;
  /**
   * Ends the leg (a BYE for a call), cold: subscribing sends it.
   *
   * @returns what ending it yields, e.g. the BYE's response
   */
  end$(): Observable<unknown>;
}

/**
 * Ends the other leg when one ends (BYE from either side, a session timer, an ACK timeout), for
 * each pair of legs that passes; the pair itself passes on unchanged. Its subscription owns the
 * watch on both legs and the hang-up it sends: unsubscribing lets go of both.
 *
 * @returns the operator
 * @example
 * ```ts
 * import { b2bua, type Srf, tieLegs } from 'rxsip';
 *
 * declare const srf: Srf;
 * srf.invite$.pipe(b2bua('sip:192.0.2.9'), tieLegs()).subscribe(({ uas, uac }) => {
 *   console.log('bridged', uas.id, 'to', uac.id);
 * });
 * ```
 */
export function tieLegs<T extends { uas: TiedLeg; uac: TiedLeg }>(): MonoTypeOperatorFunction<T> {
  return mergeMap(tied);
}

// One pair: passes it, then races the two ends (the first leg's end, error or completion wins, as
// RxJS's `race`); the winner's other leg is hung up, and this completes when that hang-up does.
// Written by hand rather than as merge/race/take/mergeMap: a B2BUA ties every call, and the
// composed form made about ten subscribers per call where this makes five.
function tied<T extends { uas: TiedLeg; uac: TiedLeg }>(legs: T): Observable<T> {
  return new Observable<T>((subscriber) => {
    subscriber.next(legs);
    // The consumer may have had enough with the pair itself (`take(1)` downstream).
    if (subscriber.closed) return;
    let decided = false;
    let watches: Subscription[] = [];
    const decide = (): boolean => {
      if (decided) return false;
      decided = true;
      for (const w of watches) w.unsubscribe();
      watches = [];
      return true;
    };
    const watch = (leg: TiedLeg, other: TiedLeg) =>
      leg.ended$.subscribe({
        next: () => {
          if (!decide()) return;
          // Ending can throw (a leg that cannot send): that is the pair's error.
          let end$: Observable<unknown>;
          try {
            end$ = other.end$();
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.add(
            end$.subscribe({ error: (e) => subscriber.error(e), complete: () => subscriber.complete() }),
          );
        },
        error: (err) => {
          if (decide()) subscriber.error(err);
        },
        complete: () => {
          if (decide()) subscriber.complete();
        },
      });
    // As `race`: subscribed in order, and a leg that has already ended (its end replayed at
    // once) decides before the other is watched at all.
    const start = (leg: TiedLeg, other: TiedLeg) => {
      const s = watch(leg, other);
      if (decided) s.unsubscribe();
      else watches.push(s);
    };
    start(legs.uas, legs.uac);
    if (!decided) start(legs.uac, legs.uas);
    return () => {
      for (const w of watches) w.unsubscribe();
    };
  });
}
