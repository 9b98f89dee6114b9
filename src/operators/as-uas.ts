import { catchError, EMPTY, mergeMap, type OperatorFunction } from 'rxjs';
import type { Dialog } from '../dialogs/dialog.js';
import { SipError } from '../dialogs/sip-error.js';
import { type UasOptions, uas$ } from '../dialogs/uas.js';
import { agentOf } from '../dialogs/user-agent.js';
import type { RequestEvent } from '../streams/request-router.js';

/**
 * Answers each INVITE (or SUBSCRIBE) with 200 (202) and emits its dialog, calls in parallel. A
 * call that fails (cancelled, rejected for a bad interval, ...) is already answered on the wire;
 * it is logged and skipped, and the stream goes on. Use {@link uas$} per call to handle failures.
 *
 * @example
 * srf.requests$.pipe(filterMethod('INVITE'), asUas({ localSdp })).subscribe((dialog) => ...)
 */
export function asUas(
  options: UasOptions | ((event: RequestEvent) => UasOptions) = {},
): OperatorFunction<RequestEvent, Dialog> {
  return mergeMap((event) =>
    uas$(event, typeof options === 'function' ? options(event) : options).pipe(
      catchError((err: unknown) => {
        const status = err instanceof SipError ? err.status : undefined;
        agentOf(event.req).log.debug({ callId: event.req.get('call-id'), status, err }, 'call not answered');
        return EMPTY;
      }),
    ),
  );
}
