import { createRequest } from '../sip/build.js';
import { headerKey } from '../sip/header-names.js';
import type { HeaderInit, SipRequest } from '../sip/message.js';
import type { AuthProvider } from './digest-client.js';

/**
 * A request sent outside a dialog: the options of `srf.send$(uri, options)` (RFC 3261 §8.1).
 * Headers the application gives (From, To, Call-ID, CSeq included) win over generated ones.
 */
export interface RequestOptions {
  /** The method: OPTIONS, MESSAGE, REGISTER, NOTIFY, ... (any case; sent upper case). */
  method: string;
  /** Headers to add, or to use instead of the generated From, To, Call-ID, CSeq, Max-Forwards. */
  headers?: HeaderInit;
  /** The body; Content-Type comes from `headers`. */
  body?: string | Buffer;
  /** Credentials for a 401/407, answered once (RFC 3261 §22.2). */
  auth?: AuthProvider;
  /** Outbound proxy: a SIP URI or host:port to send to instead of the Request-URI. */
  proxy?: string;
  /** User part of From when From is not given (default `anonymous`). */
  callingNumber?: string;
  /** Display name of From when From is not given. */
  callingName?: string;
}

/**
 * `host[:port]` → `sip:host[:port]`; URIs with a scheme (sip, sips, tel) are kept.
 *
 * @param uri - a URI or `host[:port]`
 * @returns a URI with a scheme
 */
export function normalizeUri(uri: string): string {
  return /^(sips?|tel):/i.test(uri) ? uri : `sip:${uri}`;
}

/**
 * Builds a request outside a dialog from drachtio-srf style options: headers given by the
 * application (From, To, Call-ID, CSeq included) win over generated ones.
 *
 * @param uri - the Request-URI, or `host[:port]`
 * @param options - method, headers, body and From's user and display name
 * @param localHost - the host of the generated From
 * @returns the request, not yet sent
 */
export function buildRequest(uri: string, options: RequestOptions, localHost: string): SipRequest {
  const headers: HeaderInit = {};
  let from: string | undefined;
  let to: string | undefined;
  let callId: string | undefined;
  let cseq: number | undefined;
  let maxForwards: number | undefined;
  for (const name in options.headers) {
    const value = options.headers[name];
    if (value === undefined) continue;
    const key = headerKey(name);
    if (key === 'from') from = String(value);
    else if (key === 'to') to = String(value);
    else if (key === 'call-id') callId = String(value);
    else if (key === 'cseq') cseq = Number.parseInt(String(value), 10);
    else if (key === 'max-forwards') maxForwards = Number(value);
    else headers[name] = value;
  }
  const user = options.callingNumber ?? 'anonymous';
  const display = options.callingName ? `"${options.callingName.replace(/(["\\])/g, '\\$1')}" ` : '';
  const target = normalizeUri(uri);
  const request = createRequest({
    method: options.method.toUpperCase(),
    uri: target,
    from: from ?? `${display}<sip:${user}@${localHost}>`,
    to: to ?? `<${target}>`,
    callId,
    cseq: Number.isFinite(cseq) ? cseq : undefined,
    maxForwards: Number.isFinite(maxForwards) ? maxForwards : undefined,
    headers,
  });
  if (options.body !== undefined) request.body = options.body;
  return request;
}
