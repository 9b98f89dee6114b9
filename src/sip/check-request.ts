import { SipParseError } from './errors.js';
import type { HeaderField, HeaderInit, SipRequest } from './message.js';
import { isSipUri, isTelUri, type Uri } from './uri.js';

/** What a server answers instead of passing a request on: status and extra headers. */
export interface Rejection {
  /** The status to answer with (400, 415, 416, 420, 505, ...). */
  status: number;
  /** The reason phrase, when it says more than the standard one (`Missing Call-ID header`). */
  reason?: string;
  /** Headers the status requires: Unsupported for 420, Accept for 415 and 406 (RFC 3261 §21.4). */
  headers?: HeaderInit;
}

/** What a server supports, which decides how {@link checkRequest} answers Require, bodies and URI schemes. */
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

/**
 * The policy of rxsip's own stack: the option tags it implements (100rel, timer, replaces,
 * path, outbound, norefersub, gruu), SDP and multipart bodies for sessions, and the sip, sips
 * and tel schemes.
 */
export const DEFAULT_REQUEST_POLICY: RequestPolicy = {
  supported: ['100rel', 'timer', 'replaces', 'path', 'outbound', 'norefersub', 'gruu'],
  acceptedSessionTypes: ['application/sdp', 'multipart/mixed', 'multipart/alternative', 'multipart/related'],
  schemes: ['sip', 'sips', 'tel'],
};

// RFC 3261 §20: headers that may appear once (RFC 4475 §3.3.8 multi01, §3.3.9 mcl01).
const SINGLETONS = new Set([
  'call-id',
  'cseq',
  'from',
  'to',
  'max-forwards',
  'content-length',
  'content-type',
]);
const MANDATORY = ['call-id', 'cseq', 'from', 'to', 'via'];
const SESSION_METHODS = new Set(['INVITE', 'UPDATE', 'PRACK', 'ACK']);
// Headers every layer reads: a malformed one is a 400, not an exception later on. A request
// the parser gave up on (SipParseError.partial) or one built by hand may hold such values.
const STRUCTURAL = ['cseq', 'via', 'from', 'to', 'max-forwards', 'content-length'] as const;
const HEADER_NAMES: Record<(typeof STRUCTURAL)[number], string> = {
  cseq: 'CSeq',
  via: 'Via',
  from: 'From',
  to: 'To',
  'max-forwards': 'Max-Forwards',
  'content-length': 'Content-Length',
};

// Tokens (option tags, media types, schemes) compare without regard to case (RFC 3261 §7.3.1),
// however the policy spells them. `token` is lower case.
function hasToken(list: readonly string[], token: string): boolean {
  return list.some((entry) => entry.toLowerCase() === token);
}

/** A header that may appear once but comes twice with different values (no allocation: hot path). */
function conflictingSingleton(request: SipRequest): string | undefined {
  const fields = request.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as HeaderField;
    if (!SINGLETONS.has(field.key)) continue;
    for (let j = i + 1; j < fields.length; j++) {
      const other = fields[j] as HeaderField;
      if (other.key === field.key && other.value !== field.value) return field.key;
    }
  }
  return undefined;
}

/** Media ranges of an Accept value that are acceptable: `q=0` means "not acceptable". */
function acceptedRanges(accept: string): string[] {
  const out: string[] = [];
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    if (params.some((p) => /^q\s*=\s*0(?:\.0{0,3})?$/.test(p))) continue;
    out.push(type);
  }
  return out;
}

/**
 * The checks a SIP server makes before a request reaches the application (RFC 3261 §8.2,
 * the application-layer cases of RFC 4475 §3.3): returns the rejection to send, or
 * `undefined` when the request may go on. An ACK or CANCEL is never answered this way except
 * for a broken header set (a CANCEL with a bad CSeq still gets 400).
 *
 * Max-Forwards 0 is not rejected here: an endpoint serves such a request (RFC 4475 §3.3.11),
 * and only a proxy answers 483.
 *
 * @param request - the request as received
 * @param policy - what the server supports; {@link DEFAULT_REQUEST_POLICY} when omitted
 * @returns the status, reason and headers to answer with, or `undefined` to let the request on
 * @example
 * ```ts
 * import { checkRequest, createResponse, type SipRequest } from 'rxsip/sip';
 *
 * declare const request: SipRequest;
 * const rejection = checkRequest(request);
 * if (rejection) {
 *   // The rejection's reason and headers are what the response carries.
 *   const answer = createResponse(request, rejection.status, rejection);
 *   console.log(answer.toString());
 * }
 * ```
 */
export function checkRequest(
  request: SipRequest,
  policy: RequestPolicy = DEFAULT_REQUEST_POLICY,
): Rejection | undefined {
  if (request.version.toUpperCase() !== 'SIP/2.0') return { status: 505 };
  for (const key of MANDATORY) {
    if (!request.has(key)) return { status: 400, reason: `Missing ${key === 'cseq' ? 'CSeq' : key} header` };
  }
  const conflicting = conflictingSingleton(request);
  if (conflicting) return { status: 400, reason: `Conflicting ${conflicting} headers` };
  for (const key of STRUCTURAL) {
    try {
      request.getParsedHeader(key);
    } catch (err) {
      if (err instanceof SipParseError) return { status: 400, reason: `Bad ${HEADER_NAMES[key]} header` };
      throw err;
    }
  }
  if (request.cseq.method !== request.method) return { status: 400, reason: 'CSeq method does not match' };
  let uri: Uri;
  try {
    uri = request.requestUri;
  } catch (err) {
    if (err instanceof SipParseError) return { status: 400, reason: 'Bad Request-URI' };
    throw err;
  }
  if (!hasToken(policy.schemes, uri.scheme)) return { status: 416 };
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
  const unsupported = require.filter((tag) => !hasToken(policy.supported, tag.toLowerCase()));
  if (unsupported.length > 0) return { status: 420, headers: { Unsupported: unsupported.join(', ') } };
  if (SESSION_METHODS.has(request.method) && request.payload.length > 0) {
    const contentType = request.get('content-type');
    const type = contentType?.split(';')[0]?.trim().toLowerCase();
    if (!type || !hasToken(policy.acceptedSessionTypes, type)) {
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
      const ok = acceptedRanges(accept).some(
        (t) => t === '*/*' || t === 'application/*' || t === 'application/sdp',
      );
      if (!ok) return { status: 406, headers: { Accept: 'application/sdp' } };
    }
  }
  return undefined;
}
