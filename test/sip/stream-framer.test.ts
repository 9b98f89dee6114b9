import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SipRequest } from '../../src/index.js';
import { type Frame, parseMessage, SipParseError, StreamFramer } from '../../src/sip.js';

/** A request with the given body; Content-Length in bytes unless `contentLength` overrides it. */
function message(body = '', options: { callId?: string; extra?: string[]; contentLength?: string[] } = {}) {
  const lengths = options.contentLength ?? [`Content-Length: ${Buffer.byteLength(body)}`];
  const head = [
    'MESSAGE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK74bf9',
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=9fxced76sl',
    'To: <sip:bob@example.com>',
    `Call-ID: ${options.callId ?? '3848276298220188511@192.0.2.1'}`,
    'CSeq: 1 MESSAGE',
    ...(options.extra ?? []),
    ...lengths,
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from(body, 'utf8')]);
}

const CRLF = Buffer.from('\r\n');
const PING = Buffer.from('\r\n\r\n');

/** The frames as comparable values: message bytes as text, pings as 'ping'. */
function show(frames: Frame[]): string[] {
  return frames.map((f) => (f.kind === 'ping' ? 'ping' : f.data.toString('latin1')));
}

function pushAll(framer: StreamFramer, chunks: Buffer[]): string[] {
  return chunks.flatMap((c) => show(framer.push(c)));
}

// The body holds a CRLFCRLF and multi-byte characters: only Content-Length may end it.
const BODY = 'hello\r\n\r\nwörld €';
const M1 = message(BODY, { callId: 'one' });
const M2 = message('', { callId: 'two' });
const M3 = message('x'.repeat(300), { callId: 'three' });

