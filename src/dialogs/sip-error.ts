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
    // drachtio-srf's message, and the reason when it says more than the status's phrase.
    const phrase = reason ?? reasonPhrase(status);
    super(`Sip non-success response: ${status}${phrase !== reasonPhrase(status) ? ` (${phrase})` : ''}`);
    this.reason = phrase;
  }
}
