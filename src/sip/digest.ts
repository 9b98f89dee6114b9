import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthHeader } from './auth-header.js';
import { randomToken } from './ids.js';

/** RFC 7616 §3.3 algorithms (RFC 2617's MD5 included), with their `-sess` variants. */
export type DigestAlgorithm =
  | 'MD5'
  | 'MD5-sess'
  | 'SHA-256'
  | 'SHA-256-sess'
  | 'SHA-512-256'
  | 'SHA-512-256-sess';

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

function baseAlgorithm(algorithm: string): string {
  const upper = algorithm.toUpperCase();
  return upper.endsWith('-SESS') ? upper.slice(0, -5) : upper;
}

/**
 * Whether rxsip can compute digests with an algorithm: MD5, SHA-256 and SHA-512-256, each with
 * its `-sess` variant, in any case (RFC 7616 §3.3). An absent algorithm means MD5.
 *
 * @param algorithm - the `algorithm` parameter of a challenge or credentials, if any
 * @returns `true` when {@link digestResponse} can compute it
 * @example
 * ```ts
 * import { isSupportedAlgorithm } from 'rxsip/sip';
 *
 * isSupportedAlgorithm('SHA-256-sess'); // true
 * isSupportedAlgorithm('SHA-1'); // false
 * ```
 */
export function isSupportedAlgorithm(algorithm: string | undefined): boolean {
  return HASHES[baseAlgorithm(algorithm ?? 'MD5')] !== undefined;
}

function hash(algorithm: string, data: string | Buffer): string {
  const name = HASHES[baseAlgorithm(algorithm)];
  if (!name) throw new Error(`digest: unsupported algorithm "${algorithm}"`);
  return createHash(name).update(data).digest('hex');
}

/** Everything a Digest `response` is computed from (RFC 7616 §3.4.1). */
export interface DigestInput {
  /** The algorithm, MD5 when omitted (RFC 7616 §3.3). */
  algorithm?: string;
  /** The user name, as in the credentials. */
  username: string;
  /** The realm of the challenge. */
  realm: string;
  /** The password, or `ha1` when the secret is stored as H(username:realm:password). */
  password?: string;
  /** H(username:realm:password), as a registrar stores it instead of the password. */
  ha1?: string;
  /** The request's method: A2 includes it (RFC 7616 §3.4.3). */
  method: string;
  /** The digest-uri: the Request-URI as the credentials give it. */
  uri: string;
  /** The server's nonce from the challenge. */
  nonce: string;
  /** The quality of protection; without it the RFC 2069 form is computed. */
  qop?: 'auth' | 'auth-int';
  /** The nonce count, 8 hex digits (`00000001` when omitted). */
  nc?: string;
  /** The client's nonce, required with qop and for `-sess` algorithms. */
  cnonce?: string;
  /** The message body, needed for `auth-int`. */
  body?: Buffer | string;
}

/**
 * H(A1) of RFC 7616 §3.4.2, including the `-sess` form: what a registrar can store instead of
 * the password, computed with the password or taken from `ha1`.
 *
 * @param input - the algorithm, user name, realm and password (or `ha1`); nonce and cnonce
 *   for a `-sess` algorithm
 * @returns H(A1) in lower-case hex
 * @throws `Error` when neither a password nor `ha1` is given, or the algorithm is not supported
 * @example
 * ```ts
 * import { digestHa1 } from 'rxsip/sip';
 *
 * // Store this rather than the password: `ha1` of VerifyOptions takes it. The nonce only
 * // counts for a -sess algorithm, whose H(A1) changes with every nonce.
 * const ha1 = digestHa1({ algorithm: 'SHA-256', username: 'alice', realm: 'example.com', password: 's3cret', nonce: '' });
 * ```
 */
