import { mergeMap, type OperatorFunction } from 'rxjs';
import { type B2buaOptions, b2bua$ } from '../dialogs/b2bua.js';
import type { Dialog } from '../dialogs/dialog.js';
import type { RequestEvent } from '../requests/srf-request.js';

/** B's URI, or a function of each call giving it. */
export type B2buaTarget = string | ((event: RequestEvent) => string);

/**
 * Bridges each INVITE to a target (calls in parallel) and emits both legs once connected. A call
 * that does not connect has had B's failure (or its cancel) answered to A and emits nothing. For
 * a fallback to another target, use `b2bua$` per call with `passFailure: false` and
 * `catchError`.
 *
 * @param target - B's URI, or a function of the call
 * @param options - drachtio-srf's createB2BUA options, or a function of the call
 * @returns the operator
 * @example
 * ```ts
 * import { b2bua, type Srf, tieLegs } from 'rxsip';
 *
 * declare const srf: Srf;
 * // B's URI from the call: the dialled number at the carrier's gateway.
 * srf.invite$.pipe(b2bua(({ req }) => `sip:${req.calledNumber}@gw.example.net`), tieLegs()).subscribe();
 * ```
 */
export function b2bua(
  target: B2buaTarget,
  options: B2buaOptions | ((event: RequestEvent) => B2buaOptions) = {},
): OperatorFunction<RequestEvent, { uas: Dialog; uac: Dialog }> {
  return mergeMap((event) =>
    b2bua$(
      event,
      typeof target === 'function' ? target(event) : target,
      typeof options === 'function' ? options(event) : options,
    ),
  );
}
