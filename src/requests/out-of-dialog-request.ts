import { createRequest } from '../sip/build.js';
import { headerKey } from '../sip/header-names.js';
import type { HeaderInit, SipRequest } from '../sip/message.js';
import type { AuthProvider } from './digest-client.js';

export interface RequestOptions {
  method: string;
  headers?: HeaderInit;
  body?: string | Buffer;
  auth?: AuthProvider;
  /** Outbound proxy: a SIP URI or host:port to send to instead of the Request-URI. */
  proxy?: string;
  /** User part of From when From is not given. */
  callingNumber?: string;
  callingName?: string;
}

/** `host[:port]` → `sip:host[:port]`; URIs with a scheme are kept. */
export function normalizeUri(uri: string): string {
  return /^(sips?|tel):/i.test(uri) ? uri : `sip:${uri}`;
}

/**
 * Builds a request outside a dialog from drachtio-srf style options: headers given by the
 * application (From, To, Call-ID, CSeq included) win over generated ones.
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
