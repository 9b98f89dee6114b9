import {
  ignoreElements,
  type MonoTypeOperatorFunction,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  race,
  take,
} from 'rxjs';

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
  return mergeMap((legs: T) =>
    merge(
      of(legs),
      race(legs.uas.ended$.pipe(map(() => legs.uac)), legs.uac.ended$.pipe(map(() => legs.uas))).pipe(
        take(1),
        mergeMap((other) => other.end$()),
        ignoreElements(),
      ),
    ),
  );
}