describe('StreamFramer', () => {
  it('returns a complete message as one frame that parses', () => {
    const framer = new StreamFramer();
    const frames = framer.push(M1);
    expect(show(frames)).toEqual([M1.toString('latin1')]);
    expect(framer.pendingBytes).toBe(0);
    const msg = parseMessage((frames[0] as { data: Buffer }).data);
    expect(msg).toBeInstanceOf(SipRequest);
    expect(msg.body).toBe(BODY);
  });

  it('reassembles a message split at every byte position', () => {
    for (let k = 1; k < M1.length; k++) {
      const framer = new StreamFramer();
      expect(show(framer.push(M1.subarray(0, k))), `split at ${k}`).toEqual([]);
      expect(framer.pendingBytes).toBe(k);
      expect(show(framer.push(M1.subarray(k))), `split at ${k}`).toEqual([M1.toString('latin1')]);
      expect(framer.pendingBytes).toBe(0);
    }
  });

  it('reassembles two messages and a keep-alive split at every byte position', () => {
    const stream = Buffer.concat([M1, PING, M2]);
    const expected = [M1.toString('latin1'), 'ping', M2.toString('latin1')];
    for (let k = 0; k <= stream.length; k++) {
      const framer = new StreamFramer();
      expect(pushAll(framer, [stream.subarray(0, k), stream.subarray(k)]), `split at ${k}`).toEqual(expected);
      expect(framer.pendingBytes).toBe(0);
    }
  });

  it('reassembles a stream fed one byte at a time', () => {
    const stream = Buffer.concat([M1, M2, PING, M3, CRLF, M1]);
    const framer = new StreamFramer();
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(pushAll(framer, bytes)).toEqual([
      M1.toString('latin1'),
      M2.toString('latin1'),
      'ping',
      M3.toString('latin1'),
      M1.toString('latin1'),
    ]);
  });

  it('returns every message of a chunk that holds several, keeping a partial one', () => {
    const framer = new StreamFramer();
    const tail = M1.subarray(0, 40);
    expect(show(framer.push(Buffer.concat([M1, M2, M3, tail])))).toEqual(
      [M1, M2, M3].map((m) => m.toString('latin1')),
    );
    expect(framer.pendingBytes).toBe(40);
    expect(show(framer.push(M1.subarray(40)))).toEqual([M1.toString('latin1')]);
  });

  it('frames any chunking of a stream the same way (property)', () => {
    const stream = Buffer.concat([PING, M1, CRLF, M2, PING, PING, M3, M1]);
    const expected = ['ping', M1, M2, 'ping', 'ping', M3, M1].map((m) =>
      typeof m === 'string' ? m : m.toString('latin1'),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 30 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
          expect(pushAll(new StreamFramer(), chunks)).toEqual(expected);
        },
      ),
    );
  });

  describe('RFC 5626 §4.4.1 keep-alives', () => {
    it('reports a CRLFCRLF as one ping', () => {
      const framer = new StreamFramer();
      expect(show(framer.push(PING))).toEqual(['ping']);
      expect(framer.pendingBytes).toBe(0);
    });

    it('reports each CRLFCRLF, between and before messages', () => {
      const framer = new StreamFramer();
      expect(show(framer.push(Buffer.concat([PING, PING, M1, PING, M2])))).toEqual([
        'ping',
        'ping',
        M1.toString('latin1'),
        'ping',
        M2.toString('latin1'),
      ]);
    });

    it('does not report a lone CRLF (the pong)', () => {
      const framer = new StreamFramer();
      expect(show(framer.push(CRLF))).toEqual([]);
      expect(framer.pendingBytes).toBe(0);
      expect(show(framer.push(M1))).toEqual([M1.toString('latin1')]);
      expect(show(framer.push(CRLF))).toEqual([]);
      expect(show(framer.push(M2))).toEqual([M2.toString('latin1')]);
      expect(show(framer.push(Buffer.concat([M1, CRLF, M2, CRLF])))).toEqual([
        M1.toString('latin1'),
        M2.toString('latin1'),
      ]);
    });

    it('reports a CRLFCRLF split across chunks once', () => {
      const framer = new StreamFramer();
      expect(pushAll(framer, [Buffer.from('\r'), Buffer.from('\n\r'), Buffer.from('\n')])).toEqual(['ping']);
      expect(pushAll(framer, [CRLF, CRLF, CRLF])).toEqual(['ping']);
      expect(pushAll(framer, [CRLF])).toEqual(['ping']);
    });
  });

  describe('limits', () => {
    const limits = { maxHeaderBytes: M1.indexOf('\r\n\r\n') + 2, maxBodyBytes: 64 };

    it('accepts a header section of exactly the limit, whole or byte by byte', () => {
      expect(show(new StreamFramer(limits).push(M1))).toEqual([M1.toString('latin1')]);
      const framer = new StreamFramer(limits);
      expect(
        pushAll(
          framer,
          [...M1].map((b) => Buffer.from([b])),
        ),
      ).toEqual([M1.toString('latin1')]);
    });

    it('refuses a complete header section over the limit', () => {
      const framer = new StreamFramer({ ...limits, maxHeaderBytes: limits.maxHeaderBytes - 1 });
      expect(() => framer.push(M1)).toThrow(SipParseError);
    });

    it('refuses an unterminated header section as soon as it exceeds the limit', () => {
      const framer = new StreamFramer({ maxHeaderBytes: 100, maxBodyBytes: 64 });
      const endless = Buffer.from(`MESSAGE sip:bob@example.com SIP/2.0\r\nX-Padding: ${'a'.repeat(200)}`);
      expect(() => {
        for (let i = 0; i < endless.length; i += 10) framer.push(endless.subarray(i, i + 10));
      }).toThrow(SipParseError);
      expect(() => new StreamFramer({ maxHeaderBytes: 100, maxBodyBytes: 64 }).push(endless)).toThrow(
        /header section over 100 bytes/,
      );
    });

    it('refuses a body over the limit before it arrives', () => {
      const bodyLimits = { maxHeaderBytes: 1000, maxBodyBytes: 64 };
      const big = message('y'.repeat(65));
      const head = big.subarray(0, big.indexOf('\r\n\r\n') + 4);
      expect(() => new StreamFramer(bodyLimits).push(head)).toThrow(SipParseError);
      expect(() => new StreamFramer(bodyLimits).push(head)).toThrow(
        /body of 65 bytes over the 64 byte limit/,
      );
      const atLimit = message('y'.repeat(64));
      expect(show(new StreamFramer(bodyLimits).push(atLimit))).toEqual([atLimit.toString('latin1')]);
    });
  });

  describe('Content-Length', () => {
    it.each(['abc', '-1', '1.5', '', '5 5', '+5', '0x10', '12345678901'])(
      'refuses Content-Length %j',
      (value) => {
        const data = message('', { contentLength: [`Content-Length: ${value}`] });
        expect(() => new StreamFramer().push(data)).toThrow(SipParseError);
      },
    );

    it('refuses conflicting Content-Length headers, in long or compact form', () => {
      const twoLong = message('hello', { contentLength: ['Content-Length: 5', 'Content-Length: 4'] });
      expect(() => new StreamFramer().push(twoLong)).toThrow(SipParseError);
      const mixed = message('hello', { contentLength: ['l: 4', 'Content-Length: 5'] });
      expect(() => new StreamFramer().push(mixed)).toThrow(SipParseError);
    });

    it('accepts a repeated equal Content-Length', () => {
      const data = message('hello', { contentLength: ['Content-Length: 5', 'content-length:5'] });
      expect(show(new StreamFramer().push(data))).toEqual([data.toString('latin1')]);
    });

    it('reads the compact form and any spelling', () => {
      for (const line of ['l: 5', 'L:5', 'CONTENT-LENGTH :  05 ', 'Content-Length:\t5']) {
        const data = message('hello', { contentLength: [line] });
        expect(show(new StreamFramer().push(Buffer.concat([data, M2]))), line).toEqual([
          data.toString('latin1'),
          M2.toString('latin1'),
        ]);
      }
    });

    it('ignores a Content-Length in the body or inside another header name', () => {
      const body = 'Content-Length: 999\r\n';
      const data = message(body, { extra: ['X-Content-Length: 999'] });
      expect(show(new StreamFramer().push(Buffer.concat([data, M2])))).toEqual([
        data.toString('latin1'),
        M2.toString('latin1'),
      ]);
    });

    it('takes a missing Content-Length as an empty body: what follows is the next message', () => {
      const bare = message('', { contentLength: [] });
      const framer = new StreamFramer();
      const frames = framer.push(Buffer.concat([bare, M2]));
      expect(show(frames)).toEqual([bare.toString('latin1'), M2.toString('latin1')]);
      expect(parseMessage((frames[0] as { data: Buffer }).data).payload.length).toBe(0);
    });

    it('frames messages with bare LF line endings', () => {
      const lf = Buffer.from(
        'OPTIONS sip:bob@example.com SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\nContent-Length: 3\n\nabc',
      );
      expect(show(new StreamFramer().push(Buffer.concat([lf, M2])))).toEqual([
        lf.toString('latin1'),
        M2.toString('latin1'),
      ]);
    });
  });

  describe('memory', () => {
    it('returns frames that do not share memory with the chunks pushed', () => {
      const chunk = Buffer.concat([M1, M2]);
      const framer = new StreamFramer();
      const frames = framer.push(chunk);
      chunk.fill(0x58); // the caller reuses its receive buffer
      framer.push(Buffer.from('X'.repeat(10)));
      expect(show(frames)).toEqual([M1.toString('latin1'), M2.toString('latin1')]);
    });

    it('keeps pending bytes intact when the caller reuses its receive buffer', () => {
      // net.Socket's `onread` option hands every read in the same buffer.
      const receive = Buffer.alloc(M1.length);
      const framer = new StreamFramer();
      const half = Math.floor(M1.length / 2);
      M1.copy(receive, 0, 0, half);
      expect(framer.push(receive.subarray(0, half))).toEqual([]);
      M1.copy(receive, 0, half);
      expect(show(framer.push(receive.subarray(0, M1.length - half)))).toEqual([M1.toString('latin1')]);
    });

    it('keeps the partial message after complete ones intact when the buffer is reused', () => {
      const receive = Buffer.concat([M2, M1.subarray(0, 50)]);
      const framer = new StreamFramer();
      expect(show(framer.push(receive))).toEqual([M2.toString('latin1')]);
      receive.fill(0x21);
      M1.copy(receive, 0, 50);
      expect(show(framer.push(receive.subarray(0, M1.length - 50)))).toEqual([M1.toString('latin1')]);
    });
  });
});
