import { stringifyCSeq } from './cseq.js';
import { SipParseError } from './errors.js';
import { canonicalHeaderName, headerKey } from './header-names.js';
import { newCallId, newTag } from './ids.js';
import { type HeaderField, type HeaderInit, SipRequest, SipResponse } from './message.js';
import { type NameAddr, parseNameAddr, stringifyNameAddr } from './name-addr.js';
import { copyParams } from './params.js';
import { reasonPhrase } from './status-reasons.js';
import { parseUri } from './uri.js';

function field(key: string, value: string): HeaderField {
  return { name: canonicalHeaderName(key), key, value };
}

function parsedOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof SipParseError) return undefined;
    throw err;
  }
}

function pushHeaders(
  fields: HeaderField[],
  headers: HeaderInit | undefined,
  skip?: ReadonlySet<string>,
): void {
  if (!headers) return;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const key = headerKey(name);
    if (skip?.has(key)) continue;
    const values = typeof value === 'string' || typeof value === 'number' ? [value] : value;
    for (const v of values) fields.push({ name, key, value: String(v) });
  }
}

/** The value the application gave for `key` in `headers`, if any (first line of a list). */
function givenValue(headers: HeaderInit | undefined, key: string): string | undefined {
  if (!headers) return undefined;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || headerKey(name) !== key) continue;
    const first = typeof value === 'string' || typeof value === 'number' ? value : value[0];
    return first === undefined ? undefined : String(first);
  }
  return undefined;
}

/** `addr` with a `tag` parameter (RFC 3261 §19.3), `addr` itself left as it is. */
function withTagParam(addr: NameAddr, tag: string): NameAddr {
  const params = copyParams(addr.params);
  params.tag = tag;
  return Object.assign({}, addr, { params });
}

/** A From or To of a new request: its structure (a copy, with `tag` added when it has none) and its line. */
function withTag(
  value: string | NameAddr,
  tag: string | undefined,
  uriCheck: 'parse' | 'syntax' = 'parse',
): { addr: NameAddr; text: string } {
  const addr = typeof value === 'string' ? parseNameAddr(value, 'name-addr', uriCheck) : value;
  if (tag !== undefined && addr.params.tag == null) {
    const tagged = withTagParam(addr, tag);
    return { addr: tagged, text: stringifyNameAddr(tagged) };
  }
  if (typeof value === 'string') return { addr, text: value };
  return {
    addr: Object.assign({}, value, { params: copyParams(value.params) }),
    text: stringifyNameAddr(value),
  };
}

/** Runs a full check of a URI, its failure reported as `parseNameAddr` reports it. */
function checkedAsNameAddr(check: () => unknown): void {
  try {
    check();
  } catch (err) {
    throw err instanceof SipParseError ? new SipParseError(`name-addr: ${err.reason}`) : err;
  }
}

/** What {@link createRequest} builds a request from; only `method`, `uri` and `from` are required. */
export interface RequestInit {
  /** The method, upper case as sent (`INVITE`, `OPTIONS`, `MESSAGE`, ...). */
  method: string;
  /** The Request-URI, e.g. `sip:bob@example.com`. */
  uri: string;
  /** From as name-addr text or structure; a tag is added when it has none. */
  from: string | NameAddr;
  /** To; defaults to the Request-URI. */
  to?: string | NameAddr;
  /** Call-ID; a fresh random one when omitted (RFC 3261 §8.1.1.4). */
  callId?: string;
  /** The CSeq number; 1 when omitted (RFC 3261 §8.1.1.5). */
  cseq?: number;
  /** Max-Forwards; 70 when omitted (RFC 3261 §8.1.1.6). */
  maxForwards?: number;
  /** Any other headers, written after the ones above in the given order. */
  headers?: HeaderInit;
  /** The body; Content-Length is written when the request is serialized. */
  body?: string | Buffer;
  /** Content-Type of the body, e.g. `application/sdp`. */
  contentType?: string;
}

/**
 * Builds a request from scratch (RFC 3261 §8.1.1): Max-Forwards 70, a fresh Call-ID and From
 * tag, CSeq 1, To defaulting to the Request-URI. Via is added by the transport that sends it.
 *
 * @param init - the method, Request-URI, From and whatever else the request carries
 * @returns a request ready to send or serialize
 * @example
 * ```ts
 * import { createRequest } from 'rxsip/sip';
 *
 * const options = createRequest({ method: 'OPTIONS', uri: 'sip:bob@192.0.2.4', from: '<sip:alice@example.com>' });
 * console.log(options.toString());
 * ```
 */
