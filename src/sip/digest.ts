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

export function isSupportedAlgorithm(algorithm: string | undefined): boolean {
  return HASHES[baseAlgorithm(algorithm ?? 'MD5')] !== undefined;
}

function hash(algorithm: string, data: string | Buffer): string {
  const name = HASHES[baseAlgorithm(algorithm)];
  if (!name) throw new Error(`digest: unsupported algorithm "${algorithm}"`);
  return createHash(name).update(data).digest('hex');
}

export interface DigestInput {
  algorithm?: string;
  username: string;
  realm: string;
  /** The password, or `ha1` when the secret is stored as H(username:realm:password). */
  password?: string;
  ha1?: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: 'auth' | 'auth-int';
  nc?: string;
  cnonce?: string;
  /** The message body, needed for `auth-int`. */
  body?: Buffer | string;
}

/** H(A1) of RFC 7616 §3.4.2, including the `-sess` form. */
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

/** The `response` value of RFC 7616 §3.4.1 (or RFC 2617 §3.2.2.1 without qop). */
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

export interface AnswerOptions {
  username: string;
  password: string;
  method: string;
  uri: string;
  body?: Buffer | string;
  /** Nonce count, starting at 1 for each nonce. */
  nc?: number;
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
 * Builds the Authorization/Proxy-Authorization credentials answering a Digest challenge.
 *
 * @example
 * const creds = answerChallenge(parseAuthHeader(res.get('WWW-Authenticate'))[0], {
 *   username: 'alice', password: 's3cret', method: 'REGISTER', uri: 'sip:example.com' });
 * req.set('Authorization', stringifyAuthHeader(creds));
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

export interface VerifyOptions {
  method: string;
  /** The user's password, or `ha1` = H(username:realm:password) as stored by a registrar. */
  password?: string;
  ha1?: string;
  body?: Buffer | string;
}

/**
 * Checks Digest credentials (RFC 7616 §3.4.1) against the user's secret, in constant time.
 * Only the arithmetic: nonce freshness, replay (the `nc` count), realm and `uri` are the
 * caller's to check. `DigestAuthenticator` (rxsip) checks them all.
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
