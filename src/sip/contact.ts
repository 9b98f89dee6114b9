import type { SipMessage } from './sip-message.js';

/**
 * The URI of the first Contact of a message (a dialog's remote target, RFC 3261 §12.1), or
 * `undefined` when there is none or it cannot be read.
 *
 * @param message - the request or response whose Contact is read
 * @returns the URI text, without the angle brackets
 * @example
 * ```ts
 * import { firstContactUri, type SipResponse } from 'rxsip/sip';
 *
 * declare const response: SipResponse;
 * const target = firstContactUri(response); // 'sip:bob@192.0.2.4:5060'
 * ```
 */
export function firstContactUri(message: SipMessage): string | undefined {
  const contact = message.tryParsedHeader('contact');
  return Array.isArray(contact) ? contact[0]?.uri : undefined;
}
