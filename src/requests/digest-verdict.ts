import type { DigestAlgorithm } from '../sip/digest.js';

/** Why credentials were refused. */
export type DigestRefusal =
  /** The header does not parse, or lacks username, nonce, uri, response, a well-formed nc or cnonce. */
  | 'malformed'
  /** An algorithm we did not offer. */
  | 'algorithm'
  /** No qop, or one we did not offer (RFC 2069's digest without nc cannot be protected from replay). */
  | 'qop'
  /** The `uri` is not the Request-URI (RFC 2617 §3.2.2.5). */
  | 'uri'
  /** A nonce we did not issue. */
  | 'nonce'
  /** The lookup does not know the user. */
  | 'unknown-user'
  /** The response is wrong: the password is. */
  | 'response'
  /** The nonce count did not increase: a replay. */
  | 'replay';

/** What a `DigestAuthenticator` makes of a request's credentials. */
export type DigestVerdict =
  /** Good credentials: the request may go on. */
  | { kind: 'ok'; username: string; realm: string; algorithm: DigestAlgorithm; qop: 'auth' | 'auth-int' }
  /** No credentials for our realm: challenge. */
  | { kind: 'challenge' }
  /** Good credentials with an expired nonce: challenge with `stale=true` (RFC 7616 §3.3). */
  | { kind: 'stale'; username: string }
  /** Refused: challenge again, or 403 for a known user (`username` is set only when the user is known). */
  | { kind: 'bad'; reason: DigestRefusal; username?: string };

/** The verdict of good credentials. */
export type DigestSuccess = Extract<DigestVerdict, { kind: 'ok' }>;
