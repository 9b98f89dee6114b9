import {
  catchError,
  concatMap,
  EMPTY,
  filter,
  ignoreElements,
  type MonoTypeOperatorFunction,
  merge,
  mergeMap,
  type Observable,
  of,
  take,
  tap,
} from 'rxjs';
import type { ReinviteOffer, RequestOptions } from '../dialogs/dialog.js';
import type { InDialogRequestKind } from '../dialogs/incoming-streams.js';
import { SipError } from '../dialogs/sip-error.js';
import type { RequestEvent } from '../requests/srf-request.js';
import type { HeaderInit, SipResponse } from '../sip/message.js';

const RELAYED = ['info', 'update', 'refer', 'notify', 'message'] as const;
type Relayed = (typeof RELAYED)[number];

// Headers that describe the body or the request itself, carried to the other leg.
const CARRIED = [
  'content-type',
  'event',
  'subscription-state',
  'refer-to',
  'referred-by',
  'info-package',
  'reason',
];

/**
 * What relaying needs of a leg: what arrives on it, and how to send on it. A leg with
 * `requests$` (a `Dialog`) is listened to with one subscription for all the relayed
 * methods; one without, method by method.
 */
export type RelayLeg = { readonly [K in `${Relayed}$` | 'reinvite$']: Observable<RequestEvent> } & {
  sendReinvite$(sdp: ReinviteOffer, options?: { headers?: HeaderInit }): Observable<SipResponse>;
  send$(options: RequestOptions): Observable<SipResponse>;
  requests$?(...names: InDialogRequestKind[]): Observable<RequestEvent>;
};

function carried(source: { get(name: string): string | undefined }): HeaderInit {
  const headers: HeaderInit = {};
  for (const name of CARRIED) {
    const value = source.get(name);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

function answerWith(event: RequestEvent, response: SipResponse): void {
  const type = response.get('content-type');
  const body = response.payload.length > 0;
  event.res.send(response.status, response.reason, {
    headers: type && body ? { 'Content-Type': type } : {},
    body: body ? response.body : undefined,
  });
}

// The request's failure on the other leg is its answer here; the relaying goes on.
function answerFailure(event: RequestEvent) {
  return (err: unknown): Observable<never> => {
    event.res.send(err instanceof SipError ? err.status : 500);
    return EMPTY;
  };
}

// A re-INVITE from `from` becomes one on `to` (after `to`'s ACK, RFC 3261 §14.1); its answer,
// or failure status, goes back. One at a time, in order.
function relayReinvites(from: RelayLeg, to: RelayLeg): Observable<never> {
  return from.reinvite$.pipe(
    concatMap((event) =>
      to.sendReinvite$(event.req.body, { headers: carried(event.req) }).pipe(
        filter((r) => r.status >= 200),
        take(1),
        tap((r) => answerWith(event, r)),
        catchError(answerFailure(event)),
      ),
    ),
    ignoreElements(),
  );
}

// Every relayed method of a leg: one stream (one subscription, no Subject per method) when the
// leg offers it, so a call pays for two listeners per leg rather than six.
function relayed(leg: RelayLeg): Observable<RequestEvent> {
  return leg.requests$ ? leg.requests$(...RELAYED) : merge(...RELAYED.map((name) => leg[`${name}$`]));
}

function relayMethods(from: RelayLeg, to: RelayLeg): Observable<never> {
  return relayed(from).pipe(
    mergeMap((event) =>
      to
        .send$({
          method: event.req.method,
          headers: carried(event.req),
          body: event.req.payload.length ? event.req.body : undefined,
          contentType: event.req.get('content-type'),
        })
        .pipe(
          filter((r) => r.status >= 200),
          tap((r) => answerWith(event, r)),
          catchError(answerFailure(event)),
        ),
    ),
    ignoreElements(),
  );
}

/**
 * Relays in-dialog requests across the two legs of a B2BUA, for each pair that passes (the pair
 * passes on unchanged): re-INVITE (held until the other leg's ACK), INFO, UPDATE, REFER, NOTIFY
 * and MESSAGE, each answered with the other leg's final response, a failure there included, so
 * one refused re-INVITE never stops the next. Its subscription owns every relay; they end with
 * the legs, or when it is unsubscribed.
 *
 * @returns the operator
 * @example
 * ```ts
 * import { b2bua, relayInDialog, type Srf, tieLegs } from 'rxsip';
 *
 * declare const srf: Srf;
 * srf.invite$.pipe(b2bua('sip:192.0.2.9'), tieLegs(), relayInDialog()).subscribe();
 * ```
 */
export function relayInDialog<T extends { uas: RelayLeg; uac: RelayLeg }>(): MonoTypeOperatorFunction<T> {
  return mergeMap((legs: T) => {
    const { uas, uac } = legs;
    return merge(
      of(legs),
      relayReinvites(uas, uac),
      relayReinvites(uac, uas),
      relayMethods(uas, uac),
      relayMethods(uac, uas),
    );
  });
}