export function digestHa1(
  input: Pick<DigestInput, 'algorithm' | 'username' | 'realm' | 'password' | 'ha1' | 'nonce' | 'cnonce'>,
): string {
  const algorithm = input.algorithm ?? 'MD5';
  let ha1 = input.ha1;
  if (ha1 === undefined) {
    if (input.password === undefined) throw new Error('digest: a password or ha1 is required');
    ha1 = hash(algorithm, `${input.username}:${input.realm}:${input.password}`);
  }
  if (algorithm.toUpperCase().endsWith('-SESS'))
    ha1 = hash(algorithm, `${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  return ha1;
}

/**
 * The `response` value of RFC 7616 §3.4.1 (or RFC 2617 §3.2.2.1 without qop).
 *
 * @param input - the challenge's parameters, the user's secret and the request's method and URI
 * @returns the response parameter's value, lower-case hex
 * @throws `Error` when neither a password nor `ha1` is given, or the algorithm is not supported
 * @example
 * ```ts
 * import { digestResponse } from 'rxsip/sip';
 *
 * const response = digestResponse({
 *   username: 'alice', realm: 'example.com', password: 's3cret', method: 'REGISTER',
 *   uri: 'sip:example.com', nonce: 'a1b2c3', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
 * });
 * ```
 */
export function digestResponse(input: DigestInput): string {
  const algorithm = input.algorithm ?? 'MD5';
  const ha1 = digestHa1(input);
  const a2 =
    input.qop === 'auth-int'
      ? `${input.method}:${input.uri}:${hash(algorithm, input.body ?? '')}`
      : `${input.method}:${input.uri}`;
  const ha2 = hash(algorithm, a2);
  if (input.qop) {
    return hash(
      algorithm,
      `${ha1}:${input.nonce}:${input.nc ?? '00000001'}:${input.cnonce ?? ''}:${input.qop}:${ha2}`,
    );
  }
  return hash(algorithm, `${ha1}:${input.nonce}:${ha2}`);
}

/** What {@link answerChallenge} needs besides the challenge: who we are and the request being authorized. */
export interface AnswerOptions {
  /** The user name to authenticate as. */
  username: string;
  /** The user's password. */
  password: string;
  /** The method of the request the credentials go in (the challenged one, resent). */
  method: string;
  /** The digest-uri: the Request-URI of that request. */
  uri: string;
  /** The request's body, needed when the server asks for `qop=auth-int`. */
  body?: Buffer | string;
  /** Nonce count, starting at 1 for each nonce. */
  nc?: number;
  /** The client nonce; a random one when omitted. */
  cnonce?: string;
}

/** Picks qop: `auth` when offered (cheaper, and what every peer accepts), else `auth-int`. */
function chooseQop(offered: string | undefined): 'auth' | 'auth-int' | undefined {
  if (!offered) return undefined;
  const options = offered.split(',').map((q) => q.trim().toLowerCase());
  if (options.includes('auth')) return 'auth';
  if (options.includes('auth-int')) return 'auth-int';
  return undefined;
}

/**
 * Builds the Authorization/Proxy-Authorization credentials answering a Digest challenge
 * (RFC 3261 §22.2, RFC 7616 §3.4): qop `auth` when offered, else `auth-int`; the challenge's
 * algorithm and opaque echoed.
 *
 * @param challenge - one challenge of a 401's WWW-Authenticate or a 407's Proxy-Authenticate
 * @param options - user name, password, and the method and URI of the request to resend
 * @returns the credentials, to write with {@link stringifyAuthHeader}
 * @throws `Error` when the challenge is not Digest, lacks realm or nonce, or asks for an
 *   algorithm or qop rxsip does not support
 * @example
 * ```ts
 * import { answerChallenge, parseAuthHeader, type SipRequest, type SipResponse, stringifyAuthHeader } from 'rxsip/sip';
 *
 * declare const req: SipRequest;
 * declare const res: SipResponse; // the 401
 * const header = res.get('WWW-Authenticate');
 * const [challenge] = header ? parseAuthHeader(header) : [];
 * if (challenge) {
 *   const creds = answerChallenge(challenge, { username: 'alice', password: 's3cret', method: 'REGISTER', uri: req.uri });
 *   req.set('Authorization', stringifyAuthHeader(creds));
 * }
 * ```
 */
export function answerChallenge(challenge: AuthHeader, options: AnswerOptions): AuthHeader {
  if (challenge.scheme.toLowerCase() !== 'digest')
    throw new Error(`digest: cannot answer a "${challenge.scheme}" challenge`);
  const p = challenge.params;
  const algorithm = p.algorithm ?? 'MD5';
  if (!isSupportedAlgorithm(algorithm)) throw new Error(`digest: unsupported algorithm "${algorithm}"`);
  if (p.realm === undefined || p.nonce === undefined)
    throw new Error('digest: challenge without realm or nonce');
  const qop = chooseQop(p.qop);
  // RFC 7616 §3.4: the client uses one of the offered qop values; answering a challenge that
  // demands qop without one would fall back to the weaker RFC 2069 digest.
  if (p.qop !== undefined && qop === undefined)
    throw new Error(`digest: none of the offered qop values "${p.qop}" is supported`);
  const cnonce =
    qop || algorithm.toUpperCase().endsWith('-SESS') ? (options.cnonce ?? randomToken(8)) : undefined;
  const nc = (options.nc ?? 1).toString(16).padStart(8, '0');
  const response = digestResponse({
    algorithm,
    username: options.username,
    realm: p.realm,
    password: options.password,
    method: options.method,
    uri: options.uri,
    nonce: p.nonce,
    qop,
    nc,
    cnonce,
    body: options.body,
  });
  const params: Record<string, string> = {
    username: options.username,
    realm: p.realm,
    nonce: p.nonce,
    uri: options.uri,
    response,
  };
  if (p.algorithm !== undefined) params.algorithm = algorithm;
  if (p.opaque !== undefined) params.opaque = p.opaque;
  if (qop) {
    params.qop = qop;
    params.nc = nc;
  }
  // A -sess A1 includes the cnonce (RFC 7616 §3.4.2): send it even without qop, or the
  // server cannot compute the same response.
  if (cnonce !== undefined) params.cnonce = cnonce;
  return { scheme: 'Digest', params };
}

/** What {@link verifyCredentials} checks credentials against: the request's method and the user's secret. */
export interface VerifyOptions {
  /** The method of the request that carried the credentials. */
  method: string;
  /** The user's password, or `ha1` = H(username:realm:password) as stored by a registrar. */
  password?: string;
  /** H(username:realm:password), in place of the password. */
  ha1?: string;
  /** The request's body, for credentials with `qop=auth-int`. */
  body?: Buffer | string;
}

/**
 * Checks Digest credentials (RFC 7616 §3.4.1) against the user's secret, in constant time.
 * Only the arithmetic: nonce freshness, replay (the `nc` count), realm and `uri` are the
 * caller's to check. `DigestAuthenticator` (rxsip) checks them all.
 *
 * @param credentials - one value of the request's Authorization or Proxy-Authorization
 * @param options - the request's method and body, and the user's password or `ha1`
 * @returns `true` when the `response` is right; `false` for a wrong one, malformed
 *   credentials, or an algorithm or qop rxsip does not support
 * @example
 * ```ts
 * import { parseAuthHeader, type SipRequest, verifyCredentials } from 'rxsip/sip';
 *
 * declare const req: SipRequest;
 * const header = req.get('Authorization');
 * const [credentials] = header ? parseAuthHeader(header) : [];
 * // The arithmetic only: the realm, the uri and the nonce's freshness are yours to check.
 * const ok = credentials !== undefined && verifyCredentials(credentials, { method: req.method, password: 's3cret' });
 * ```
 */
export function verifyCredentials(credentials: AuthHeader, options: VerifyOptions): boolean {
  if (credentials.scheme.toLowerCase() !== 'digest') return false;
  const p = credentials.params;
  const algorithm = p.algorithm ?? 'MD5';
  if (!isSupportedAlgorithm(algorithm)) return false;
  if (!p.username || p.realm === undefined || !p.nonce || !p.uri || !p.response) return false;
  const qop = p.qop === 'auth' || p.qop === 'auth-int' ? p.qop : undefined;
  if (p.qop !== undefined && qop === undefined) return false;
  // RFC 7616 §3.4: with qop, cnonce and an 8-hex-digit nc MUST be present; accepting them
  // missing would let a client dodge the nonce-count replay check the caller relies on.
  if (qop && (!p.cnonce || !/^[0-9a-fA-F]{8}$/.test(p.nc ?? ''))) return false;
  if (algorithm.toUpperCase().endsWith('-SESS') && p.cnonce === undefined) return false;
  const expected = digestResponse({
    algorithm,
    username: p.username,
    realm: p.realm,
    password: options.password,
    ha1: options.ha1,
    method: options.method,
    uri: p.uri,
    nonce: p.nonce,
    qop,
    nc: p.nc,
    cnonce: p.cnonce,
    body: options.body,
  });
  const a = Buffer.from(expected);
  const b = Buffer.from(p.response.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A Digest challenge for a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate), RFC 7616 §3.3.
 * Without `nonce` it draws a random one that nobody can check later: a server that verifies
 * the answers should use `DigestAuthenticator` (rxsip), whose nonces it issued itself, expire,
 * and are counted (nc) against replays.
 *
 * @param options - the realm; the algorithm (default MD5), the qop list (default `auth`),
 * `opaque`, `stale` (RFC 7616 §3.3: the last nonce expired, the credentials were good) and `nonce`
 * @returns the challenge, to be written with `stringifyAuthHeader(challenge, 'challenge')`
 * @example
 * ```ts
 * import type { SrfResponse } from 'rxsip';
 * import { createChallenge, stringifyAuthHeader } from 'rxsip/sip';
 *
 * declare const res: SrfResponse;
 * declare const nonce: string;
 * const challenge = createChallenge({ realm: 'example.com', algorithm: 'SHA-256', nonce });
 * res.send(401, { headers: { 'WWW-Authenticate': stringifyAuthHeader(challenge, 'challenge') } });
 * ```
 */
export function createChallenge(options: {
  realm: string;
  algorithm?: DigestAlgorithm;
  qop?: string;
  opaque?: string;
  stale?: boolean;
  nonce?: string;
}): AuthHeader {
  const params: Record<string, string> = {
    realm: options.realm,
    nonce: options.nonce ?? randomToken(16),
    algorithm: options.algorithm ?? 'MD5',
    qop: options.qop ?? 'auth',
  };
  if (options.opaque !== undefined) params.opaque = options.opaque;
  if (options.stale) params.stale = 'true';
  return { scheme: 'Digest', params };
}
