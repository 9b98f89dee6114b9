import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { z } from 'zod';
import { describeIssue } from '../engine/embedded-engine.js';
import type { Binding } from './binding.js';
import { type BindingChange, type LocationStore, LocationStoreFullError } from './location-store.js';

/** How a {@link MemoryLocationStore} keeps bindings. */
export interface MemoryLocationStoreOptions {
  /** The clock bindings expire on, and the expiry timers' scheduler; a TestScheduler in tests. */
  scheduler?: SchedulerLike;
  /** The most bindings kept at once, every AOR together (default 100,000): more are refused. */
  maxBindings?: number;
}

const schema = z.strictObject({
  scheduler: z
    .custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && 'schedule' in v, 'an RxJS scheduler')
    .optional(),
  maxBindings: z.number().int().positive().optional(),
});

interface Entry {
  bindings: Binding[];
  timer: Subscription | undefined;
}

/**
 * The location store of one process: bindings in a Map, each AOR's removed by a timer on the
 * injected scheduler when its last binding expires, at most `maxBindings` of them.
 *
 * @example
 * ```ts
 * import { MemoryLocationStore, Registrar, type Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * const registrar = new Registrar({ domains: ['example.com'], store: new MemoryLocationStore({ maxBindings: 10_000 }) });
 * srf.register$.pipe(registrar.register()).subscribe();
 * ```
 */
export class MemoryLocationStore implements LocationStore {
  private readonly scheduler: SchedulerLike;
  private readonly maxBindings: number;
  private readonly entries = new Map<string, Entry>();
  private count = 0;

  /**
   * @param options - the clock and the limit
   * @throws TypeError naming a bad option
   */
  constructor(options: MemoryLocationStoreOptions = {}) {
    const result = schema.safeParse(options);
    if (!result.success) throw new TypeError(describeIssue('memory location store', result.error.issues[0]));
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.maxBindings = options.maxBindings ?? 100_000;
  }

  /**
   * The scheduler's clock.
   *
   * @returns ms
   */
  now(): number {
    return this.scheduler.now();
  }

  /** How many bindings it holds, every AOR together. */
  get size(): number {
    return this.count;
  }

  /**
   * The bindings of an AOR that have not expired.
   *
   * @param aor - the address of record
   * @returns its bindings
   */
  async lookup(aor: string): Promise<Binding[]> {
    return this.live(aor);
  }

  /**
   * Changes an AOR's bindings (atomic: nothing else runs between the read and the write).
   *
   * @param aor - the address of record
   * @param change - the new bindings given the current ones
   * @returns the bindings stored
   * @throws LocationStoreFullError when the change would hold more than `maxBindings`
   */
  async update(aor: string, change: BindingChange): Promise<Binding[]> {
    const current = this.live(aor);
    const next = change(current);
    if (!next) return current;
    const added = next.length - current.length;
    if (added > 0 && this.count + added > this.maxBindings)
      throw new LocationStoreFullError(this.maxBindings);
    this.set(aor, [...next]);
    return [...next];
  }

  /**
   * Cancels the expiry timers and forgets every binding.
   *
   * @returns a promise that resolves at once
   */
  async close(): Promise<void> {
    for (const entry of this.entries.values()) entry.timer?.unsubscribe();
    this.entries.clear();
    this.count = 0;
  }

  // The unexpired bindings; the expired ones leave the table now rather than at their timer.
  private live(aor: string): Binding[] {
    const entry = this.entries.get(aor);
    if (!entry) return [];
    const now = this.now();
    const live = entry.bindings.filter((b) => b.expiresAt > now);
    if (live.length !== entry.bindings.length) this.set(aor, live);
    return [...live];
  }

  private set(aor: string, bindings: Binding[]): void {
    const entry = this.entries.get(aor);
    entry?.timer?.unsubscribe();
    this.count += bindings.length - (entry?.bindings.length ?? 0);
    if (bindings.length === 0) {
      this.entries.delete(aor);
      return;
    }
    const next = Math.min(...bindings.map((b) => b.expiresAt));
    const timer = this.scheduler.schedule(() => this.live(aor), Math.max(0, next - this.now()));
    this.entries.set(aor, { bindings, timer });
  }
}
