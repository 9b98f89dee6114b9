// Conventions shared by the examples: --listen (repeatable; a udp:/tcp:/tls:/ws:/wss: prefix
// narrows it), --target (repeatable), TLS files (--tls-cert, --tls-key for tls:/wss: listening
// points; --tls-ca, --tls-insecure for the connections the example opens), the identity it
// sends (--user-agent, --server), --help, pino logs, Prometheus metrics (--metrics), and on
// SIGINT/SIGTERM a drain (--drain-timeout) before a clean stop.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Logger, pino } from 'pino';
import { collectDefaultMetrics } from 'prom-client';
import {
  type DrainOptions,
  type DrainResult,
  type EmbeddedEngineOptions,
  type Srf,
  SrfMetrics,
  startMetricsServer,
} from '../src/index.js';

interface ExtraOption {
  type: 'string' | 'boolean';
  default?: string | boolean;
  multiple?: boolean;
  description: string;
}

/** The engine options the shared flags make: certificates, outgoing trust, identity. */
export type EngineFlags = Omit<EmbeddedEngineOptions, 'listen' | 'logger'>;

export interface ExampleArgs {
  listen: string[];
  targets: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  logger: Logger;
  /** What `srf.start({listen, ...engine})` takes from the shared flags. */
  engine: EngineFlags;
  /** `--metrics`: where to serve Prometheus metrics, if anywhere. */
  metrics?: { host: string; port: number };
  /** `--drain-timeout`: seconds dialogs get to end once a signal starts the drain. */
  drainTimeout: number;
}

/** Exits with a message naming the example and the flag: a command line's way of failing. */
export function fail(name: string, message: string): never {
  console.error(`${name}: ${message}`);
  process.exit(1);
}

