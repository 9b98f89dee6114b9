/**
 * Thrown by the parser and by header accessors when bytes do not form valid SIP.
 * `reason` says what is wrong in words a log reader understands; `offset` is the byte
 * offset into the parsed input where it applies. When the start line and header lines could
 * be read but a value was bad, `partial` holds that message, so a request can still be
 * answered (400) rather than dropped; it is typed `unknown` here so that this module stays
 * below the message model, and readers test it with `instanceof SipRequest`.
 *
 * @example
 * ```ts
 * import { parseMessage, SipParseError, SipRequest } from 'rxsip/sip';
 *
 * declare const datagram: Buffer;
 * try {
 *   parseMessage(datagram);
 * } catch (err) {
 *   if (!(err instanceof SipParseError)) throw err;
 *   console.log(`bad SIP: ${err.reason}`);
 *   if (err.partial instanceof SipRequest) console.log('a request: it can still be answered 400');
 * }
 * ```
 */
export class SipParseError extends Error {
  /** Always `'SipParseError'`, for logs and for errors that crossed a realm. */
  override readonly name = 'SipParseError';
  /** The message as far as it could be read (a `SipRequest` or `SipResponse`), when its lines could. */
  partial?: unknown;

  /**
   * @param reason - what is wrong, in words for a log reader
   * @param offset - the byte offset into the parsed input where it applies, when known
   */
  constructor(
    /** What is wrong, in words for a log reader (`CSeq: bad method "IN VITE"`). */
    readonly reason: string,
    /** The byte offset into the parsed input where the fault is, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? reason : `${reason} (at byte ${offset})`);
  }
}
