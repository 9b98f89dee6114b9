import type { ConnectionOptions, SecureContextOptions } from 'node:tls';
import { type Logger, pino } from 'pino';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { z } from 'zod';
import { DEFAULT_REQUEST_POLICY, type RequestPolicy } from '../sip/check-request.js';
import { DEFAULT_TIMERS, type TransactionTimers } from '../transaction/timer-config.js';
import { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from '../transaction/transaction-layer.js';
import { isDnsServer, serverDns } from '../transport/dns-servers.js';
import type { DnsLookup } from '../transport/resolver.js';
import {
  DEFAULT_TRANSPORT_LIMITS,
  SocketTransportLayer,
  type TransportLimits,
} from '../transport/socket-transport-layer.js';
import type { ListenOptions } from '../transport/types.js';
import { parseListenSpec } from './listen-spec.js';
import { StackEngine } from './stack-engine.js';

/**
 * What {@link startEmbeddedEngine} (and `srf.start`) takes: where to listen, and optionally
 * certificates, timers, limits and the request policy. An unknown or ill-typed field is a
 * `TypeError` that names it.
 */
export interface EmbeddedEngineOptions {
  /** Listening points: `[protocol:]host:port` strings or full options. */
  listen: ReadonlyArray<string | ListenOptions>;
  /** Certificate and key for tls/wss listening points that give none themselves. */
  tls?: SecureContextOptions;
  /**
   * Options for the TLS/WSS connections rxsip opens: `ca` (PEM: the authorities trusted, Node's
   * bundled ones otherwise), `rejectUnauthorized` (default true: a server whose certificate does
   * not verify for the target's name is refused), `servername` (SNI and the name checked when the
   * target was an IP address; a target resolved from a name checks that name), a client `cert`
   * and `key`; any other option of Node's `tls.connect`.
   */
  tlsClient?: ConnectionOptions;
  /**
   * The `User-Agent` of the requests rxsip makes (RFC 3261 §20.41); none when omitted. A
   * request that already has one keeps it; requests relayed by a proxy are left alone.
   */
  userAgent?: string;
  /**
   * The `Server` of the responses rxsip sends as a UAS or proxy (RFC 3261 §20.35); none when
   * omitted. A response that already has one keeps it; responses a proxy relays are left alone.
   */
  server?: string;
  /** Transaction timers (T1, T2, T4, Timer B/F, ...) that differ from RFC 3261's defaults. */
  timers?: Partial<TransactionTimers>;
  /** Bounds on messages, connections and transactions that differ from the defaults. */
  limits?: Partial<TransportLimits & TransactionLimits>;
  /** What the stack supports: option tags, session body types, URI schemes (`DEFAULT_REQUEST_POLICY` otherwise). */
  policy?: Partial<RequestPolicy>;
  /** The scheduler every protocol timer runs on; RxJS's `asyncScheduler` when omitted. */
  scheduler?: SchedulerLike;
  /** A pino logger; one named `rxsip` at level `warn` when omitted. */
  logger?: Logger;
  /**
   * Where RFC 3263 resolution asks: `{servers: ['127.0.0.1:5353', ...]}` sends NAPTR, SRV, A and
   * AAAA queries to those servers (IP addresses, with a port as `host:port` or `[v6]:port`); a
   * `DnsLookup` answers them itself. The system resolver when omitted (`/etc/resolv.conf`, and
   * `dns.lookup` for addresses).
   */
  dns?: DnsLookup | { servers: readonly string[] };
}

const positive = z.number().int().positive();
const pem = z.union([z.string(), z.instanceof(Buffer), z.array(z.union([z.string(), z.instanceof(Buffer)]))]);
// TLS options are Node's own (SecureContextOptions); the certificate fields are checked here,
// the rest passed through.
const tlsOptions = z.looseObject({ cert: pem.optional(), key: pem.optional(), ca: pem.optional() });
// A header value on one line (RFC 3261 §25.1: no CR or LF of its own).
const headerText = z.string().regex(/^[^\r\n]+$/, 'expected one line of text');
const schema = z.strictObject({
  listen: z
    .array(
      z.union([
        z.string(),
        z.strictObject({
          protocol: z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']),
          host: z.string().min(1),
          port: z.number().int().min(0).max(65535),
          advertisedHost: z.string().min(1).optional(),
          advertisedPort: z.number().int().min(1).max(65535).optional(),
          tls: tlsOptions.optional(),
          path: z.string().optional(),
        }),
      ]),
    )
    .min(1, 'at least one listening point is needed'),
  tls: tlsOptions.optional(),
  tlsClient: z
    .looseObject({
      ca: pem.optional(),
      cert: pem.optional(),
      key: pem.optional(),
      rejectUnauthorized: z.boolean().optional(),
      servername: z.string().min(1).optional(),
    })
    .optional(),
  userAgent: headerText.optional(),
  server: headerText.optional(),
  timers: z
    .strictObject({
      t1: positive,
      t2: positive,
      t4: positive,
      tryingDelay: z.number().int().min(0),
      timerD: z.number().int().min(32_000),
      answerTimeout: positive,
      inviteAnswerTimeout: positive,
    })
    .partial()
    .optional(),
  limits: z
    .strictObject({
      maxMessageBytes: positive,
      maxHeaderBytes: positive,
      maxConnections: positive,
      idleTimeoutMs: z.number().int().min(0),
      messageTimeoutMs: z.number().int().min(0),
      maxPendingConnectionsPerAddress: positive,
      udpRecvBufferSize: positive,
      udpSendBufferSize: positive,
      maxTransactions: positive,
      maxRequestBytes: positive,
    })
    .partial()
    .optional(),
  policy: z
    .strictObject({
      supported: z.array(z.string()),
      acceptedSessionTypes: z.array(z.string()),
      schemes: z.array(z.string()),
    })
    .partial()
    .optional(),
  scheduler: z
    .custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && 'schedule' in v)
    .optional(),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && 'child' in v).optional(),
  dns: z
    .union(
      [
        z.strictObject({
          servers: z
            .array(
              z.string().refine(isDnsServer, 'expected an IP address, with a port as host:port or [v6]:port'),
            )
            .min(1, 'at least one DNS server is needed'),
        }),
        z.custom<DnsLookup>((v) => typeof v === 'object' && v !== null && 'addresses' in v),
      ],
      { error: 'expected {servers: [...]} or a DnsLookup' },
    )
    .optional(),
});

