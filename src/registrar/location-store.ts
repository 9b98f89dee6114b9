import type { Binding } from './binding.js';

/**
 * A change to one address of record's bindings, given the bindings that have not expired: the
 * new list, or `undefined` to leave them as they are. It may be called more than once for one
 * update (a store that retries a write another node raced), so it must be pure.
 */
export type BindingChange = (current: readonly Binding[]) => readonly Binding[] | undefined;

/**
 * Where a registrar keeps its bindings (RFC 3261 §10.3's location service): in memory
 * ({@link MemoryLocationStore}), in Redis ({@link RedisLocationStore}) so that several nodes
 * share them, or anywhere an application implements these four members. Every method is
 * asynchronous; a store that cannot answer (its database is down) rejects, and the registrar
 * answers 503 with Retry-After.
 *
 * Expiry is the store's: it never returns a binding whose `expiresAt` has passed on its clock.
 *
 * @example
 * ```ts
 * import { MemoryLocationStore, type LocationStore } from 'rxsip';
 *
 * const store: LocationStore = new MemoryLocationStore({ maxBindings: 100_000 });
 * const bindings = await store.lookup('sip:alice@example.com');
 * console.log(bindings.map((b) => b.contact));
 * ```
 */
export interface LocationStore {
  /**
   * The store's clock, in ms: what `expiresAt` is measured on.
   *
   * @returns the time now
   */
  now(): number;
  /**
   * The bindings of an address of record that have not expired.
   *
   * @param aor - the address of record, canonical (`sip:alice@example.com`)
   * @returns its bindings, in no particular order
   */
  lookup(aor: string): Promise<Binding[]>;
  /**
   * Changes an address of record's bindings atomically: no other update of the same AOR, on
   * this node or another, comes between reading and writing them.
   *
   * @param aor - the address of record, canonical
   * @param change - the new bindings given the current ones, or `undefined` for no change
   * @returns the bindings stored once the update is done (the current ones when unchanged)
   */
  update(aor: string, change: BindingChange): Promise<Binding[]>;
  /**
   * Stops what the store runs itself (expiry timers); a Redis client stays the application's.
   *
   * @returns a promise that resolves once stopped
   */
  close(): Promise<void>;
}

/** A store that keeps no more bindings than its limit refuses an update that would add more. */
export class LocationStoreFullError extends Error {
  /**
   * @param limit - the most bindings the store keeps
   */
  constructor(
    /** The most bindings the store keeps. */
    readonly limit: number,
  ) {
    super(`location store full: ${limit} bindings`);
    this.name = 'LocationStoreFullError';
  }
}
