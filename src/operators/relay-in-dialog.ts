import { type MonoTypeOperatorFunction, merge, mergeMap, Observable, type Subscription } from 'rxjs';
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

// Every relayed method of a leg: one stream (one subscription, no Subject per method) when the
// leg offers it, so a call pays for two listeners per leg rather than six.
function relayed(leg: RelayLeg): Observable<RequestEvent> {
  return leg.requests$ ? leg.requests$(...RELAYED) : merge(...RELAYED.map((name) => leg[`${name}$`]));
}

/**
 * One pair's relays, written by hand rather than as merge/concatMap/mergeMap/filter/take/tap/
 * catchError: a B2BUA relays for every call, and the composed form set up about fifteen
 * subscribers per call before a single request arrived; this sets up four (the legs' streams).
 * It completes once every stream has ended and no relay is in flight; a stream's error is its
 * error; unsubscribing lets go of the streams and of every relay in flight.
 */
function relayPair<T extends { uas: RelayLeg; uac: RelayLeg }>(legs: T): Observable<T> {
  return new Observable<T>((subscriber) => {
    subscriber.next(legs);
    // The consumer may have had enough with the pair itself (`take(1)` downstream).
    if (subscriber.closed) return;
    // Streams not yet ended plus relays in flight, plus one until all four streams are listened
    // to: a leg already ended completes its streams at once, and the other leg's still count.
    let active = 1;
    const finished = () => {
      if (--active === 0) subscriber.complete();
    };
    // Sends one request on the other leg and answers `event` with its final response, or with
    // the failure's status (500 when it is not a SipError); `once` stops at the first final.
    const relay = (
      event: RequestEvent,
      send: () => Observable<SipResponse>,
      once: boolean,
      then: () => void,
    ) => {
      // Making the request can throw (a leg that cannot send): that is the pair's error, as it
      // was the composed form's.
      let send$: Observable<SipResponse>;
      try {
        send$ = send();
      } catch (err) {
        subscriber.error(err);
        return;
      }
      active++;
      let done = false;
      let sending: Subscription | undefined;
      const end = () => {
        if (done) return;
        done = true;
        if (sending) {
          subscriber.remove(sending);
          sending.unsubscribe();
        }
        try {
          then();
        } finally {
          finished();
        }
      };
      const fail = (err: unknown) => {
        try {
          event.res.send(err instanceof SipError ? err.status : 500);
        } catch (sendErr) {
          subscriber.error(sendErr);
          return;
        }
        end();
      };
      sending = send$.subscribe({
        next: (r) => {
          if (done || r.status < 200) return;
          try {
            answerWith(event, r);
          } catch (err) {
            fail(err);
            return;
          }
          if (once) end();
        },
        error: fail,
        complete: end,
      });
      // A relay that ended while subscribing is let go of now; otherwise the pair owns it.
      if (done) sending.unsubscribe();
      else subscriber.add(sending);
    };
    const listen = (stream: Observable<RequestEvent>, onEvent: (event: RequestEvent) => void) => {
      active++;
      subscriber.add(
        stream.subscribe({ next: onEvent, error: (err) => subscriber.error(err), complete: finished }),
      );
    };
    // A re-INVITE from one leg becomes one on the other (after its ACK, RFC 3261 §14.1): one at
    // a time and in order, each waiting for the answer to the one before.
    const reinvites = (from: RelayLeg, to: RelayLeg) => {
      const queue: RequestEvent[] = [];
      let busy = false;
      const next = () => {
        const event = queue.shift();
        if (!event) {
          busy = false;
          return;
        }
        busy = true;
        relay(event, () => to.sendReinvite$(event.req.body, { headers: carried(event.req) }), true, next);
      };
      listen(from.reinvite$, (event) => {
        queue.push(event);
        if (!busy) next();
      });
    };
    const methods = (from: RelayLeg, to: RelayLeg) =>
      listen(relayed(from), (event) =>
        relay(
          event,
          () =>
            to.send$({
              method: event.req.method,
              headers: carried(event.req),
              body: event.req.payload.length ? event.req.body : undefined,
              contentType: event.req.get('content-type'),
            }),
          false,
          () => {},
        ),
      );
    const { uas, uac } = legs;
    reinvites(uas, uac);
    reinvites(uac, uas);
    methods(uas, uac);
    methods(uac, uas);
    finished();
  });
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
  return mergeMap(relayPair);
}