export function createRequest(init: RequestInit): SipRequest {
  const fields: HeaderField[] = [];
  const request = new SipRequest(init.method, init.uri, fields);
  // To's URI is checked for syntax, then in full: when it is the Request-URI (the default To) by
  // the request's own parse of it, which it keeps for the next hop.
  const to = withTag(init.to ?? `<${init.uri}>`, undefined, 'syntax');
  if (typeof init.to !== 'object')
    checkedAsNameAddr(() => (to.addr.uri === init.uri ? request.requestUri : parseUri(to.addr.uri)));
  const from = withTag(init.from, newTag());
  const cseq = { seq: init.cseq ?? 1, method: init.method };
  fields.push(
    field('max-forwards', String(init.maxForwards ?? 70)),
    field('to', to.text),
    field('from', from.text),
    field('call-id', init.callId ?? newCallId()),
    field('cseq', stringifyCSeq(cseq)),
  );
  pushHeaders(fields, init.headers);
  if (init.contentType) fields.push(field('content-type', init.contentType));
  if (init.body !== undefined) request.body = init.body;
  // Built from these structures: the request reads them as they are, never parsing its lines
  // back (unless `headers` adds lines of its own to one of them).
  // One pass over the application's headers, not one per seeded header.
  const given = new Set<string>();
  for (const name in init.headers) if (init.headers[name] !== undefined) given.add(headerKey(name));
  if (!given.has('to')) request.seedParsed('to', to.addr);
  if (!given.has('from')) request.seedParsed('from', from.addr);
  if (!given.has('cseq')) request.seedParsed('cseq', cseq);
  return request;
}

/** What {@link createResponse} adds to the lines it copies from the request; every field is optional. */
export interface ResponseInit {
  /** The reason phrase; the standard one for the status when omitted (`Ringing` for 180). */
  reason?: string;
  /** Tag for To when the request's To has none; generated when omitted (not for 100). */
  toTag?: string;
  /** Headers to add; Via, From, Call-ID and CSeq given here are ignored (RFC 3261 §8.2.6.2). */
  headers?: HeaderInit;
  /** The body; Content-Length is written when the response is serialized. */
  body?: string | Buffer;
  /** Content-Type of the body, unless `headers` already has one. */
  contentType?: string;
}

// RFC 3261 §8.2.6.2: these are copied from the request, in its order, Via values included.
const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);
// The transaction's identity: the request's copy stands, whatever the application gives.
const IDENTITY = new Set(['via', 'from', 'call-id', 'cseq']);

/**
 * Builds a response to `request` as RFC 3261 §8.2.6 says: Via, From, To, Call-ID and CSeq copied;
 * a To tag added to responses other than 100 when the request had none; Timestamp echoed in a 100.
 * A To in `init.headers` replaces the copied one (its tag kept, `init.toTag` added when it has
 * none, as drachtio-srf lets a B2BUA choose A's tag); Via, From, Call-ID and CSeq given there
 * are ignored, since the response must carry the request's (§8.2.6.2). Any other header given
 * once is written once. `init.contentType` yields to a Content-Type among the headers.
 *
 * @param request - the request answered
 * @param status - the status code, 100 to 699
 * @param init - reason, To tag, extra headers and body
 * @returns the response, its lines that identify the transaction copied from `request`
 * @example
 * ```ts
 * import { createResponse, parseMessage, SipRequest } from 'rxsip/sip';
 *
 * declare const datagram: Buffer;
 * const invite = parseMessage(datagram);
 * if (invite instanceof SipRequest) {
 *   const ringing = createResponse(invite, 180, { toTag: 'a6c85cf' });
 *   console.log(ringing.toString());
 * }
 * ```
 */
export function createResponse(request: SipRequest, status: number, init: ResponseInit = {}): SipResponse {
  const fields: HeaderField[] = [];
  const givenTo = givenValue(init.headers, 'to');
  // RFC 3261 §8.2.6.2: the To tag is one more header parameter; the request's To stays as sent.
  let to =
    status > 100
      ? parsedOrUndefined(() => (givenTo === undefined ? request.to : parseNameAddr(givenTo, 'To')))
      : undefined;
  const tag = to && to.params.tag == null ? (init.toTag ?? newTag()) : undefined;
  if (to && tag !== undefined) to = withTagParam(to, tag);
  for (const f of request.fields) {
    if (!COPIED.has(f.key)) continue;
    if (f.key === 'to' && givenTo !== undefined) {
      fields.push({ name: f.name, key: f.key, value: to ? stringifyNameAddr(to) : givenTo });
      continue;
    }
    const value = f.key === 'to' && tag !== undefined ? `${f.value};tag=${tag}` : f.value;
    fields.push({ name: f.name, key: f.key, value });
  }
  if (status === 100) {
    const timestamp = request.get('timestamp');
    if (timestamp !== undefined) fields.push(field('timestamp', timestamp));
  }
  pushHeaders(fields, init.headers, givenTo === undefined ? IDENTITY : COPIED);
  if (init.contentType && givenValue(init.headers, 'content-type') === undefined)
    fields.push(field('content-type', init.contentType));
  const response = new SipResponse(status, init.reason ?? reasonPhrase(status), fields);
  if (init.body !== undefined) response.body = init.body;
  // What the request has parsed holds for the copied lines: the response parses none of them again.
  if (to) response.seedParsed('to', to);
  const from = parsedOrUndefined(() => request.from);
  if (from) response.seedParsed('from', from);
  const cseq = parsedOrUndefined(() => request.cseq);
  if (cseq) response.seedParsed('cseq', cseq);
  const via = parsedOrUndefined(() => request.topVia);
  if (via) response.seedParsed('via', via);
  return response;
}
