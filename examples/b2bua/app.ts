// The B2BUA example's call flow, over any Srf: each INVITE bridged to the targets in turn (a
// callee's failure falls back to the next), legs tied, in-dialog requests relayed.
import type { Logger } from 'pino';
import { catchError, EMPTY, from, mergeMap, type Observable, type Subscription, throwError } from 'rxjs';
import {
  b2bua$,
  type Dialog,
  type Registrar,
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
  /** Takes REGISTERs; calls to its users go to their contacts (in q order) instead of the targets. */
  registrar?: Registrar;
}

// A call to a registered user goes to its contacts in turn: 480 when it has none, 503 when the
// location store cannot say.
function toUser(call: RequestEvent, registrar: Registrar): Observable<{ uas: Dialog; uac: Dialog }> {
  return from(registrar.locate(call.req.uri)).pipe(
    catchError(() => {
      call.res.send(503, { headers: { 'Retry-After': 5 } });
      return EMPTY;
    }),
    mergeMap((locations) => {
      if (locations.length > 0)
        return bridge(
          call,
          locations.map((l) => l.uri),
        );
      call.res.send(480);
      return EMPTY;
    }),
  );
}

/** Bridges every INVITE the Srf receives to `targets`; unsubscribing stops taking calls. */
export function b2buaApp(srf: Srf, options: B2buaAppOptions): Subscription {
  const { log, registrar } = options;
  if (registrar) srf.register$.pipe(registrar.register()).subscribe();
  return srf.invite$
    .pipe(
      mergeMap((call) =>
        registrar?.serves(call.req.uri) ? toUser(call, registrar) : bridge(call, options.targets),
      ),
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
