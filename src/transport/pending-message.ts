/**
 * Follows the message a stream framer holds incomplete: when its first byte arrived, for the
 * message deadline, and its first bytes, so that a message refused for its size can still be
 * answered 513 from its start line and Via.
 *
 * The framer holds the last `pendingBytes` bytes it was given, from the start of the incomplete
 * message; comparing what it held before and after a chunk tells whether that message began in
 * the chunk or earlier.
 */
export class PendingMessage {
  /** When the incomplete message's first byte arrived (ms), or undefined when none is held. */
  startedAt: number | undefined;
  private head: Buffer[] = [];
  private headBytes = 0;

  /** @param capture - how many of a message's first bytes to keep */
  constructor(private readonly capture: number) {}

  /** After the framer took `chunk`, holding `before` bytes before it and `after` bytes now. */
  update(chunk: Buffer, before: number, after: number, now: number): void {
    if (after === 0) {
      this.startedAt = undefined;
      this.clear();
    } else if (before > 0 && before + chunk.length === after) {
      this.keep(chunk);
    } else {
      // Something was consumed (a message, CRLFs): the held message began in this chunk.
      this.startedAt = now;
      this.clear();
      this.keep(chunk.subarray(chunk.length - after));
    }
  }

  /**
   * The first bytes of a message of `length` bytes that ends with `chunk` (the one the framer
   * refused): bytes kept from earlier chunks, then the chunk.
   */
  refused(chunk: Buffer, before: number, length: number): Buffer {
    if (length > chunk.length && before > 0)
      return Buffer.concat([...this.head, chunk.subarray(0, Math.max(0, this.capture - this.headBytes))]);
    const start = Math.max(0, chunk.length - length);
    return chunk.subarray(start, start + this.capture);
  }

  /** Marks a message in progress from `now` (a connection closing lingers until then). */
  restart(now: number): void {
    this.startedAt = now;
    this.clear();
  }

  private clear(): void {
    this.head = [];
    this.headBytes = 0;
  }

  private keep(bytes: Buffer): void {
    if (this.headBytes >= this.capture) return;
    // Copied: the socket may reuse its read buffer.
    const part = Buffer.from(bytes.subarray(0, this.capture - this.headBytes));
    this.head.push(part);
    this.headBytes += part.length;
  }
}
