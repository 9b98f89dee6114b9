import { catchError, defer, EMPTY, from, mergeMap, type Observable, type OperatorFunction, of } from 'rxjs';
import { DigestAuthenticator, type DigestAuthOptions } from '../requests/digest-server.js';
import type { DigestSuccess } from '../requests/digest-verdict.js';
import type { RequestEvent } from '../requests/srf-request.js';

/** A request whose digest credentials were good: the event, and who sent it. */
export interface AuthenticatedRequest extends RequestEvent {
  /** The authenticated user, realm, algorithm and qop. */
  auth: DigestSuccess;
}

/**
 * Digest authentication on a stream of `{req, res}` (RFC 3261 §22): requests with good
 * credentials go on with `auth` added; the others are answered here, REGISTER with 401 and
 * WWW-Authenticate, other methods with 407 and Proxy-Authenticate (`stale=true` when only the
 * nonce had expired; 403 for a known user's wrong password when the authenticator says
 * `forbidden`). A failing user lookup is answered 500 and logged; the stream goes on.
 *
 * @param authenticator - a {@link DigestAuthenticator}, or the options to make one
 * @returns the operator
 * @example
 * ```ts
 * import { mergeMap } from 'rxjs';
 * import { authenticate, type Srf, uas$ } from 'rxsip';
 *
 * declare const srf: Srf;
 * declare const localSdp: string;
 * const users = new Map([['alice', 'secret']]);
 * srf.invite$
 *   .pipe(
 *     authenticate({ realm: 'example.com', users: (name) => users.get(name) }),
 *     mergeMap((call) => uas$(call, { localSdp })),
 *   )
 *   .subscribe();
 * ```
 */
export function authenticate(
  authenticator: DigestAuthenticator | DigestAuthOptions,
): OperatorFunction<RequestEvent, AuthenticatedRequest> {
  const auth =
    authenticator instanceof DigestAuthenticator ? authenticator : new DigestAuthenticator(authenticator);
  return mergeMap((event) =>
    // defer: a lookup that throws is this request's failure, answered like a rejected one.
    defer(() => {
      const verdict = auth.verify(event.req);
      return verdict instanceof Promise ? from(verdict) : of(verdict);
    }).pipe(
      mergeMap((verdict): Observable<AuthenticatedRequest> => {
        if (verdict.kind === 'ok') return of(Object.assign({}, event, { auth: verdict }));
        auth.respond(event.req, event.res, verdict);
        return EMPTY;
      }),
      catchError((err: unknown) => {
        event.req.context?.log.warn({ err, callId: event.req.callId }, 'digest user lookup failed: 500');
        if (!event.res.finalResponseSent) event.res.send(500);
        return EMPTY;
      }),
    ),
  );
}
