import { randomBytes } from 'node:crypto';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { z } from 'zod';
import { describeIssue } from '../engine/embedded-engine.js';
import { DigestAuthenticator, type DigestAuthOptions } from '../requests/digest-server.js';
import type { LocationStore } from './location-store.js';
import { MemoryLocationStore } from './memory-location-store.js';
import type { RateLimit } from './rate-limit.js';

/** How a {@link Registrar} registers and refuses. */
export interface RegistrarOptions {
  /** The domains it keeps bindings for (the To of a REGISTER, the Request-URI of a call); others get 404. */
  domains: string[];
  /** Where bindings live (default: a {@link MemoryLocationStore} on `scheduler`). */
  store?: LocationStore;
  /** Digest authentication of REGISTERs: an authenticator, or its options (default: none, everyone may register). */
  auth?: DigestAuthenticator | DigestAuthOptions;
  /**
   * Whether an authenticated user may change an AOR's bindings (RFC 3261 §10.3 step 4; 403
   * otherwise). Default: the AOR's user part is the user name.
   */
  authorize?: (username: string, aor: string) => boolean;
  /** Non-zero expiries under this get 423 with Min-Expires (seconds, default 60). */
  minExpires?: number;
  /** Longer expiries are shortened to this (seconds, default 7200). */
  maxExpires?: number;
  /** The expiry when neither Contact nor Expires gives one (seconds, default 3600). */
  defaultExpires?: number;
  /** The most bindings one AOR may have (default 10); a REGISTER that would add more gets 403. */
  maxContacts?: number;
  /** REGISTERs per source address (default 20 a second, bursts of 40); `false` for no limit. Over it: 503 with Retry-After. */
  rateLimit?: RateLimit | false;
  /** Retry-After (seconds) of the 503 when the store fails (default 5). */
  retryAfter?: number;
  /** This node's name in the bindings it makes: only it sends over their flows (default random). */
  node?: string;
  /** The clock of the rate limit and of the default store; a TestScheduler in tests. */
  scheduler?: SchedulerLike;
}

const positive = z.number().int().positive();
const schema = z
  .strictObject({
    domains: z.array(z.string().min(1)).min(1),
    store: z
      .custom<LocationStore>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          ['now', 'lookup', 'update', 'close'].every(
            (k) => typeof (v as Record<string, unknown>)[k] === 'function',
          ),
        'a LocationStore (now, lookup, update, close)',
      )
      .optional(),
    auth: z
      .custom<DigestAuthenticator | DigestAuthOptions>(
        (v) => typeof v === 'object' && v !== null,
        'a DigestAuthenticator or its options',
      )
      .optional(),
    authorize: z
      .custom<(u: string, a: string) => boolean>((v) => typeof v === 'function', 'a function')
      .optional(),
    minExpires: z.number().int().nonnegative().optional(),
    maxExpires: positive.optional(),
    defaultExpires: positive.optional(),
    maxContacts: positive.optional(),
    rateLimit: z
      .union([
        z.literal(false),
        z.strictObject({
          perSecond: z.number().positive(),
          burst: z.number().int().positive().optional(),
          maxSources: positive.optional(),
        }),
      ])
      .optional(),
    retryAfter: positive.optional(),
    node: z.string().min(1).optional(),
    scheduler: z
      .custom<SchedulerLike>(
        (v) => typeof v === 'object' && v !== null && 'schedule' in v,
        'an RxJS scheduler',
      )
      .optional(),
  })
  .refine((o) => (o.minExpires ?? 60) <= (o.maxExpires ?? 7200), {
    message: 'minExpires is over maxExpires',
    path: ['minExpires'],
  });

/** The options with their defaults, checked. */
export interface RegistrarConfig {
  domains: ReadonlySet<string>;
  store: LocationStore;
  auth: DigestAuthenticator | undefined;
  authorize: (username: string, aor: string) => boolean;
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
  maxContacts: number;
  rateLimit: RateLimit | false;
  retryAfter: number;
  node: string;
  scheduler: SchedulerLike;
}

// RFC 3261 §10.3 step 4's default: a user registers its own AOR.
function ownAor(username: string, aor: string): boolean {
  return aor.slice(4, aor.lastIndexOf('@')) === username;
}

/**
 * Checks a registrar's options and fills in the defaults.
 *
 * @param options - what the application gave
 * @returns the configuration
 * @throws TypeError naming the bad or unknown field
 */
export function registrarConfig(options: RegistrarOptions): RegistrarConfig {
  const result = schema.safeParse(options);
  if (!result.success) throw new TypeError(describeIssue('registrar options', result.error.issues[0]));
  const scheduler = options.scheduler ?? asyncScheduler;
  const minExpires = options.minExpires ?? 60;
  const maxExpires = options.maxExpires ?? 7200;
  const auth = options.auth;
  return {
    domains: new Set(options.domains.map((d) => d.toLowerCase().replace(/^\[|\]$/g, ''))),
    store: options.store ?? new MemoryLocationStore({ scheduler }),
    auth: auth === undefined || auth instanceof DigestAuthenticator ? auth : new DigestAuthenticator(auth),
    authorize: options.authorize ?? ownAor,
    minExpires,
    maxExpires,
    defaultExpires: Math.max(minExpires, Math.min(maxExpires, options.defaultExpires ?? 3600)),
    maxContacts: options.maxContacts ?? 10,
    rateLimit: options.rateLimit ?? { perSecond: 20 },
    retryAfter: options.retryAfter ?? 5,
    node: options.node ?? randomBytes(6).toString('hex'),
    scheduler,
  };
}
