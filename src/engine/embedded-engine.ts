import type { ConnectionOptions, SecureContextOptions } from 'node:tls';
import { type Logger, pino } from 'pino';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { z } from 'zod';
import { DEFAULT_REQUEST_POLICY, type RequestPolicy } from '../sip/check-request.js';
import { DEFAULT_TIMERS, type TransactionTimers } from '../transaction/timer-config.js';
import { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from '../transaction/transaction-layer.js';
import type { DnsLookup } from '../transport/resolver.js';
import {
  DEFAULT_TRANSPORT_LIMITS,
  SocketTransportLayer,
  type TransportLimits,
} from '../transport/socket-transport-layer.js';
import type { ListenOptions } from '../transport/types.js';
import { parseListenSpec } from './listen-spec.js';
import { StackEngine } from './stack-engine.js';

export interface EmbeddedEngineOptions {
  /** Listening points: `[protocol:]host:port` strings or full options. */
  listen: ReadonlyArray<string | ListenOptions>;
  /** Certificate and key for tls/wss listening points that give none themselves. */
  tls?: SecureContextOptions;
  /** Options for outbound TLS/WSS connections. */
  tlsClient?: ConnectionOptions;
  timers?: Partial<TransactionTimers>;
  limits?: Partial<TransportLimits & TransactionLimits>;
  policy?: Partial<RequestPolicy>;
  scheduler?: SchedulerLike;
  logger?: Logger;
  dns?: DnsLookup;
}

const positive = z.number().int().positive();
const schema = z.object({
  listen: z
    .array(
      z.union([
        z.string(),
        z.object({
          protocol: z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']),
          host: z.string().min(1),
          port: z.number().int().min(0).max(65535),
        }),
      ]),
    )
    .min(1, 'at least one listening point is needed'),
  timers: z
    .object({
      t1: positive,
      t2: positive,
      t4: positive,
      tryingDelay: z.number().int().min(0),
      timerD: z.number().int().min(32_000),
    })
    .partial()
    .optional(),
  limits: z
    .object({
      maxMessageBytes: positive,
      maxHeaderBytes: positive,
      maxConnections: positive,
      idleTimeoutMs: z.number().int().min(0),
      udpRecvBufferSize: positive,
      udpSendBufferSize: positive,
      maxTransactions: positive,
      maxRequestBytes: positive,
    })
    .partial()
    .optional(),
});

/** Checks options, throwing an error that names the bad field. */
export function validateEngineOptions(options: EmbeddedEngineOptions): void {
  const result = schema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') || '(options)';
    throw new TypeError(`engine options: ${path}: ${issue?.message ?? 'invalid'}`);
  }
}

/**
 * Starts the embedded engine: a pure-TypeScript SIP stack on real sockets.
 *
 * @example
 * const engine = await startEmbeddedEngine({ listen: ['127.0.0.1:5060', 'tls:127.0.0.1:5061'], tls: { cert, key } });
 */
export async function startEmbeddedEngine(options: EmbeddedEngineOptions): Promise<StackEngine> {
  validateEngineOptions(options);
  const logger = options.logger ?? pino({ name: 'rxsip', level: 'info' });
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
    limits: { ...DEFAULT_TRANSPORT_LIMITS, ...options.limits },
    tlsClient: options.tlsClient,
    dns: options.dns,
    scheduler,
    logger,
  });
  await transport.start();
  return new StackEngine(transport, {
    timers: { ...DEFAULT_TIMERS, ...options.timers },
    limits: { ...DEFAULT_TRANSACTION_LIMITS, ...options.limits },
    policy: { ...DEFAULT_REQUEST_POLICY, ...options.policy },
    scheduler,
    logger,
  });
}
