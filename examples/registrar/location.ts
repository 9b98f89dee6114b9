// The registrar flags the registrar, proxy and b2bua examples share: --domain (whose users
// register here), --users (digest passwords), --redis (bindings shared with other nodes), and the
// registrar made from them.
import type { Logger } from 'pino';
import { createClient } from 'redis';
import { type LocationStore, MemoryLocationStore, RedisLocationStore, Registrar } from '../../src/index.js';
import type { DigestAlgorithm } from '../../src/sip.js';
import { type exampleArgs, fail } from '../common.js';

type Flags = NonNullable<Parameters<typeof exampleArgs>[2]>;

export const REGISTRAR_FLAGS: Flags = {
  domain: {
    type: 'string',
    multiple: true,
    description: 'a domain whose users register here (repeatable); calls to them go to their contacts',
  },
  users: {
    type: 'string',
    description: 'user:password,...: digest authentication of REGISTER (default: anyone may register)',
  },
  redis: {
    type: 'string',
    description: 'redis://host:port: keep bindings in Redis, shared with other nodes (default: in memory)',
  },
  algorithms: {
    type: 'string',
    description: 'digest algorithms offered, strongest first (default SHA-512-256,SHA-256,MD5; MD5 for SIPp)',
  },
  'min-expires': { type: 'string', description: 'shortest registration accepted, seconds (default 60)' },
  'max-contacts': { type: 'string', description: 'most bindings per user (default 10)' },
  'register-rate': {
    type: 'string',
    description: 'REGISTERs a second per source address before 503 (default 20)',
  },
};

function users(name: string, text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of text.split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1)
      fail(name, `--users: expected user:password,..., got "${pair}"`);
    map.set(pair.slice(0, colon), pair.slice(colon + 1));
  }
  return map;
}

function count(name: string, flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(name, `--${flag}: expected a whole number, got "${value}"`);
  return n;
}

async function redisStore(
  name: string,
  url: string,
  log: Logger,
): Promise<{ store: LocationStore; close: () => Promise<void> }> {
  // disableOfflineQueue: while Redis is down a command fails at once (503 to the REGISTER)
  // instead of waiting; node-redis reconnects on its own.
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', (err: Error) => log.warn({ err: err.message }, 'redis'));
  client.on('ready', () => log.info({ url }, 'redis ready'));
  try {
    await client.connect();
  } catch (err) {
    fail(name, `--redis ${url}: ${(err as Error).message}`);
  }
  return { store: new RedisLocationStore({ client }), close: async () => void (await client.close()) };
}

/** The registrar the flags ask for, or undefined without --domain. */
export async function registrarFromFlags(
  name: string,
  values: Record<string, unknown>,
  log: Logger,
): Promise<{ registrar: Registrar; close: () => Promise<void> } | undefined> {
  const domains = values.domain as string[] | undefined;
  if (!domains || domains.length === 0) {
    if (values.redis || values.users) fail(name, '--redis and --users need --domain');
    return undefined;
  }
  const redis = typeof values.redis === 'string' ? await redisStore(name, values.redis, log) : undefined;
  const passwords = typeof values.users === 'string' ? users(name, values.users) : undefined;
  const algorithms =
    typeof values.algorithms === 'string' ? (values.algorithms.split(',') as DigestAlgorithm[]) : undefined;
  const rate = count(name, 'register-rate', values['register-rate']);
  try {
    const registrar = new Registrar({
      domains,
      store: redis?.store ?? new MemoryLocationStore(),
      ...(passwords
        ? {
            auth: {
              realm: domains[0] as string,
              users: (u: string) => passwords.get(u),
              ...(algorithms ? { algorithms } : {}),
            },
          }
        : {}),
      ...(values['min-expires'] !== undefined
        ? { minExpires: count(name, 'min-expires', values['min-expires']) }
        : {}),
      ...(values['max-contacts'] !== undefined
        ? { maxContacts: count(name, 'max-contacts', values['max-contacts']) }
        : {}),
      ...(rate !== undefined ? { rateLimit: rate === 0 ? false : { perSecond: rate } } : {}),
    });
    return {
      registrar,
      close: async () => {
        await registrar.close();
        await redis?.close();
      },
    };
  } catch (err) {
    fail(name, (err as Error).message);
  }
}
