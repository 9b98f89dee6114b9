import type { ConnectionOptions, TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import { z } from 'zod';
import { isPlainToken } from '../../drachtio-wire/wire-message.js';
import { describeIssue } from '../embedded-engine.js';

/** Every method rxsip takes when attached to a drachtio-server: the ones it routes by default. */
export const DRACHTIO_METHODS: readonly string[] = [
  'INVITE',
  'REGISTER',
  'OPTIONS',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'MESSAGE',
  'PUBLISH',
  'INFO',
  'UPDATE',
  'BYE',
  'PRACK',
];

/** What a connection to a drachtio-server may hold. */
export interface DrachtioLimits {
  /** The largest frame read or written, in bytes (drachtio-server reads at most 99999). */
  maxFrameBytes: number;
  /** Per connection: messages waiting for a reply, and requests from the server not yet answered. */
  maxPendingRequests: number;
  /** Dialogs whose drachtio dialog id is kept (the oldest is forgotten beyond it). */
  maxDialogs: number;
  /** Listen mode: drachtio-servers connected at once. */
  maxConnections: number;
}

/** The limits when none are given. */
export const DEFAULT_DRACHTIO_LIMITS: DrachtioLimits = {
  maxFrameBytes: 99_999,
  maxPendingRequests: 1000,
  maxDialogs: 100_000,
  maxConnections: 16,
};

/** Keep-alive pings: a reply must come before the next ping, or the connection is taken for dead. */
export interface DrachtioPing {
  /** ms between pings (and the time a reply has); 0 turns them off. Default 15000. */
  interval?: number;
}

/** Reconnection after a lost connection: the delay starts at `initialDelay` and grows by `factor`. */
export interface DrachtioReconnect {
  /** ms before the first retry (default 150, as drachtio-srf). */
  initialDelay?: number;
  /** The delay's growth per attempt (default 1.7). */
  factor?: number;
  /** The longest delay, ms (default 30000). */
  maxDelay?: number;
  /** Attempts before giving up (default: never give up). */
  maxAttempts?: number;
}

/** What the attached engine shares across its connections. */
export interface DrachtioEngineOptions {
  /** Methods announced with `route` (default {@link DRACHTIO_METHODS}). */
  methods?: readonly string[];
  /** Frame size, requests in progress, dialogs kept, connections. */
  limits?: Partial<DrachtioLimits>;
  /** Where the engine logs (pino). */
  logger?: Logger;
  /** The scheduler pings and reconnections run on. */
  scheduler?: SchedulerLike;
}

/** `srf.connect`: rxsip dials a drachtio-server's admin port. */
export interface DrachtioConnectOptions extends DrachtioEngineOptions {
  /** The server's address. */
  host: string;
  /** Its admin port; default 9022. */
  port?: number;
  /** The server's shared secret. */
  secret: string;
  /** Sent with `authenticate`: a request handler may route calls to apps by tag. */
  tags?: readonly string[];
  /** Options for `tls.connect`: the admin connection is TLS, again after every reconnect. */
  tls?: ConnectionOptions;
  /** How a lost connection is dialled again. */
  reconnect?: DrachtioReconnect;
  /** Keep-alive pings, whose replies tell a live connection from a dead one. */
  ping?: DrachtioPing;
}

/** `srf.listen`: drachtio-servers dial rxsip (their outbound connections), several at once. */
export interface DrachtioListenOptions extends DrachtioEngineOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** The port the servers dial; 0 picks a free one. */
  port: number;
  /** The secret sent with `authenticate` on each connection. */
  secret: string;
  /** Sent with `authenticate`. */
  tags?: readonly string[];
  /** Certificate and key: the servers connect with TLS. */
  tls?: TlsOptions;
  /** Keep-alive pings on each connection. */
  ping?: DrachtioPing;
}

const positive = z.number().int().positive();
const tag = z
  .string()
  .max(32, 'at most 32 characters')
  .regex(/^[a-zA-Z0-9\-_+@:]+$/, 'letters, digits and -_+@: only');
const shared = {
  methods: z.array(z.string().regex(/^[A-Za-z]+$/, 'a SIP method')).optional(),
  limits: z
    .strictObject({
      maxFrameBytes: positive,
      maxPendingRequests: positive,
      maxDialogs: positive,
      maxConnections: positive,
    })
    .partial()
    .optional(),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && 'child' in v).optional(),
  scheduler: z
    .custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && 'schedule' in v)
    .optional(),
  secret: z.string().min(1, 'a secret is needed').refine(isPlainToken, 'may not contain |, CR or LF'),
  tags: z.array(tag).max(20, 'at most 20 tags').optional(),
  ping: z
    .strictObject({ interval: z.number().int().min(0) })
    .partial()
    .optional(),
};
const connectSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  tls: z.looseObject({}).optional(),
  reconnect: z
    .strictObject({
      initialDelay: positive,
      factor: z.number().min(1),
      maxDelay: positive,
      maxAttempts: z.number().int().min(0),
    })
    .partial()
    .optional(),
  ...shared,
});
const listenSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535),
  tls: z.looseObject({}).optional(),
  ...shared,
});

/**
 * Checks `srf.connect`'s options, throwing a `TypeError` that names the bad field.
 *
 * @param options - the options
 * @example
 * ```ts
 * validateConnectOptions({ host: '127.0.0.1', secret: 'cymru', tags: ['a b'] });
 * // TypeError: drachtio connect options: tags.0: letters, digits and -_+@: only
 * ```
 */
export function validateConnectOptions(options: DrachtioConnectOptions): void {
  const result = connectSchema.safeParse(options);
  if (!result.success) throw new TypeError(describeIssue('drachtio connect options', result.error.issues[0]));
}

/**
 * Checks `srf.listen`'s options, throwing a `TypeError` that names the bad field.
 *
 * @param options - the options
 * @example
 * ```ts
 * validateListenOptions({ port: 4000, secret: '' });
 * // TypeError: drachtio listen options: secret: a secret is needed
 * ```
 */
export function validateListenOptions(options: DrachtioListenOptions): void {
  const result = listenSchema.safeParse(options);
  if (!result.success) throw new TypeError(describeIssue('drachtio listen options', result.error.issues[0]));
}
