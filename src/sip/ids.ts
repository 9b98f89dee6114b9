import { randomFillSync } from 'node:crypto';

// Branches, tags and Call-IDs need to be unique in time and space (RFC 3261 §8.1.1.7, §19.3),
// and are made for every message: draw from a pool of random bytes instead of a syscall each.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const s = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return s;
}

/** RFC 3261 §8.1.1.7: branch parameters begin with the magic cookie `z9hG4bK`. */
export const MAGIC_COOKIE = 'z9hG4bK';

/**
 * A fresh Via branch for a new client transaction: the magic cookie `z9hG4bK` and 20 random hex
 * digits, unique in time and space as RFC 3261 §8.1.1.7 requires. A stateless proxy derives its
 * branch instead; everyone else takes a new one per request (a CANCEL reuses its INVITE's).
 *
 * @returns the branch parameter's value
 * @example
 * ```ts
 * import { newBranch } from 'rxsip/sip';
 *
 * const via = `SIP/2.0/UDP 192.0.2.1:5060;branch=${newBranch()}`;
 * ```
 */
export function newBranch(): string {
  return MAGIC_COOKIE + randomHex(10);
}

/**
 * A fresh random tag for a From or To header (RFC 3261 §19.3): 12 hex digits, one of the three
 * values that identify a dialog.
 *
 * @returns the tag parameter's value
 * @example
 * ```ts
 * import { newTag } from 'rxsip/sip';
 *
 * const from = `<sip:alice@example.com>;tag=${newTag()}`;
 * ```
 */
export function newTag(): string {
  return randomHex(6);
}

/**
 * A fresh random Call-ID (RFC 3261 §8.1.1.4): 24 hex digits, unique across space and time.
 *
 * @returns the Call-ID value
 * @example
 * ```ts
 * import { createRequest, newCallId } from 'rxsip/sip';
 *
 * const callId = newCallId();
 * const register = createRequest({ method: 'REGISTER', uri: 'sip:example.com', from: '<sip:alice@example.com>', callId });
 * ```
 */
export function newCallId(): string {
  return randomHex(12);
}

export function randomToken(bytes = 8): string {
  return randomHex(bytes);
}
