// drachtio's framing: a TCP or TLS stream of `<decimal byte length>#<payload>` frames, the length
// counting the UTF-8 bytes of the payload (drachtio-server >= 0.9, drachtio-srf >= 5).

/** Why a stream of frames cannot be read on: it cannot be resynchronised, so its connection closes. */
export class FrameError extends Error {
  /**
   * @param kind - `malformed`: the length prefix is not a positive decimal number followed by `#`;
   *   `oversized`: the frame announces more bytes than the limit allows
   * @param message - what was wrong, with the bytes' beginning
   */
  constructor(
    readonly kind: 'malformed' | 'oversized',
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/**
 * A frame of the drachtio wire protocol: the payload's UTF-8 byte length, `#`, the payload.
 *
 * @param payload - the message (`<id>|<type>|...`)
 * @returns the frame's text
 */
export function encodeFrame(payload: string): string {
  return `${Buffer.byteLength(payload, 'utf8')}#${payload}`;
}

const HASH = 0x23;

function preview(bytes: Buffer): string {
  return JSON.stringify(bytes.toString('latin1', 0, Math.min(bytes.length, 40)));
}

/**
 * Cuts a byte stream into the payloads of drachtio frames. A length prefix that is not a positive
 * decimal number, or one above `maxFrameBytes`, throws {@link FrameError}: the stream cannot be
 * read on. What it holds between calls is at most one frame.
 */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly maxDigits: number;

  /** @param maxFrameBytes - the largest payload accepted, in bytes */
  constructor(private readonly maxFrameBytes: number) {
    this.maxDigits = String(maxFrameBytes).length;
  }

  /** Bytes held for a frame not yet complete. */
  get pending(): number {
    return this.buffer.length;
  }

  /**
   * Takes the next bytes of the stream and returns the payloads completed by them, in order.
   *
   * @param chunk - bytes as they arrived
   * @returns the complete payloads, as text
   */
  push(chunk: Buffer): string[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const payloads: string[] = [];
    let offset = 0;
    for (;;) {
      const rest = this.buffer.length - offset;
      if (rest === 0) break;
      const window = Math.min(rest, this.maxDigits + 1);
      let hash = -1;
      for (let i = 0; i < window; i++) {
        const byte = this.buffer[offset + i] as number;
        if (byte === HASH) {
          hash = i;
          break;
        }
        if (byte < 0x30 || byte > 0x39) {
          throw new FrameError(
            'malformed',
            `frame length is not a decimal number: ${preview(this.buffer.subarray(offset))}`,
          );
        }
      }
      if (hash < 0) {
        if (rest <= this.maxDigits) break;
        throw new FrameError(
          'oversized',
          `frame length has more than ${this.maxDigits} digits (limit ${this.maxFrameBytes} bytes): ${preview(this.buffer.subarray(offset))}`,
        );
      }
      if (hash === 0)
        throw new FrameError('malformed', `frame without a length: ${preview(this.buffer.subarray(offset))}`);
      const length = Number(this.buffer.toString('latin1', offset, offset + hash));
      if (length === 0) throw new FrameError('malformed', 'frame of length 0');
      if (length > this.maxFrameBytes)
        throw new FrameError(
          'oversized',
          `frame of ${length} bytes is over the limit of ${this.maxFrameBytes}`,
        );
      const start = offset + hash + 1;
      if (this.buffer.length - start < length) break;
      payloads.push(this.buffer.toString('utf8', start, start + length));
      offset = start + length;
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
    return payloads;
  }
}
