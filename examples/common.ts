// Conventions shared by the examples: --listen (repeatable; a udp:/tcp:/tls:/ws: prefix narrows
// it), --target (repeatable), --help, pino logs, a clean stop on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { type Logger, pino } from 'pino';

interface ExtraOption {
  type: 'string' | 'boolean';
  default?: string | boolean;
  multiple?: boolean;
  description: string;
}

export interface ExampleArgs {
  listen: string[];
  targets: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  logger: Logger;
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
        'listening point [udp:|tcp:|tls:|ws:]host:port (repeatable; default 127.0.0.1:5060 on UDP and TCP)',
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
    'log-level': { type: 'string', default: 'info', description: 'pino log level' },
    help: { type: 'boolean', default: false, description: 'show this help' },
    ...extra,
  } as Record<string, ExtraOption>;
  const { values } = parseArgs({
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
  const record = values as Record<string, string | boolean | string[] | undefined>;
  if (record.help) {
    console.log(`${name}: ${summary}\n\nflags:`);
    for (const [flag, option] of Object.entries(spec))
      console.log(`  --${flag.padEnd(12)} ${option.description}`);
    process.exit(0);
  }
  const logger = pino({ name, level: String(record['log-level'] ?? 'info') });
  const listen = (record.listen as string[] | undefined) ?? ['127.0.0.1:5060'];
  const targets = (record.target as string[] | undefined) ?? [];
  return { listen, targets, values: record, logger };
}

export function runUntilSignal(app: { close(): Promise<void> }, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
