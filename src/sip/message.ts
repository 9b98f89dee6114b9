// The message model: SipMessage (headers, body, serialization), SipRequest and SipResponse.
import type { SipMessage } from './sip-message.js';
import type { SipRequest } from './sip-request.js';
import type { SipResponse } from './sip-response.js';

export type {
  ContentType,
  ParsedHeader,
  ParsedHeaders,
  RAck,
  SessionExpires,
} from './header-parsers.js';
export { parseNumber } from './header-parsers.js';
export { type HeaderField, type HeaderInit, type HeaderValue, SipMessage } from './sip-message.js';
export { SipRequest } from './sip-request.js';
export { SipResponse } from './sip-response.js';

/**
 * Whether a message is a request, narrowing its type.
 *
 * @param message - a message, e.g. what {@link parseMessage} returned
 * @returns `true` for a request
 * @example
 * ```ts
 * import { isRequest, parseMessage } from 'rxsip/sip';
 *
 * declare const datagram: Buffer;
 * const message = parseMessage(datagram);
 * if (isRequest(message)) console.log(message.method, message.uri);
 * ```
 */
export function isRequest(message: SipMessage): message is SipRequest {
  return message.type === 'request';
}

/**
 * Whether a message is a response, narrowing its type.
 *
 * @param message - a message, e.g. what {@link parseMessage} returned
 * @returns `true` for a response
 * @example
 * ```ts
 * import { isResponse, parseMessage } from 'rxsip/sip';
 *
 * declare const datagram: Buffer;
 * const message = parseMessage(datagram);
 * if (isResponse(message)) console.log(message.status, message.reason);
 * ```
 */
export function isResponse(message: SipMessage): message is SipResponse {
  return message.type === 'response';
}
