// Bytes a transaction keeps to answer retransmissions for up to 64·T1 on an unreliable transport
// (RFC 3261 §17.2.2 Timer J: the final response of a non-INVITE server transaction; §17.2.1
// Timer H: a non-2xx final to an INVITE; §17.1.1.2 Timer D: the ACK of a non-2xx final).
//
// A serialized message is a slice of Node's shared 8 KiB buffer pool (`Buffer.allocUnsafe`), cut
// between the messages sent just before and after it, which die at once. Kept for 32 s, one slice
// pins its whole slab: measured on the UAS example, 12,000 lingering BYE transactions held 1,722
// slabs (13.9 MB, 1.16 KiB a call) for 4.2 MB of bytes. Copied here instead, the kept bytes share
// slabs only with other kept bytes, which are let go within the same 32 s, so a slab is freed
// soon after its last message is.

// A slab holds about 180 typical final responses; at a call a second it is full in three minutes
// and freed 32 s later, so little is held at low rates either.
const SLAB_SIZE = 64 * 1024;
// A message larger than this gets a buffer of its own rather than wasting a slab's tail.
const MAX_SHARED = 4 * 1024;

let slab = Buffer.allocUnsafeSlow(0);
let used = 0;

/**
 * @internal A copy of `data` to keep until the transaction ends, in memory shared only with
 * other such copies.
 *
 * @param data - bytes just sent, to be resent on a retransmitted request
 * @returns the same bytes, outside Node's shared pool
 */
export function keepToResend(data: Buffer): Buffer {
  const size = data.length;
  if (size > MAX_SHARED) {
    const own = Buffer.allocUnsafeSlow(size);
    data.copy(own);
    return own;
  }
  if (used + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    used = 0;
  }
  const kept = slab.subarray(used, used + size);
  data.copy(kept);
  used += size;
  return kept;
}
