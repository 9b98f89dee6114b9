import { randomBytes } from 'node:crypto';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { z } from 'zod';
import { describeIssue } from '../engine/embedded-engine.js';
import { type AuthHeader, parseAuthHeader, stringifyAuthHeader } from '../sip/auth-header.js';
import { createChallenge, type DigestAlgorithm, verifyCredentials } from '../sip/digest.js';
import { uriEquals } from '../sip/uri-compare.js';
import { type NonceCheck, NonceIssuer } from './digest-nonce.js';
import { NonceCounts } from './digest-nonce-counts.js';
import type { DigestVerdict } from './digest-verdict.js';

/** A user's secret: the password (a string, or `{password}`), or `{ha1}` = H(username:realm:password) for the algorithm asked about. */
export type UserSecret = string | { password: string } | { ha1: string };

/**
 * Finds a user's secret: synchronously (answered in the same tick, virtual time included) or
 * as a Promise (a database). `undefined` for a user nobody knows.
 */
export type UserLookup = (
  username: string,
  realm: string,
  algorithm: DigestAlgorithm,
) => UserSecret | undefined | Promise<UserSecret | undefined>;

/** How a {@link DigestAuthenticator} challenges and checks. */
export interface DigestAuthOptions {
  /** The realm of every challenge; credentials for other realms are not ours to check. */
  realm: string;
  /** Where users' secrets come from. */
  users: UserLookup;
  /**
   * The key nonces are signed with (at least 16 bytes). Nodes given the same secret and realm
   * check each other's nonces. Default: random, for this authenticator only.
   */
  secret?: string | Buffer;
  /** Seconds a nonce stays fresh (default 300); after that good credentials get `stale=true`. */
  nonceLifetime?: number;
  /** The most nonces whose count (nc) is tracked at once (default 10,000). */
  maxNonces?: number;
  /** Algorithms offered, one challenge each, strongest first (default SHA-512-256, SHA-256, MD5: RFC 7616 §3.7, RFC 8760). */
  algorithms?: DigestAlgorithm[];
  /** qop values offered (default `['auth']`); `auth-int` also covers the body. */
  qop?: Array<'auth' | 'auth-int'>;
  /** 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) for every method; default 401 for REGISTER, 407 otherwise. */
  challengeWith?: 401 | 407;
  /** Answer 403 instead of a new challenge when a known user's response is wrong (default false). */
  forbidden?: boolean;
  /** The clock nonces are stamped with (`scheduler.now()`); a TestScheduler in tests. */
  scheduler?: SchedulerLike;
}

/** What the authenticator reads of a request: an rxsip request, or rxsip/drachtio's. */
export interface DigestRequest {
  /** The method. */
  readonly method: string;
  /** The Request-URI. */
  readonly uri: string;
  /**
   * A header's value, repeated lines joined.
   *
   * @param name - the header name in any case (Authorization, Proxy-Authorization)
   * @returns the value, or `undefined` when the request has no such header
   */
  get(name: string): string | undefined;
  /** The body's bytes (an rxsip request's `payload`), for `auth-int`. */
  readonly payload?: unknown;
  /** The body as text, for `auth-int` when there are no bytes. */
  readonly body?: unknown;
}

/** The Authorization parameters the middleware leaves on a request, as drachtio-mw-digest-auth does. */
export interface DigestAuthorizationFields {
  /** `digest`. */
  scheme?: string;
  /** The user name. */
  username?: string;
  /** The realm. */
  realm?: string;
  /** The nonce. */
  nonce?: string;
  /** The digest-uri. */
  uri?: string;
  /** The algorithm. */
  algorithm?: string;
  /** The response. */
  response?: string;
  /** The qop. */
  qop?: string;
  /** The nonce count. */
  nc?: string;
  /** The client nonce. */
  cnonce?: string;
  /** The opaque value of the challenge, echoed. */
  opaque?: string;
}

