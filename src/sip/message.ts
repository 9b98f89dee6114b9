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

export function isRequest(message: SipMessage): message is SipRequest {
  return message.type === 'request';
}

export function isResponse(message: SipMessage): message is SipResponse {
  return message.type === 'response';
}
