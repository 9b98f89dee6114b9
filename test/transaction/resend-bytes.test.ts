import { describe, expect, it } from 'vitest';
import { keepToResend } from '../../src/transaction/resend-bytes.js';

// What a transaction keeps for 32 s must not pin Node's shared 8 KiB pool slabs (where every
// serialized message is cut), or one lingering response holds the dead messages around it.
describe('keepToResend', () => {
  it('copies the bytes out of the shared pool, into slabs holding only kept bytes', () => {
    const sent = [Buffer.from('SIP/2.0 200 OK\r\n\r\n'), Buffer.from('SIP/2.0 486 Busy Here\r\n\r\n')];
    // Small buffers are slices of Node's pool.
    expect(sent[0]?.buffer.byteLength).toBe(Buffer.poolSize);
    const kept = sent.map(keepToResend);
    expect(kept.map(String)).toEqual(sent.map(String));
    expect(kept[0]?.buffer).not.toBe(sent[0]?.buffer);
    expect(kept[0]?.buffer.byteLength).toBe(64 * 1024);
    expect(kept[1]?.buffer).toBe(kept[0]?.buffer);
    // Overwriting the pool slice (Node reuses it) leaves the kept bytes as they were sent.
    sent[0]?.fill(0);
    expect(String(kept[0])).toBe('SIP/2.0 200 OK\r\n\r\n');
  });

  it('gives a large message a buffer of its own', () => {
    const big = Buffer.alloc(20_000, 'a');
    const kept = keepToResend(big);
    expect(kept.equals(big)).toBe(true);
    expect(kept.buffer).not.toBe(big.buffer);
    expect(kept.buffer.byteLength).toBe(20_000);
  });
});