/** A request the middleware can check, and leave `authorization` on. */
export interface DigestMiddlewareRequest extends DigestRequest {
  /** Set when the credentials are good. */
  authorization?: DigestAuthorizationFields;
}

/** What the authenticator needs of a response side: `send(status, {headers})`. */
export interface DigestResponse {
  /**
   * Sends a response.
   *
   * @param status - 401, 407 or 403
   * @param options - the challenge headers
   * @returns anything
   */
  send(status: number, options: { headers: Record<string, string[]> }): unknown;
}

/** A drachtio-style middleware: `next()` for good credentials, an answer for the others. */
export type DigestMiddleware = (
  req: DigestMiddlewareRequest,
  res: DigestResponse,
  next: (err?: unknown) => void,
) => void;

const ALGORITHMS = [
  'MD5',
  'MD5-sess',
  'SHA-256',
  'SHA-256-sess',
  'SHA-512-256',
  'SHA-512-256-sess',
] as const satisfies readonly DigestAlgorithm[];
const secretBytes = z.union([z.string(), z.instanceof(Buffer)]).refine((s) => Buffer.byteLength(s) >= 16, {
  message: 'at least 16 bytes',
});
const schema = z.strictObject({
  realm: z.string().min(1),
  users: z.custom<UserLookup>((v) => typeof v === 'function', 'a function (username, realm, algorithm)'),
  secret: secretBytes.optional(),
  nonceLifetime: z.number().int().positive().optional(),
  maxNonces: z.number().int().positive().optional(),
  algorithms: z.array(z.enum(ALGORITHMS)).min(1).optional(),
  qop: z
    .array(z.enum(['auth', 'auth-int']))
    .min(1)
    .optional(),
  challengeWith: z.union([z.literal(401), z.literal(407)]).optional(),
  forbidden: z.boolean().optional(),
  scheduler: z
    .custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && 'now' in v, 'an RxJS scheduler')
    .optional(),
});

function bodyOf(req: DigestRequest): Buffer | string {
  if (Buffer.isBuffer(req.payload)) return req.payload;
  return typeof req.body === 'string' ? req.body : '';
}

function sameUri(given: string, requestUri: string): boolean {
  if (given === requestUri) return true;
  try {
    return uriEquals(given, requestUri);
  } catch {
    return false;
  }
}

/**
 * Server-side digest authentication (RFC 3261 §22, RFC 7616, RFC 2617's qop): challenges with
 * nonces it issued (signed with a secret, so several nodes share them; expiring, then answered
 * with `stale=true`), and checks credentials against the realm, the Request-URI, the nonce, the
 * nonce count (a replay is refused) and the user's secret, for MD5, SHA-256 and SHA-512-256,
 * qop `auth` and `auth-int`. REGISTER is challenged with 401, other methods with 407.
 *
 * Use it as an operator ({@link authenticate}), as middleware ({@link DigestAuthenticator.middleware}),
 * or call {@link DigestAuthenticator.verify} and {@link DigestAuthenticator.respond} yourself.
 * Nonce counts live in this process: nodes sharing a secret each refuse replays they see.
 *
 * @example
 * ```ts
 * import { authenticate, DigestAuthenticator, type Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * const auth = new DigestAuthenticator({
 *   realm: 'example.com',
 *   users: (username) => (username === 'alice' ? 'secret' : undefined),
 * });
 * srf.register$.pipe(authenticate(auth)).subscribe(({ res, auth: who }) => {
 *   console.log(who.username, 'registered');
 *   res.send(200);
 * });
 * ```
 */
export class DigestAuthenticator {
  /** The realm challenges name. */
  readonly realm: string;
  private readonly users: UserLookup;
  private readonly nonces: NonceIssuer;
  private readonly counts: NonceCounts;
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly qop: ReadonlyArray<'auth' | 'auth-int'>;
  private readonly challengeWith: 401 | 407 | undefined;
  private readonly forbidden: boolean;
  private readonly scheduler: SchedulerLike;

