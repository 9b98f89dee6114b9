import { SipParseError } from './errors.js';
import type { HeaderInit, SipRequest } from './message.js';
import { isSipUri, isTelUri } from './uri.js';

/** What a server answers instead of passing a request on: status and extra headers. */
export interface Rejection {
  status: number;
  reason?: string;
  headers?: HeaderInit;
}

export interface RequestPolicy {
  /** Option tags the element supports; a Require outside this set gets 420 (RFC 3261 §8.2.2.3). */
  supported: readonly string[];
  /**
   * Content types accepted in bodies of INVITE, UPDATE, PRACK and ACK; others get 415 with
   * Accept (RFC 3261 §8.2.3). Other methods' bodies are the application's to judge.
   */
  acceptedSessionTypes: readonly string[];
  /** URI schemes served; others get 416 (RFC 3261 §8.2.2.1). */
  schemes: readonly string[];
}

export const DEFAULT_REQUEST_POLICY: RequestPolicy = {
  supported: ['100rel', 'timer', 'replaces', 'path', 'outbound', 'norefersub', 'gruu'],
  acceptedSessionTypes: ['application/sdp', 'multipart/mixed', 'multipart/alternative', 'multipart/related'],
  schemes: ['sip', 'sips', 'tel'],
};

// RFC 3261 §20: headers that may appear once (RFC 4475 §3.3.8 multi01, §3.3.9 mcl01).
const SINGLETONS = ['call-id', 'cseq', 'from', 'to', 'max-forwards', 'content-length', 'content-type'];
const SESSION_METHODS = new Set(['INVITE', 'UPDATE', 'PRACK', 'ACK']);

/**
 * The checks a SIP server makes before a request reaches the application (RFC 3261 §8.2,
 * the application-layer cases of RFC 4475 §3.3): returns the rejection to send, or
 * `undefined` when the request may go on. An ACK or CANCEL is never answered this way except
 * for a broken header set (a CANCEL with a bad CSeq still gets 400).
 *
 * Max-Forwards 0 is not rejected here: an endpoint serves such a request (RFC 4475 §3.3.11),
 * and only a proxy answers 483.
 */
export function checkRequest(
  request: SipRequest,
  policy: RequestPolicy = DEFAULT_REQUEST_POLICY,
): Rejection | undefined {
  if (request.version.toUpperCase() !== 'SIP/2.0') return { status: 505 };
  for (const key of ['call-id', 'cseq', 'from', 'to', 'via']) {
    if (!request.has(key)) return { status: 400, reason: `Missing ${key === 'cseq' ? 'CSeq' : key} header` };
  }
  for (const key of SINGLETONS) {
    const values = request.getAll(key);
    if (values.length > 1 && values.some((v) => v !== values[0])) {
      return { status: 400, reason: `Conflicting ${key} headers` };
    }
  }
  if (request.cseq.method !== request.method) return { status: 400, reason: 'CSeq method does not match' };
  const uri = request.requestUri;
  if (!policy.schemes.includes(uri.scheme)) return { status: 416 };
  if (isSipUri(uri) && Object.keys(uri.headers).length > 0) {
    return { status: 400, reason: 'Request-URI must not carry headers' };
  }
  if (!isSipUri(uri) && !isTelUri(uri)) return { status: 416 };
  if (request.method === 'ACK' || request.method === 'CANCEL') return undefined;
  let require: string[];
  try {
    require = request.getParsedHeader('require') ?? [];
  } catch (err) {
    if (err instanceof SipParseError) return { status: 400, reason: 'Bad Require header' };
    throw err;
  }
  const unsupported = require.filter((tag) => !policy.supported.includes(tag.toLowerCase()));
  if (unsupported.length > 0) return { status: 420, headers: { Unsupported: unsupported.join(', ') } };
  if (SESSION_METHODS.has(request.method) && request.payload.length > 0) {
    const contentType = request.get('content-type');
    const type = contentType?.split(';')[0]?.trim().toLowerCase();
    if (!type || !policy.acceptedSessionTypes.includes(type)) {
      return { status: 415, headers: { Accept: policy.acceptedSessionTypes.join(', ') } };
    }
    const encoding = request.get('content-encoding')?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      return {
        status: 415,
        headers: { 'Accept-Encoding': 'identity', Accept: policy.acceptedSessionTypes.join(', ') },
      };
    }
  }
  if (request.method === 'INVITE') {
    // RFC 3261 §21.4.7: a request whose Accept excludes what we would answer with gets 406.
    const accept = request.get('accept');
    if (accept !== undefined && accept.trim().length > 0) {
      const types = accept.split(',').map((t) => t.split(';')[0]?.trim().toLowerCase() ?? '');
      const ok = types.some((t) => t === '*/*' || t === 'application/*' || t === 'application/sdp');
      if (!ok) return { status: 406, headers: { Accept: 'application/sdp' } };
    }
  }
  return undefined;
}
