import { asyncScheduler, firstValueFrom, from, type SchedulerLike, throwError, timeout } from 'rxjs';
import { z } from 'zod';
import { describeIssue } from '../engine/embedded-engine.js';
import type { Binding } from './binding.js';
import type { BindingChange, LocationStore } from './location-store.js';

/**
 * The one Redis command the store needs of a client: `sendCommand(['GET', key])`. node-redis
 * (`redis` 4 and 5) clients have it as they are; for ioredis pass
 * `{ sendCommand: ([name, ...args]) => client.call(name, ...args) }`. rxsip does not depend on
 * either: the application makes, connects and closes its client.
 */
export interface RedisCommands {
  /**
   * Sends one command.
   *
   * @param args - the command and its arguments, e.g. `['GET', 'rxsip:location:sip:alice@example.com']`
   * @returns the reply: a string, a number, `null`, an array
   */
  sendCommand(args: string[]): Promise<unknown>;
}

/** How a {@link RedisLocationStore} reaches Redis. */
export interface RedisLocationStoreOptions {
  /** A connected client (node-redis's as is; see {@link RedisCommands}). */
  client: RedisCommands;
  /** The prefix of every key (default `rxsip:location:`): one key per address of record. */
  prefix?: string;
  /**
   * The clock bindings expire on (`now()`: every node must agree, as NTP makes it) and the
   * scheduler of the command deadline; a TestScheduler in tests.
   */
  scheduler?: SchedulerLike;
  /** A command with no reply by then fails, so a registration gets 503 instead of waiting (ms, default 2000). */
  commandTimeout?: number;
  /** How often an update raced by another node's is tried again before failing (default 8). */
  maxRetries?: number;
}

const schema = z.strictObject({
  client: z.custom<RedisCommands>(
    (v) => typeof v === 'object' && v !== null && typeof (v as RedisCommands).sendCommand === 'function',
    'a Redis client with sendCommand(args)',
  ),
  prefix: z.string().optional(),
  scheduler: z
    .custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && 'schedule' in v, 'an RxJS scheduler')
    .optional(),
  commandTimeout: z.number().int().positive().optional(),
  maxRetries: z.number().int().nonnegative().optional(),
});

// Compare-and-set of one AOR's record: written only if nobody changed it since we read it, with
// a TTL (Redis's own expiry) reaching past its last binding's. 1: written, 0: raced.
const CAS = `local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

// Redis deletes a record this long after its last binding expired: a node whose clock is a
// little behind still finds it, and filters it by expiresAt itself.
const GRACE_MS = 5000;

/** A record that does not read as bindings is treated as empty (and overwritten), never thrown. */
function readRecord(raw: unknown): Binding[] {
  if (typeof raw !== 'string' || raw === '') return [];
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value)
      ? value.filter(
          (b): b is Binding =>
            typeof b === 'object' &&
            b !== null &&
            typeof b.contact === 'string' &&
            typeof b.expiresAt === 'number',
        )
      : [];
  } catch {
    return [];
  }
}

/**
 * A location store in Redis, so that several registrar nodes share their bindings: a user
 * registered on one is found by the others. One key per address of record holds its bindings
 * (JSON); an update reads it and writes it back with a compare-and-set script, tried again when
 * another node wrote in between. Expiry works across nodes: every binding carries its expiry
 * time and no node returns an expired one, and Redis deletes a key (its TTL) once its last
 * binding has expired.
 *
 * While Redis is unreachable every call rejects (after `commandTimeout` at most), so the
 * registrar answers 503; the client's own reconnection brings it back. Give node-redis
 * `disableOfflineQueue: true` so commands fail at once instead of waiting for the connection.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisLocationStore, Registrar } from 'rxsip';
 *
 * const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
 * client.on('error', (err) => console.warn('redis:', err.message));
 * await client.connect();
 * const registrar = new Registrar({ domains: ['example.com'], store: new RedisLocationStore({ client }) });
 * ```
 */
export class RedisLocationStore implements LocationStore {
  private readonly client: RedisCommands;
  private readonly prefix: string;
  private readonly scheduler: SchedulerLike;
  private readonly commandTimeout: number;
  private readonly maxRetries: number;

  /**
   * @param options - the client, key prefix, clock, command deadline, retries
   * @throws TypeError naming a bad option
   */
  constructor(options: RedisLocationStoreOptions) {
    const result = schema.safeParse(options);
    if (!result.success) throw new TypeError(describeIssue('redis location store', result.error.issues[0]));
    this.client = options.client;
    this.prefix = options.prefix ?? 'rxsip:location:';
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.commandTimeout = options.commandTimeout ?? 2000;
    this.maxRetries = options.maxRetries ?? 8;
  }

  /**
   * The scheduler's clock.
   *
   * @returns ms
   */
  now(): number {
    return this.scheduler.now();
  }

  /**
   * The bindings of an AOR that have not expired.
   *
   * @param aor - the address of record
   * @returns its bindings; rejects when Redis does not answer
   */
  async lookup(aor: string): Promise<Binding[]> {
    const now = this.now();
    return readRecord(await this.command(['GET', this.prefix + aor])).filter((b) => b.expiresAt > now);
  }

  /**
   * Changes an AOR's bindings with a compare-and-set, tried again when another node wrote first.
   *
   * @param aor - the address of record
   * @param change - the new bindings given the current ones
   * @returns the bindings stored; rejects when Redis does not answer or the races go on
   */
  async update(aor: string, change: BindingChange): Promise<Binding[]> {
    const key = this.prefix + aor;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      const raw = await this.command(['GET', key]);
      const now = this.now();
      const current = readRecord(raw).filter((b) => b.expiresAt > now);
      const next = change(current);
      if (!next) return current;
      const last = Math.max(0, ...next.map((b) => b.expiresAt));
      const ttl = Math.max(1, Math.ceil(last - now + GRACE_MS));
      const value = next.length === 0 ? '' : JSON.stringify(next);
      const old = typeof raw === 'string' ? raw : '';
      const written = await this.command(['EVAL', CAS, '1', key, old, value, String(ttl)]);
      if (Number(written) === 1) return [...next];
    }
    throw new Error(`redis location store: ${aor} kept changing under ${this.maxRetries + 1} attempts`);
  }

  /**
   * Nothing to stop: the client is the application's to close.
   *
   * @returns a promise that resolves at once
   */
  async close(): Promise<void> {}

  private command(args: string[]): Promise<unknown> {
    return firstValueFrom(
      from(this.client.sendCommand(args)).pipe(
        timeout({
          first: this.commandTimeout,
          scheduler: this.scheduler,
          with: () =>
            throwError(() => new Error(`redis: no reply to ${args[0]} within ${this.commandTimeout} ms`)),
        }),
      ),
    );
  }
}
