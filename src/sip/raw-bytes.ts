// RFC 3261 §16.6, §18: a message passed on unchanged is sent as it arrived. The bytes a message
// was parsed from, cut out of the datagram or frame only when they are sent.

/** @internal The bytes of a parsed message: `source` from `start` to `end`, and its start line. */
export class RawBytes {
  private cut: Buffer | undefined;

  /**
   * @param source - the datagram or frame the message was parsed from
   * @param start - where the message starts in it
   * @param end - where it ends (the body's last byte, plus one)
   * @param startLine - the start line as the parser read it
   */
  constructor(
    private readonly source: Buffer,
    private readonly start: number,
    private readonly end: number,
    readonly startLine: string,
  ) {}

  /**
   * The message's bytes, a view of the source.
   *
   * @returns the bytes from the start line to the end of the body
   */
  bytes(): Buffer {
    this.cut ??=
      this.start === 0 && this.end === this.source.length
        ? this.source
        : this.source.subarray(this.start, this.end);
    return this.cut;
  }
}
