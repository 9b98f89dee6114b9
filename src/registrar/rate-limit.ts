/** How fast one source address may send REGISTERs: a token bucket per address. */
export interface RateLimit {
  /** REGISTERs per second an address may keep sending (the bucket's refill rate). */
  perSecond: number;
  /** How many it may send at once after a quiet spell (the bucket's size; default twice `perSecond`, at least 1). */
  burst?: number;
  /** The most addresses tracked at once (default 10,000); the least recently seen one is forgotten first. */
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by source address, in a table of bounded size (the least recently seen address
 * leaves first, as a Map keeps insertion order). A REGISTER storm from one address is refused
 * once its bucket is empty; others are not affected.
 */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly maxSources: number;

  /**
   * @param limit - rate, burst and table size
   * @param now - the clock, ms
   */
  constructor(
    limit: RateLimit,
    private readonly now: () => number,
  ) {
    this.perMs = limit.perSecond / 1000;
    this.burst = limit.burst ?? Math.max(1, Math.ceil(limit.perSecond * 2));
    this.maxSources = limit.maxSources ?? 10_000;
  }

  /** How many addresses it tracks. */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Takes a token for `address`.
   *
   * @param address - the source IP address
   * @returns 0 when allowed, otherwise the seconds until a token is there (for Retry-After)
   */
  take(address: string): number {
    const now = this.now();
    const known = this.buckets.get(address);
    const bucket = known ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    // Most recently seen last: the first key is the one to forget.
    this.buckets.delete(address);
    this.buckets.set(address, bucket);
    if (!known && this.buckets.size > this.maxSources) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }
}
