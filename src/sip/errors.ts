import type { SipMessage } from './message.js';

/**
 * Thrown by the parser and by header accessors when bytes do not form valid SIP.
 * `reason` says what is wrong in words a log reader understands; `offset` is the byte
 * offset into the parsed input where it applies. When the start line and header lines could
 * be read but a value was bad, `partial` holds that message, so a request can still be
 * answered (400) rather than dropped.
 */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  partial?: SipMessage;

  constructor(
    readonly reason: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? reason : `${reason} (at byte ${offset})`);
  }
}
