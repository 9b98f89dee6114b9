/** What the nonce-count table says of a request's `nc`. */
export type NonceCountCheck =
  /** Higher than any count seen with this nonce: recorded. */
  | 'accepted'
  /** Not above the highest count seen with this nonce: a replay (RFC 7616 §3.4, §5.5). */
  | 'replayed'
  /** The nonce's entry was dropped to keep the table bounded: the client needs a new nonce. */
  | 'forgotten';

interface Entry {
  nc: number;
  issuedAt: number;
  expiresAt: number;
}

/**
 * The highest `nc` seen per nonce (RFC 7616 §3.4: the server "SHOULD" check that nc increases,
 * so a captured Authorization cannot be sent again), in a table bounded by `maxEntries`. An
 * entry goes when its nonce expires; when the table is full the entry used first goes, and every
 * nonce issued no later than it counts as forgotten from then on (so a dropped entry can never
 * let its nonce be replayed: it is answered `stale=true` and the client takes a new one).
 *
 * @internal
 */
export class NonceCounts {
  // Insertion order is the order of first use: the front is what goes first.
  private readonly table = new Map<string, Entry>();
  private forgottenUpTo = Number.NEGATIVE_INFINITY;

  /** @param maxEntries - the most nonces tracked at once */
  constructor(private readonly maxEntries: number) {}

  /** Nonces tracked now. */
  get size(): number {
    return this.table.size;
  }

  /**
   * Records `nc` for `nonce` when it is higher than every count seen with it.
   *
   * @param nonce - the nonce, already checked as fresh
   * @param nc - the nonce count, as a number
   * @param issuedAt - when the nonce was issued (ms)
   * @param expiresAt - when it expires (ms)
   * @param now - the time (ms)
   * @returns accepted, replayed or forgotten
   */
  use(nonce: string, nc: number, issuedAt: number, expiresAt: number, now: number): NonceCountCheck {
    this.dropExpired(now);
    const entry = this.table.get(nonce);
    if (entry) {
      if (nc <= entry.nc) return 'replayed';
      entry.nc = nc;
      return 'accepted';
    }
    if (issuedAt <= this.forgottenUpTo) return 'forgotten';
    while (this.table.size >= this.maxEntries) this.dropFirst();
    this.table.set(nonce, { nc, issuedAt, expiresAt });
    return 'accepted';
  }

  private dropFirst(): void {
    const first = this.table.entries().next().value;
    if (!first) return;
    this.table.delete(first[0]);
    this.forgottenUpTo = Math.max(this.forgottenUpTo, first[1].issuedAt);
  }

  // Entries leave roughly in expiry order from the front; one that lives longer only delays the
  // ones behind it until the bound or its own expiry.
  private dropExpired(now: number): void {
    for (const [nonce, entry] of this.table) {
      if (entry.expiresAt > now) return;
      this.table.delete(nonce);
    }
  }
}
