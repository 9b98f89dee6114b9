import { catchError, EMPTY, mergeMap, type OperatorFunction } from 'rxjs';
import { type B2buaOptions, b2bua$ } from '../dialogs/b2bua.js';
import type { Dialog } from '../dialogs/dialog.js';
import { SipError } from '../dialogs/sip-error.js';
import { agentOf } from '../dialogs/user-agent.js';
import type { RequestEvent } from '../streams/request-router.js';

export type B2buaTarget = string | ((event: RequestEvent) => string);

/**
 * Bridges each INVITE to a target (calls in parallel) and emits both legs once connected. A
 * call B refuses is answered to A (`passFailure`), logged and skipped. For a fallback to another
 * target, use {@link b2bua$} per call with `passFailure: false` and `catchError`.
 *
 * @example
 * srf.requests$.pipe(filterMethod('INVITE'), b2bua('sip:192.0.2.9'), tieLegs()).subscribe();
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
    ).pipe(
      catchError((err: unknown) => {
        agentOf(event.req).log.debug(
          { callId: event.req.get('call-id'), status: err instanceof SipError ? err.status : undefined, err },
          'call not bridged',
        );
        return EMPTY;
      }),
    ),
  );
}
