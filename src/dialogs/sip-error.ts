import type { SipResponse } from '../sip/message.js';
import { reasonPhrase } from '../sip/status-reasons.js';

/**
 * A SIP failure: a non-2xx final response to a request rxsip sent, or a call that ended
 * before it was answered (487 when cancelled). `res` is the response, when there was one.
 *
 * @example
 * ```ts
 * import { SipError, type Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * try {
 *   const dialog = await srf.call('sip:bob@192.0.2.9', { localSdp: 'v=0 ...' });
 *   dialog.ended$.subscribe(() => console.log('call over'));
 * } catch (err) {
 *   if (err instanceof SipError && err.status === 486) console.log('busy:', err.res?.get('Retry-After'));
 *   else throw err;
 * }
 * ```
 */
export class SipError extends Error {
  /** Always `'SipError'`. */
  override readonly name = 'SipError';
  /** The reason phrase: the response's or the one given, else the status's standard phrase. */
  readonly reason: string;

  /**
   * @param status - the final status, 300 to 699 (487 for a cancelled call)
   * @param reason - the reason phrase; the status's standard one when omitted
   * @param res - the response that carried the failure, when one arrived
   */
  constructor(
    /** The final status: 3xx to 6xx, 487 when the call was cancelled, 408 when nothing answered. */
    readonly status: number,
    reason?: string,
    /** The failure response as received (its headers: Retry-After, Warning, Reason), when there was one. */
    readonly res?: SipResponse,
  ) {
    // drachtio-srf's message, and the reason when it says more than the status's phrase.
    const phrase = reason ?? reasonPhrase(status);
    super(`Sip non-success response: ${status}${phrase !== reasonPhrase(status) ? ` (${phrase})` : ''}`);
    this.reason = phrase;
  }
}
