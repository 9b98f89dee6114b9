import type { SipResponse } from '../sip/message.js';
import { reasonPhrase } from '../sip/status-reasons.js';

/**
 * A SIP failure: a non-2xx final response to a request rxsip sent, or a call that ended
 * before it was answered (487 when cancelled). `res` is the response, when there was one.
 */
export class SipError extends Error {
  override readonly name = 'SipError';
  readonly reason: string;

  constructor(
    readonly status: number,
    reason?: string,
    readonly res?: SipResponse,
  ) {
    super(`Sip non-success response: ${status}`);
    this.reason = reason ?? reasonPhrase(status);
  }
}
