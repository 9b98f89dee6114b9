// The bytes a 513 is built from: the start of the message the stream framer refused, whether it
// began in the chunk that overflowed or reads before it, and after messages already framed.
import { describe, expect, it } from 'vitest';
import type { SipParseError } from '../../src/sip/errors.js';
import { StreamFramer } from '../../src/sip/stream-framer.js';
import { PendingMessage } from '../../src/transport/pending-message.js';
import { tooLargeResponse } from '../../src/transport/too-large.js';
import { options } from './raw-peer.js';

const LIMITS = { maxHeaderBytes: 1024, maxBodyBytes: 4096 };
const BIG = options('big', 'TCP', [`X-Padding: ${'p'.repeat(3000)}`]);

/** Feeds chunks as a connection does; returns the refused message's first bytes, and when each message began. */
function feed(chunks: string[]): { refused?: string; starts: Array<number | undefined> } {
  const framer = new StreamFramer(LIMITS);
  const pending = new PendingMessage(LIMITS.maxHeaderBytes);
  const starts: Array<number | undefined> = [];
  for (const [now, text] of chunks.entries()) {
    const chunk = Buffer.from(text, 'latin1');
    const before = framer.pendingBytes;
    try {
      framer.push(chunk);
    } catch (err) {
      const length = framer.pendingBytes - ((err as SipParseError).offset ?? 0);
      return { refused: pending.refused(chunk, before, length).toString('latin1'), starts };
    }
    pending.update(chunk, before, framer.pendingBytes, now);
    starts.push(pending.startedAt);
  }
  return { starts };
}

describe('PendingMessage', () => {
  it('finds an oversized message that follows whole ones in the same chunk', () => {
    const { refused } = feed([options('a') + '\r\n\r\n' + options('b') + BIG]);
    expect(refused).toBe(BIG.slice(0, LIMITS.maxHeaderBytes));
    expect(refused).toHaveLength(LIMITS.maxHeaderBytes);
    expect(tooLargeResponse(Buffer.from(refused ?? '', 'latin1'))?.toString()).toMatch(
      /^SIP\/2\.0 513 Message Too Large\r\nVia: [^\r]*branch=z9hG4bKbig\r\n[\s\S]*Call-ID: big\r\n/,
    );
  });

  it('finds an oversized message that began reads earlier, after a whole one', () => {
    const { refused, starts } = feed([options('a') + BIG.slice(0, 100), BIG.slice(100, 600), BIG.slice(600)]);
    expect(starts).toEqual([0, 0]);
    expect(refused).toBe(BIG.slice(0, LIMITS.maxHeaderBytes));
  });

  it('dates a message from the read its first byte came in; none is pending between messages', () => {
    const a = options('a');
    const { starts } = feed([
      '\r\n',
      a.slice(0, 10),
      a.slice(10, 20),
      a.slice(20),
      '\r\n\r\n',
      a.slice(0, 5),
    ]);
    expect(starts).toEqual([undefined, 1, 1, undefined, undefined, 5]);
  });

  it('frames no 513 for a response, an ACK, or a start line alone', () => {
    expect(
      tooLargeResponse(Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 1.2.3.4;branch=z9hG4bK1\r\n')),
    ).toBe(undefined);
    expect(tooLargeResponse(Buffer.from(options('ack').replace(/OPTIONS/g, 'ACK')))).toBe(undefined);
    expect(tooLargeResponse(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nX-Padding: ppppp'))).toBe(undefined);
  });
});
