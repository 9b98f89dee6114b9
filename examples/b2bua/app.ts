// The B2BUA example's call flow, over any Srf: each INVITE bridged to the targets in turn (a
// callee's failure falls back to the next), legs tied, in-dialog requests relayed.
import type { Logger } from 'pino';
import { catchError, EMPTY, mergeMap, type Observable, type Subscription, throwError } from 'rxjs';
import {
  b2bua$,
  type Dialog,
  type RequestEvent,
  relayInDialog,
  SipError,
  type Srf,
  tieLegs,
} from '../../src/index.js';
import { endAfter } from '../max-duration.js';

// Each target in turn: a failure errors only while targets remain (passFailure: false), and
// the last one's failure goes to the caller. A call that does not connect emits nothing.
function bridge(call: RequestEvent, [target, ...rest]: string[]): Observable<{ uas: Dialog; uac: Dialog }> {
  if (!target) return EMPTY;
  return b2bua$(call, target, { passFailure: rest.length === 0, proxyRequestHeaders: ['all'] }).pipe(
    catchError((err: unknown) => (err instanceof SipError ? bridge(call, rest) : throwError(() => err))),
  );
}

/** How the B2BUA example bridges. */
export interface B2buaAppOptions {
  /** Where each call goes, in turn. */
  targets: string[];
  log: Logger;
  /** End each call with BYE after this many seconds (`--max-duration`). */
  maxDuration?: number;
}

/** Bridges every INVITE the Srf receives to `targets`; unsubscribing stops taking calls. */
export function b2buaApp(srf: Srf, options: B2buaAppOptions): Subscription {
  const { log } = options;
  return srf.invite$
    .pipe(
      mergeMap((call) => bridge(call, options.targets)),
      tieLegs(),
      relayInDialog(),
    )
    .subscribe(({ uas, uac }) => {
      const call = log.child({ callId: uas.sip.callId });
      call.debug({ to: uac.remote.uri }, 'call bridged');
      uas.ended$.subscribe((end) => call.debug({ reason: end.reason, by: end.initiator }, 'call ended'));
      // Ending A's leg ends B's too (tieLegs).
      endAfter(uas, options.maxDuration, call);
    });
}