  /**
   * @param options - realm and user lookup; secret, nonce lifetime, algorithms, qop, statuses
   * @throws TypeError naming the bad option
   */
  constructor(options: DigestAuthOptions) {
    const result = schema.safeParse(options);
    if (!result.success) throw new TypeError(describeIssue('digest auth options', result.error.issues[0]));
    this.realm = options.realm;
    this.users = options.users;
    const secret = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret);
    this.nonces = new NonceIssuer(secret, options.realm, (options.nonceLifetime ?? 300) * 1000);
    this.counts = new NonceCounts(options.maxNonces ?? 10_000);
    this.algorithms = options.algorithms ?? ['SHA-512-256', 'SHA-256', 'MD5'];
    this.qop = options.qop ?? ['auth'];
    this.challengeWith = options.challengeWith;
    this.forbidden = options.forbidden ?? false;
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  /**
   * The status a challenge to `method` uses: 401 for REGISTER, 407 for the others (unless
   * `challengeWith` says otherwise).
   *
   * @param method - the request's method
   * @returns 401 or 407
   */
  challengeStatus(method: string): 401 | 407 {
    return this.challengeWith ?? (method.toUpperCase() === 'REGISTER' ? 401 : 407);
  }

  /**
   * The challenges to send, one per algorithm, strongest first (RFC 7616 §3.7), all with one
   * fresh nonce.
   *
   * @param stale - mark them `stale=true` (the last nonce expired)
   * @returns WWW-Authenticate or Proxy-Authenticate values
   */
  challenges(stale = false): string[] {
    const nonce = this.nonces.issue(this.scheduler.now());
    const qop = this.qop.join(',');
    return this.algorithms.map((algorithm) =>
      stringifyAuthHeader(createChallenge({ realm: this.realm, algorithm, qop, nonce, stale }), 'challenge'),
    );
  }

  /**
   * Checks a request's credentials (Authorization for a 401 method, Proxy-Authorization for a
   * 407 one). Synchronous when the user lookup is.
   *
   * @param req - the request
   * @returns the verdict, or a Promise of it when the lookup returns one
   */
  verify(req: DigestRequest): DigestVerdict | Promise<DigestVerdict> {
    const header = this.challengeStatus(req.method) === 401 ? 'authorization' : 'proxy-authorization';
    const value = req.get(header);
    if (value === undefined) return { kind: 'challenge' };
    let all: AuthHeader[];
    try {
      all = parseAuthHeader(value);
    } catch {
      return { kind: 'bad', reason: 'malformed' };
    }
    // RFC 3261 §22.3: credentials for other realms (a proxy further on) are not ours.
    const credentials = all.find((c) => c.scheme.toLowerCase() === 'digest' && c.params.realm === this.realm);
    if (!credentials) return { kind: 'challenge' };
    const p = credentials.params;
    const username = p.username;
    if (!username || !p.nonce || !p.uri || !p.response || !p.cnonce || !/^[0-9a-fA-F]{8}$/.test(p.nc ?? ''))
      return { kind: 'bad', reason: p.qop === undefined ? 'qop' : 'malformed' };
    const offered = (p.algorithm ?? 'MD5').toUpperCase();
    const algorithm = this.algorithms.find((a) => a.toUpperCase() === offered);
    if (!algorithm) return { kind: 'bad', reason: 'algorithm' };
    const qop = this.qop.find((q) => q === p.qop?.toLowerCase());
    if (!qop) return { kind: 'bad', reason: 'qop' };
    if (!sameUri(p.uri, req.uri)) return { kind: 'bad', reason: 'uri' };
    const nonce = this.nonces.check(p.nonce, this.scheduler.now());
    if (nonce.kind === 'forged') return { kind: 'bad', reason: 'nonce' };
    const finish = (secret: UserSecret | undefined): DigestVerdict =>
      this.finish(req, credentials, { username, algorithm, qop, nonce }, secret);
    const secret = this.users(username, this.realm, algorithm);
    return secret instanceof Promise ? secret.then(finish) : finish(secret);
  }

