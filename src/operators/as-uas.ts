import { mergeMap, type OperatorFunction } from 'rxjs';
import type { Dialog } from '../dialogs/dialog.js';
import { type UasOptions, uas$ } from '../dialogs/uas.js';
import type { RequestEvent } from '../requests/srf-request.js';

/**
 * Answers each INVITE (or SUBSCRIBE) with 200 (202) and emits its dialog, calls in parallel. A
 * call that ends before it is answered (cancelled, refused for a bad interval, ...) has been
 * answered on the wire and emits nothing; the stream goes on.
 *
 * @param options - the answer, or a function of each call giving it
 * @returns the operator
 * @example
 * ```ts
 * import { asUas, type Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * declare const localSdp: string;
 * srf.invite$.pipe(asUas({ localSdp })).subscribe((dialog) => {
 *   dialog.ended$.subscribe(({ reason }) => console.log(dialog.id, 'ended', reason));
 * });
 * ```
 */
export function asUas(
  options: UasOptions | ((event: RequestEvent) => UasOptions) = {},
): OperatorFunction<RequestEvent, Dialog> {
  return mergeMap((event) => uas$(event, typeof options === 'function' ? options(event) : options));
}
