import { defer, from, type Observable, of } from 'rxjs';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import { copyHeaders } from './copy-headers.js';
import type { Dialog } from './dialog.js';
import type { SipError } from './sip-error.js';
import type { UacOptions, UacProgress } from './uac-options.js';

/** An SDP for a leg: text, or a function of the other leg's SDP and response. */
export type SdpTransform = string | ((sdp: string, res: SipResponse) => string | Promise<string>);

/** drachtio-srf's createB2BUA options, and every call option for the B leg. */
export interface B2buaOptions extends Omit<UacOptions, 'localSdp' | 'method' | 'noAck' | 'prack'> {
  /** The SDP for A: text, or a function of B's SDP and response. Default: B's SDP as it is. */
  localSdpA?: SdpTransform;
  /** The SDP offered to B. Default: A's offer. */
  localSdpB?: string;
  /** Headers on every response to A: an object, or a function of B's response and the headers so far. */
  responseHeaders?: HeaderInit | ((res: SipResponse, headers: HeaderInit) => HeaderInit);
  /** Headers copied from A's INVITE to B's: names, or `['all', '-X-Foo']`. */
  proxyRequestHeaders?: string[];
  /** Headers copied from B's responses to A's: names, or `['all', '-X-Foo']`. */
  proxyResponseHeaders?: string[];
  /**
   * Send B's failure to A (default true). With false, A stays unanswered and the failure errors
   * the B2BUA's observable, for the application to try another target or answer A itself.
   */
  passFailure?: boolean;
  /** Relay B's provisional responses to A (default true); reliable ones end to end when A supports 100rel. */
  passProvisionalResponses?: boolean;
}

/**
 * A B2BUA's progress: the B leg's, then `uac` when B answers, then both legs; or, when B
 * failed and its failure went to A, `rejected` with it last.
 */
export type B2buaProgress =
  | UacProgress
  | { type: 'uac'; uac: Dialog }
  | { type: 'connected'; uas: Dialog; uac: Dialog }
  | { type: 'rejected'; error: SipError };

/** drachtio-srf #150: a CANCEL's Reason reaches the B leg. */
export function reasonHeaders(cancel: SipRequest): HeaderInit {
  const headers: HeaderInit = {};
  for (const name of ['Reason', 'X-Reason']) {
    const value = cancel.get(name);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/** The SDP a transform gives for `sdp` (itself when there is no transform). */
export function sdpFor(
  transform: SdpTransform | undefined,
  sdp: string,
  res: SipResponse,
): Observable<string> {
  if (transform === undefined) return of(sdp);
  if (typeof transform === 'string') return of(transform);
  return defer(() => {
    const value = transform(sdp, res);
    return typeof value === 'string' ? of(value) : from(value);
  });
}

/** The headers of a response to A made from B's response: those copied, then `responseHeaders`. */
export function headersForA(options: B2buaOptions, response: SipResponse): HeaderInit {
  const copied = copyHeaders(response, options.proxyResponseHeaders);
  const extra = options.responseHeaders;
  return Object.assign({}, copied, typeof extra === 'function' ? extra(response, copied) : extra);
}
