/**
 * Thrown by the parser and by header accessors when bytes do not form valid SIP.
 * `reason` says what is wrong in words a log reader understands; `offset` is the byte
 * offset into the parsed input where it applies. When the start line and header lines could
 * be read but a value was bad, `partial` holds that message, so a request can still be
 * answered (400) rather than dropped; it is typed `unknown` here so that this module stays
 * below the message model, and readers test it with `instanceof SipRequest`.
 */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  partial?: unknown;

  constructor(
    readonly reason: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? reason : `${reason} (at byte ${offset})`);
  }
}
