import { defer, from, mergeMap, Observable, of } from 'rxjs';
import type { OutboundEvent } from '../engine/engine.js';
import { type AuthHeader, stringifyAuthHeader } from '../sip/auth-header.js';
import { answerChallenge, isSupportedAlgorithm } from '../sip/digest.js';
import type { SipRequest, SipResponse } from '../sip/message.js';

/** A user name and password for answering a digest challenge (RFC 3261 §22, RFC 7616). */
export interface Credentials {
  /** The user name of the Authorization or Proxy-Authorization header. */
  username: string;
  /** The password the digest response is computed with; it is never sent. */
  password: string;
}

/**
 * Credentials for a challenge: fixed, or a function of the challenged request and the
 * 401/407 (returning them, a Promise of them, or undefined to give up). The drachtio-srf form
 * `(req, res, callback(err, username, password))` is accepted too.
 */
export type AuthProvider =
  | Credentials
  | ((req: SipRequest, res: SipResponse) => Credentials | Promise<Credentials | undefined> | undefined)
  | CallbackAuth;

type CallbackAuth = (
  req: SipRequest,
  res: SipResponse,
  callback: (err: Error | null, username?: string, password?: string) => void,
) => void;
type ReturningAuth = (
  req: SipRequest,
  res: SipResponse,
) => Credentials | Promise<Credentials | undefined> | undefined;

// Stays synchronous unless the provider is asynchronous, so challenges are answered in virtual time too.
function credentialsFor(
  auth: AuthProvider,
  req: SipRequest,
  res: SipResponse,
): Observable<Credentials | undefined> {
  if (typeof auth !== 'function') return of(auth);
  if (auth.length >= 3) {
    return new Observable<Credentials | undefined>((subscriber) => {
      (auth as CallbackAuth)(req, res, (err, username, password) => {
        if (err) subscriber.error(err);
        else {
          subscriber.next(
            username !== undefined && password !== undefined ? { username, password } : undefined,
          );
          subscriber.complete();
        }
      });
    });
  }
  const result = (auth as ReturningAuth)(req, res);
  return result instanceof Promise ? from(result) : of(result);
}

// RFC 8760 §2.4: prefer the strongest algorithm offered.
const STRENGTH = ['SHA-512-256', 'SHA-256', 'MD5'];

function pickChallenge(challenges: AuthHeader[]): AuthHeader | undefined {
  const digest = challenges.filter(
    (c) => c.scheme.toLowerCase() === 'digest' && isSupportedAlgorithm(c.params.algorithm),
  );
  const rank = (c: AuthHeader) => {
    const base = (c.params.algorithm ?? 'MD5').toUpperCase().replace(/-SESS$/, '');
    const index = STRENGTH.indexOf(base);
    return index < 0 ? STRENGTH.length : index;
  };
  return digest.sort((a, b) => rank(a) - rank(b))[0];
}

/**
 * Answers a 401/407 (RFC 3261 §22.2, §22.3): a copy of `template` with the next CSeq and an
 * Authorization or Proxy-Authorization header for the strongest digest challenge offered.
 *
 * @param template - the request that was challenged, without credentials
 * @param response - the 401 or 407
 * @param credentials - the user name and password to answer with
 * @param nc - the nonce count (qop), 1 for a fresh nonce
 * @param cseq - the CSeq number of the retry (default: the template's + 1)
 * @returns the request to resend, or undefined when no challenge can be answered
 */
export function authorize(
  template: SipRequest,
  response: SipResponse,
  credentials: Credentials,
  nc = 1,
  cseq = template.cseq.seq + 1,
): SipRequest | undefined {
  const proxy = response.status === 407;
  const challenge = pickChallenge(challengesOf(response));
  if (!challenge) return undefined;
  const request = template.clone();
  const answer = answerChallenge(
    challenge,
    Object.assign({}, credentials, { method: request.method, uri: request.uri, body: request.payload, nc }),
  );
  request.set('CSeq', `${cseq} ${template.method}`);
  request.append(proxy ? 'Proxy-Authorization' : 'Authorization', stringifyAuthHeader(answer));
  return request;
}

function challengesOf(response: SipResponse): AuthHeader[] {
  return response.tryParsedHeader(response.status === 407 ? 'proxy-authenticate' : 'www-authenticate') ?? [];
}

// RFC 7616 §3.3: stale=true says the credentials were right and only the nonce had expired.
function isStale(response: SipResponse): boolean {
  return pickChallenge(challengesOf(response))?.params.stale?.toLowerCase() === 'true';
}

function isChallenge(event: OutboundEvent): event is OutboundEvent & { kind: 'response' } {
  return (
    event.kind === 'response' &&
    !event.failure &&
    (event.response.status === 401 || event.response.status === 407)
  );
}

/**
 * Sends `request` with `send`, and when the final response is a 401 or 407 and `auth` gives
 * credentials, sends it once more with them. A second challenge is passed on as the final,
 * unless it says `stale=true` (RFC 7616 §3.3: only the nonce had expired): that one is
 * answered once more, with the same credentials and the new nonce. A challenge that is
 * answered is not emitted; when `auth` gives no credentials it is. An error from `auth` errors
 * the result.
 *
 * @param request - the request to send
 * @param send - sends one request and emits its events
 * @param auth - where the credentials come from; without it the request is sent once
 * @returns the events of the request, and of its authorized retries when there are some
 */
export function withDigestAuth(
  request: SipRequest,
  send: (request: SipRequest) => Observable<OutboundEvent>,
  auth: AuthProvider | undefined,
): Observable<OutboundEvent> {
  if (!auth) return send(request);
  return defer(() => {
    const template = request.clone();
    const retry = (
      challenge: SipResponse,
      credentials: Credentials,
      cseq: number,
      staleLeft: boolean,
    ): Observable<OutboundEvent> | undefined => {
      const next = authorize(template, challenge, credentials, 1, cseq);
      if (!next) return undefined;
      return send(next).pipe(
        mergeMap((event): Observable<OutboundEvent> => {
          if (!staleLeft || !isChallenge(event) || !isStale(event.response)) return of(event);
          return retry(event.response, credentials, cseq + 1, false) ?? of(event);
        }),
      );
    };
    return send(request).pipe(
      mergeMap((event) => {
        if (!isChallenge(event)) return of(event);
        const challenge = event.response;
        // A provider that fails (throws, rejects, calls back an error) errors the request: its
        // reason is the application's to see, not a 401 passed on in its place.
        return credentialsFor(auth, template, challenge).pipe(
          mergeMap(
            (credentials) =>
              (credentials && retry(challenge, credentials, template.cseq.seq + 1, true)) ?? of(event),
          ),
        );
      }),
    );
  });
}