/** What a zod issue says, in words that name the option: `engine options: limits.maxConections: unknown option`. */
export function describeIssue(prefix: string, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return `${prefix}: invalid`;
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys')
    return `${prefix}: ${issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(', ')}: unknown option`;
  return `${prefix}: ${path || '(options)'}: ${issue.message}`;
}

// A TLS field given as a file name gets a word instead of OpenSSL's "no start line".
function checkPem(where: string, value: unknown): void {
  for (const item of Array.isArray(value) ? value : [value]) {
    const text = Buffer.isBuffer(item) ? item.toString('latin1', 0, 200) : item;
    if (typeof text !== 'string' || text.includes('-----BEGIN')) continue;
    throw new TypeError(
      `engine options: ${where}: expected PEM text (-----BEGIN ...), got ${JSON.stringify(text.slice(0, 60))}` +
        `${/^[\w./~-]+$/.test(text) ? ', which looks like a file path: pass readFileSync(path)' : ''}`,
    );
  }
}

/**
 * Checks options, throwing an error that names the bad field (or the unknown one).
 *
 * @param options - the embedded engine's options
 * @example
 * validateEngineOptions({ listen: ['127.0.0.1:5060'], tmers: {} }); // TypeError: engine options: tmers: unknown option
 */
export function validateEngineOptions(options: EmbeddedEngineOptions): void {
  const result = schema.safeParse(options);
  if (!result.success) throw new TypeError(describeIssue('engine options', result.error.issues[0]));
  const points = options.listen.flatMap((l, i) =>
    typeof l === 'string' ? [] : [[`listen.${i}.tls`, l.tls] as const],
  );
  for (const [where, tls] of [['tls', options.tls] as const, ...points]) {
    if (!tls) continue;
    for (const field of ['cert', 'key', 'ca'] as const)
      if (tls[field] !== undefined) checkPem(`${where}.${field}`, tls[field]);
  }
  for (const field of ['cert', 'key', 'ca'] as const) {
    const value = options.tlsClient?.[field];
    if (value !== undefined) checkPem(`tlsClient.${field}`, value);
  }
}

/**
 * Starts the embedded engine: a pure-TypeScript SIP stack on real sockets. `srf.start(options)`
 * calls it; call it yourself to share one engine or to attach it later.
 *
 * @param options - listening points and the rest; checked first, a bad field is a `TypeError`
 * @returns the engine, once every listening point is open; rejects when one cannot be opened
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { Srf, startEmbeddedEngine } from 'rxsip';
 *
 * const engine = await startEmbeddedEngine({
 *   listen: ['127.0.0.1:5060', 'tls:127.0.0.1:5061'],
 *   tls: { cert: readFileSync('cert.pem'), key: readFileSync('key.pem') },
 * });
 * const srf = new Srf().attach(engine);
 * ```
 */
export async function startEmbeddedEngine(options: EmbeddedEngineOptions): Promise<StackEngine> {
  validateEngineOptions(options);
  const logger = options.logger ?? pino({ name: 'rxsip', level: 'warn' });
  const scheduler = options.scheduler ?? asyncScheduler;
  const listen = options.listen.flatMap((l) => (typeof l === 'string' ? parseListenSpec(l) : [l]));
  for (const point of listen) {
    if ((point.protocol === 'tls' || point.protocol === 'wss') && !point.tls) {
      if (!options.tls)
        throw new TypeError(
          `engine options: tls: ${point.protocol} listening point ${point.host}:${point.port} needs a certificate`,
        );
      point.tls = options.tls;
    }
  }
  const transport = new SocketTransportLayer({
    listen,
    limits: Object.assign({}, DEFAULT_TRANSPORT_LIMITS, options.limits),
    tlsClient: options.tlsClient,
    dns: options.dns && 'servers' in options.dns ? serverDns(options.dns.servers) : options.dns,
    scheduler,
    logger,
  });
  await transport.start();
  return new StackEngine(transport, {
    timers: Object.assign({}, DEFAULT_TIMERS, options.timers),
    limits: Object.assign({}, DEFAULT_TRANSACTION_LIMITS, options.limits),
    policy: Object.assign({}, DEFAULT_REQUEST_POLICY, options.policy),
    scheduler,
    logger,
    userAgent: options.userAgent,
    server: options.server,
  });
}