  private finish(
    req: DigestRequest,
    credentials: AuthHeader,
    checked: { username: string; algorithm: DigestAlgorithm; qop: 'auth' | 'auth-int'; nonce: NonceCheck },
    secret: UserSecret | undefined,
  ): DigestVerdict {
    const { username, algorithm, qop, nonce } = checked;
    if (secret === undefined) return { kind: 'bad', reason: 'unknown-user' };
    const key = typeof secret === 'string' ? { password: secret } : secret;
    const good = verifyCredentials(credentials, { method: req.method, ...key, body: bodyOf(req) });
    if (!good) return { kind: 'bad', reason: 'response', username };
    // RFC 7616 §3.3: stale only for credentials that were right but for the nonce's age.
    if (nonce.kind !== 'fresh') return { kind: 'stale', username };
    const nc = Number.parseInt(credentials.params.nc ?? '', 16);
    const count = this.counts.use(
      credentials.params.nonce ?? '',
      nc,
      nonce.issuedAt,
      nonce.expiresAt,
      this.scheduler.now(),
    );
    if (count === 'replayed') return { kind: 'bad', reason: 'replay', username };
    if (count === 'forgotten') return { kind: 'stale', username };
    return { kind: 'ok', username, realm: this.realm, algorithm, qop };
  }

  /**
   * Answers a request whose verdict is not `ok`: 401/407 with fresh challenges (`stale=true`
   * for a stale verdict), or 403 for a known user's wrong response when `forbidden` is set.
   * An `ok` verdict is left alone.
   *
   * @param req - the request (its method picks 401 or 407)
   * @param res - its response side
   * @param verdict - what {@link DigestAuthenticator.verify} said
   */
  respond(req: Pick<DigestRequest, 'method'>, res: DigestResponse, verdict: DigestVerdict): void {
    if (verdict.kind === 'ok') return;
    if (this.forbidden && verdict.kind === 'bad' && verdict.reason === 'response') {
      res.send(403, { headers: {} });
      return;
    }
    const status = this.challengeStatus(req.method);
    const name = status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    res.send(status, { headers: { [name]: this.challenges(verdict.kind === 'stale') } });
  }

  /**
   * drachtio-style middleware: good credentials go on with `next()` (their parameters in
   * `req.authorization`, as drachtio-mw-digest-auth leaves them), the others are answered with
   * {@link DigestAuthenticator.respond}; a failing user lookup goes to `next(err)`.
   *
   * @returns the middleware
   * @example
   * ```ts
   * import { DigestAuthenticator } from 'rxsip';
   * import { Srf } from 'rxsip/drachtio';
   *
   * const auth = new DigestAuthenticator({ realm: 'example.com', users: (name) => (name === 'alice' ? 'secret' : undefined) });
   * const srf = new Srf();
   * srf.use('register', auth.middleware());
   * srf.register((req, res) => res.send(200));
   * ```
   */
  middleware(): DigestMiddleware {
    return (req, res, next) => {
      const done = (verdict: DigestVerdict): void => {
        if (verdict.kind !== 'ok') {
          this.respond(req, res, verdict);
          return;
        }
        const header = this.challengeStatus(req.method) === 401 ? 'authorization' : 'proxy-authorization';
        const credentials = parseAuthHeader(req.get(header) ?? '').find((c) => c.params.realm === this.realm);
        req.authorization = { scheme: 'digest', ...credentials?.params };
        next();
      };
      let verdict: DigestVerdict | Promise<DigestVerdict>;
      try {
        verdict = this.verify(req);
      } catch (err) {
        next(err);
        return;
      }
      if (verdict instanceof Promise) verdict.then(done, (err: unknown) => next(err));
      else done(verdict);
    };
  }
}
