import type { ConnectionOptions, SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import { z } from 'zod';
import { isPlainToken } from '../drachtio-wire/wire-message.js';
import { describeIssue, type EmbeddedEngineOptions } from '../engine/embedded-engine.js';
import type { Engine } from '../engine/engine.js';

/** What rxsip's drachtio server holds at most. */
export interface DrachtioServerLimits {
  /** The largest frame an app may send, in bytes (drachtio-server reads at most 5 digits: 99999). */
  maxFrameBytes: number;
  /** App connections at once, inbound and outbound. */
  maxConnections: number;
  /** Per app connection: its transactions in progress and its messages waiting for a reply. */
  maxPendingRequests: number;
  /** Dialogs the server keeps for its apps; beyond it new INVITEs and SUBSCRIBEs get 503. */
  maxDialogs: number;
  /** How long a new connection has to authenticate, in ms. */
  authTimeoutMs: number;
}

/** The limits when none are given. */
export const DEFAULT_DRACHTIO_SERVER_LIMITS: DrachtioServerLimits = {
  maxFrameBytes: 99_999,
  maxConnections: 100,
  maxPendingRequests: 1000,
  maxDialogs: 100_000,
  authTimeoutMs: 5000,
};

/** Where apps connect to the server (drachtio-srf's `srf.connect`). */
export interface DrachtioAdminOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 9022; 0 picks a free port. */
  port?: number;
  /** Certificate and key: the admin port speaks TLS. */
  tls?: SecureContextOptions;
}

/** An app that listens (drachtio-srf's `srf.listen`): the server dials it for each new request. */
export interface DrachtioOutboundOptions {
  /** The app's address. */
  host: string;
  /** The port it listens on. */
  port: number;
  /** Options for `tls.connect`: the connection to the app is TLS. */
  tls?: ConnectionOptions;
}

/** How rxsip serves the drachtio wire protocol to drachtio-srf applications. */
export interface DrachtioServerOptions {
  /** The SIP side: the embedded engine's listening points and options. */
  sip?: EmbeddedEngineOptions;
  /** Or an engine already running, instead of `sip`. */
  engine?: Engine;
  /** The admin port apps connect to; omitted, apps are only dialled (`outbound`). */
  admin?: DrachtioAdminOptions;
  /** The shared secret apps authenticate with. */
  secret: string;
  /** Apps that listen: dialled for a new request no connected app has routed. */
  outbound?: DrachtioOutboundOptions;
  /** Frame size, connections, requests in progress, authentication deadline. */
  limits?: Partial<DrachtioServerLimits>;
  /** T1 and T2 of the 2xx retransmission (RFC 3261 §13.3.1.4); default the engine's (500, 4000). */
  timers?: { t1?: number; t2?: number };
  /** Where the server logs (pino; `warn` and above when omitted). */
  logger?: Logger;
  /** The scheduler its timers run on. */
  scheduler?: SchedulerLike;
}

const positive = z.number().int().positive();
const port = z.number().int().min(0).max(65535);
const schema = z
  .strictObject({
    sip: z.looseObject({}).optional(),
    engine: z.custom<Engine>((v) => typeof v === 'object' && v !== null && 'requests$' in v).optional(),
    admin: z
      .strictObject({
        host: z.string().min(1).optional(),
        port: port.optional(),
        tls: z.looseObject({}).optional(),
      })
      .optional(),
    secret: z.string().min(1, 'a secret is needed').refine(isPlainToken, 'may not contain |, CR or LF'),
    outbound: z
      .strictObject({ host: z.string().min(1), port: port.min(1), tls: z.looseObject({}).optional() })
      .optional(),
    limits: z
      .strictObject({
        maxFrameBytes: positive,
        maxConnections: positive,
        maxPendingRequests: positive,
        maxDialogs: positive,
        authTimeoutMs: positive,
      })
      .partial()
      .optional(),
    timers: z.strictObject({ t1: positive, t2: positive }).partial().optional(),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && 'child' in v).optional(),
    scheduler: z
      .custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && 'schedule' in v)
      .optional(),
  })
  .refine((o) => (o.sip === undefined) !== (o.engine === undefined), {
    message: 'give either sip (listening points) or engine, not both',
    path: ['sip'],
  })
  .refine((o) => o.admin !== undefined || o.outbound !== undefined, {
    message: 'give admin (apps connect) or outbound (apps are dialled), or both',
    path: ['admin'],
  });

/**
 * Checks the server's options, throwing a `TypeError` that names the bad field.
 *
 * @param options - the options
 * @example
 * ```ts
 * validateDrachtioServerOptions({ secret: 'cymru', sip: { listen: ['127.0.0.1:5060'] }, limits: { maxConections: 4 } });
 * // TypeError: drachtio server options: limits.maxConections: unknown option
 * ```
 */
export function validateDrachtioServerOptions(options: DrachtioServerOptions): void {
  const result = schema.safeParse(options);
  if (!result.success) throw new TypeError(describeIssue('drachtio server options', result.error.issues[0]));
}