function readPem(name: string, flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    fail(name, `--${flag}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The engine options of the TLS and identity flags; a tls:/wss: listening point needs a certificate. */
function engineFlags(name: string, values: ExampleArgs['values'], listen: string[]): EngineFlags {
  const text = (flag: string) => {
    const value = values[flag];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const engine: EngineFlags = {};
  const certFile = text('tls-cert');
  const keyFile = text('tls-key');
  if ((certFile === undefined) !== (keyFile === undefined))
    fail(name, '--tls-cert and --tls-key go together: the certificate and its private key (PEM files)');
  if (certFile && keyFile)
    engine.tls = { cert: readPem(name, 'tls-cert', certFile), key: readPem(name, 'tls-key', keyFile) };
  const secure = listen.find((l) => /^(tls|wss):/i.test(l));
  if (secure && !engine.tls) fail(name, `--listen ${secure} needs --tls-cert and --tls-key (PEM files)`);
  const caFile = text('tls-ca');
  if (caFile || values['tls-insecure']) {
    engine.tlsClient = {
      ...(caFile ? { ca: readPem(name, 'tls-ca', caFile) } : {}),
      ...(values['tls-insecure'] ? { rejectUnauthorized: false } : {}),
    };
  }
  const userAgent = text('user-agent');
  const server = text('server');
  if (userAgent) engine.userAgent = userAgent;
  if (server) engine.server = server;
  return engine;
}

export function exampleArgs(
  name: string,
  summary: string,
  extra: Record<string, ExtraOption> = {},
  options?: { targets?: boolean },
): ExampleArgs {
  const spec = {
    listen: {
      type: 'string',
      multiple: true,
      description:
        'listening point [udp:|tcp:|tls:|ws:|wss:]host:port (repeatable; default 127.0.0.1:5060 on UDP and TCP)',
    },
    ...(options?.targets
      ? {
          target: {
            type: 'string',
            multiple: true,
            description: 'SIP URI to call out to (repeatable, tried in order)',
          },
        }
      : {}),
    'tls-cert': { type: 'string', description: 'PEM certificate (chain) of tls: and wss: listening points' },
    'tls-key': { type: 'string', description: 'PEM private key of that certificate' },
    'tls-ca': {
      type: 'string',
      description:
        'PEM certificates trusted for the TLS/WSS connections this example opens (default: Node CAs)',
    },
    'tls-insecure': {
      type: 'boolean',
      default: false,
      description: 'do not verify the certificates of TLS/WSS peers we connect to (tests only)',
    },
    'user-agent': {
      type: 'string',
      description: 'User-Agent header of the requests it makes (default: none)',
    },
    server: { type: 'string', description: 'Server header of the responses it sends (default: none)' },
    metrics: {
      type: 'string',
      description: 'serve Prometheus metrics at http://[host:]port/metrics (host 127.0.0.1 by default)',
    },
    'drain-timeout': {
      type: 'string',
      default: '30',
      description: 'on SIGTERM/SIGINT: 503 to new calls, seconds for dialogs to end before BYE',
    },
    'log-level': { type: 'string', default: 'info', description: 'pino log level' },
    help: { type: 'boolean', default: false, description: 'show this help' },
    ...extra,
  } as Record<string, ExtraOption>;
  let parsed: { values: Record<string, unknown> };
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: Object.fromEntries(
        Object.entries(spec).map(([k, v]) => [
          k,
          {
            type: v.type,
            multiple: v.multiple ?? false,
            ...(v.default === undefined ? {} : { default: v.default }),
          },
        ]),
      ) as never,
    });
  } catch (err) {
    fail(name, `${(err as Error).message} (--help lists the flags)`);
  }
  const record = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (record.help) {
    console.log(`${name}: ${summary}\n\nflags:`);
    for (const [flag, option] of Object.entries(spec))
      console.log(`  --${flag.padEnd(16)} ${option.description}`);
    process.exit(0);
  }
  const logger = pino({ name, level: String(record['log-level'] ?? 'info') });
  const listen = (record.listen as string[] | undefined) ?? ['127.0.0.1:5060'];
  const targets = (record.target as string[] | undefined) ?? [];
  const drainTimeout = Number(record['drain-timeout']);
  if (!Number.isFinite(drainTimeout) || drainTimeout < 0)
    fail(name, `--drain-timeout: expected seconds (0 or more), got "${record['drain-timeout']}"`);
  return {
    listen,
    targets,
    values: record,
    logger,
    engine: engineFlags(name, record, listen),
    drainTimeout,
    ...metricsFlag(name, record.metrics),
  };
}

function metricsFlag(name: string, value: unknown): { metrics?: { host: string; port: number } } {
  if (typeof value !== 'string') return {};
  const match = /^(?:(.+):)?(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535) fail(name, `--metrics: expected [host:]port, got "${value}"`);
  return { metrics: { host: match[1] ?? '127.0.0.1', port } };
}

/**
 * Serves the Srf's metrics (and Node's process metrics) when `--metrics` was given.
 *
 * @param srf - the started Srf
 * @param args - the parsed flags
 */
export async function serveMetrics(srf: Srf, args: ExampleArgs): Promise<void> {
  if (!args.metrics) return;
  collectDefaultMetrics();
  new SrfMetrics(srf);
  const server = await startMetricsServer(args.metrics);
  args.logger.info({ url: `http://${server.host}:${server.port}/metrics` }, 'metrics listening');
}

/** The `--max-duration` flag of the examples that hold calls. */
export const MAX_DURATION_FLAG: Record<string, ExtraOption> = {
  'max-duration': {
    type: 'string',
    description: 'end each call with BYE after this many seconds (default: calls last until hung up)',
  },
};

/**
 * A flag's value as a positive number of seconds, undefined when not given.
 *
 * @param name - the example, for the error message
 * @param flag - the flag's name, without dashes
 * @param value - what parseArgs read
 * @returns the seconds, or undefined
 */
export function secondsFlag(name: string, flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    fail(name, `--${flag}: expected a positive number of seconds, got "${value}"`);
  return seconds;
}

/** What a signal stops: an Srf (which drains first) or anything with `close()`. */
export interface Stoppable {
  close(): Promise<void>;
  drain?(options: DrainOptions): Promise<DrainResult>;
}

/**
 * Stops the example on SIGINT or SIGTERM: an Srf drains first (new calls and OPTIONS get 503,
 * dialogs get `--drain-timeout` seconds, then BYE), then closes; a second signal closes at once.
 *
 * @param app - the Srf, or another thing to close
 * @param args - the parsed flags (or only a logger: no drain)
 */
export function runUntilSignal(
  app: Stoppable,
  args: Pick<ExampleArgs, 'logger' | 'drainTimeout'> | Logger,
): void {
  const logger = 'drainTimeout' in args ? args.logger : args;
  const drainTimeout = 'drainTimeout' in args ? args.drainTimeout : undefined;
  let stopping = false;
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  const stop = (signal: string) => {
    if (stopping) {
      logger.info({ signal }, 'stopping now');
      close();
      return;
    }
    stopping = true;
    if (!app.drain || drainTimeout === undefined) {
      logger.info({ signal }, 'stopping');
      close();
      return;
    }
    logger.info({ signal, drainTimeout }, 'draining: new calls get 503');
    app.drain({ deadline: Math.round(drainTimeout * 1000) }).then(
      ({ ended }) => {
        logger.info({ ended }, 'drained: stopping');
        close();
      },
      (err: unknown) => {
        logger.error({ err }, 'drain failed: stopping');
        close();
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
