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

export function newBranch(): string {
  return MAGIC_COOKIE + randomHex(10);
}

export function newTag(): string {
  return randomHex(6);
}

export function newCallId(): string {
  return randomHex(12);
}

export function randomToken(bytes = 8): string {
  return randomHex(bytes);
}
