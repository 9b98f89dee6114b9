import type { SipRequest } from '../sip/message.js';
import { uriOf } from '../sip/name-addr.js';
import { isSipUri, parseUri, type SipUri, type Uri } from '../sip/uri.js';

// A target written `host[:port]`, or without a scheme, is a SIP URI's host (drachtio-srf's targets).
function isBare(text: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(text) || /^[^:]+:\d+$/.test(text);
}

/**
 * Where a request goes first (RFC 3261 §8.1.2): the outbound proxy, else the first Route, else
 * the Request-URI; `undefined` when that is no SIP URI. The Route's and the Request-URI's
 * parses are the request's own, made on receipt or when it was built: none is parsed again.
 *
 * @param request - the request to send
 * @param proxy - an outbound proxy, a SIP URI or `host[:port]`
 * @returns the next hop's URI, for RFC 3263 resolution
 */
export function nextHop(request: SipRequest, proxy: string | undefined): SipUri | undefined {
  const route = proxy === undefined ? request.getParsedHeader('route')?.[0] : undefined;
  const text = proxy ?? route?.uri ?? request.uri;
  let uri: Uri;
  try {
    if (isBare(text)) uri = parseUri(`sip:${text}`);
    else if (route) uri = uriOf(route);
    else uri = text === request.uri ? request.requestUri : parseUri(text);
  } catch {
    return undefined;
  }
  return isSipUri(uri) ? uri : undefined;
}
