import { SipParseError } from './errors.js';
import { findHeaderEnd } from './parser.js';

/** How much of a TCP, TLS or WebSocket stream a {@link StreamFramer} holds before it gives up. */
export interface FramerLimits {
  /** Largest header section accepted, in bytes. */
  maxHeaderBytes: number;
  /** Largest body accepted, in bytes. */
  maxBodyBytes: number;
}

/** The limits the stack's stream transports use: a 16 KiB header section, a 256 KiB body. */
export const DEFAULT_FRAMER_LIMITS: FramerLimits = { maxHeaderBytes: 16 * 1024, maxBodyBytes: 256 * 1024 };

/** A complete message's bytes, or an RFC 5626 §4.4.1 keep-alive ping (CRLFCRLF) to answer with CRLF. */
export type Frame = { kind: 'message'; data: Buffer } | { kind: 'ping' };

const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gim;

function contentLength(head: string): number {
  let found: number | undefined;
  for (const match of head.matchAll(CONTENT_LENGTH)) {
    const text = (match[1] ?? '').trim();
    if (!/^\d{1,10}$/.test(text)) throw new SipParseError(`stream framing: bad Content-Length "${text}"`);
    const value = Number(text);
    if (found !== undefined && found !== value)
      throw new SipParseError('stream framing: conflicting Content-Length headers');
    found = value;
  }
  // RFC 3261 §18.3 requires Content-Length on streams; without it, assume no body.
  return found ?? 0;
}

/**
 * Cuts a TCP/TLS byte stream into SIP messages by Content-Length (RFC 3261 §18.3).
 * CRLFs between messages are keep-alives (RFC 5626 §4.4.1): a double CRLF is reported as a
 * ping. A header section or body beyond the limits throws {@link SipParseError}: the
 * connection cannot be resynchronised and must be closed.
 *
 * @example
 * ```ts
 * import { createConnection } from 'node:net';
 * import { parseMessage, StreamFramer } from 'rxsip/sip';
 *
 * const socket = createConnection({ host: '192.0.2.4', port: 5060 });
 * const framer = new StreamFramer();
 * socket.on('data', (chunk: Buffer) => {
 *   for (const frame of framer.push(chunk)) {
 *     if (frame.kind === 'ping') socket.write('\r\n'); // RFC 5626 §4.4.1 pong
 *     else console.log(parseMessage(frame.data).startLine);
 *   }
 * });
 * ```
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private newlines = 0;

  /** @param limits - the largest header section and body accepted; {@link DEFAULT_FRAMER_LIMITS} when omitted */
  constructor(private readonly limits: FramerLimits = DEFAULT_FRAMER_LIMITS) {}

  /** Bytes held waiting for the rest of a message. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  /**
   * Takes the next bytes read from the stream and returns every message (and keep-alive ping)
   * they complete; a partial message is held until the rest arrives.
   *
   * @param chunk - bytes as read from the socket; the framer copies what it holds past the call
   * @returns the complete frames, in stream order, possibly none
   * @throws {@link SipParseError} when a header section or body is over the limits, or
   *   Content-Length is bad: the connection must then be closed
   */
  push(chunk: Buffer): Frame[] {
    // The caller may reuse `chunk` for its next read (net.Socket's `onread` does): bytes held
    // past this call are copied unless they are already in a buffer of our own.
    const owned = this.buffer.length > 0;
    this.buffer = owned ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Frame[] = [];
    for (;;) {
      let i = 0;
      const buf = this.buffer;
      while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) {
        if (buf[i] === 0x0a && ++this.newlines === 2) {
          frames.push({ kind: 'ping' });
          this.newlines = 0;
        }
        i++;
      }
      if (i === buf.length) {
        this.buffer = Buffer.alloc(0);
        return frames;
      }
      if (i > 0) this.newlines = 0;
      const bounds = findHeaderEnd(buf, i);
      if (!bounds) {
        // The header section counts its last CRLF, not the empty line, so a section of exactly
        // the limit may be followed by the empty line's CR before the end is seen.
        if (buf.length - i > this.limits.maxHeaderBytes + 1) {
          throw new SipParseError(
            `stream framing: header section over ${this.limits.maxHeaderBytes} bytes`,
            i,
          );
        }
        this.hold(buf, i, owned);
        return frames;
      }
      const [headEnd, bodyStart] = bounds;
      if (headEnd - i > this.limits.maxHeaderBytes) {
        throw new SipParseError(`stream framing: header section over ${this.limits.maxHeaderBytes} bytes`, i);
      }
      const length = contentLength(buf.toString('latin1', i, headEnd));
      if (length > this.limits.maxBodyBytes) {
        throw new SipParseError(
          `stream framing: body of ${length} bytes over the ${this.limits.maxBodyBytes} byte limit`,
          i,
        );
      }
      const end = bodyStart + length;
      if (buf.length < end) {
        this.hold(buf, i, owned);
        return frames;
      }
      // Copy out, so a retained message does not pin the whole receive buffer.
      frames.push({ kind: 'message', data: Buffer.from(buf.subarray(i, end)) });
      this.buffer = buf.subarray(end);
      this.newlines = 0;
    }
  }

  private hold(buf: Buffer, from: number, owned: boolean): void {
    const rest = from > 0 ? buf.subarray(from) : buf;
    this.buffer = owned ? rest : Buffer.from(rest);
  }
}
