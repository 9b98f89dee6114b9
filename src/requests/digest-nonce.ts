import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a nonce a client sent back turns out to be. */
export type NonceCheck =
  /** One we issued, still within its lifetime. */
  | { kind: 'fresh'; issuedAt: number; expiresAt: number }
  /** One we issued whose lifetime is over: the answer is a challenge with `stale=true`. */
  | { kind: 'expired'; issuedAt: number }
  /** Not one of ours (or of a node sharing the secret), or issued in the future. */
  | { kind: 'forged' };

const STAMP = 8;
const SALT = 8;
const MAC = 16;
const LENGTH = STAMP + SALT + MAC;
// Nodes sharing a secret may disagree on the time a little: a nonce from up to this far in the
// future is taken as fresh, anything later as forged.
const CLOCK_SKEW_MS = 30_000;

/**
 * Nonces the server can check without keeping them (RFC 7616 §5.4: "a nonce might, for
 * example, be constructed as the base 64 encoding of time-stamp H(time-stamp ":" ETag ":"
 * secret-data)"): the issue time in ms, 8 random bytes, and an HMAC-SHA-256 of both and the
 * realm under the secret, base64url. Several nodes with one secret check each other's nonces.
 *
 * @internal
 */
export class NonceIssuer {
  /**
   * @param secret - the HMAC key
   * @param realm - bound into every nonce: one realm's nonce is refused in another
   * @param lifetimeMs - how long a nonce is fresh
   */
  constructor(
    private readonly secret: Buffer,
    private readonly realm: string,
    private readonly lifetimeMs: number,
  ) {}

  private mac(head: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(head).update(this.realm).digest().subarray(0, MAC);
  }

  /**
   * A new nonce, stamped `now`.
   *
   * @param now - the time in ms
   * @returns the nonce, 43 base64url characters
   */
  issue(now: number): string {
    const head = Buffer.alloc(STAMP + SALT);
    head.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(now))));
    randomBytes(SALT).copy(head, STAMP);
    return Buffer.concat([head, this.mac(head)]).toString('base64url');
  }

  /**
   * Checks a nonce a client sent back: its MAC, then its age.
   *
   * @param nonce - the `nonce` of the credentials
   * @param now - the time in ms
   * @returns fresh (with its issue and expiry times), expired, or forged
   */
  check(nonce: string, now: number): NonceCheck {
    const bytes = /^[A-Za-z0-9_-]{43}$/.test(nonce) ? Buffer.from(nonce, 'base64url') : undefined;
    if (bytes?.length !== LENGTH) return { kind: 'forged' };
    const head = bytes.subarray(0, STAMP + SALT);
    if (!timingSafeEqual(bytes.subarray(STAMP + SALT), this.mac(head))) return { kind: 'forged' };
    const issuedAt = Number(head.readBigUInt64BE());
    if (issuedAt > now + CLOCK_SKEW_MS) return { kind: 'forged' };
    const expiresAt = issuedAt + this.lifetimeMs;
    return now < expiresAt ? { kind: 'fresh', issuedAt, expiresAt } : { kind: 'expired', issuedAt };
  }
}
