import { type AuthHeader, parseAuthHeader } from './auth-header.js';
import { type CSeq, parseCSeq } from './cseq.js';
import { SipParseError } from './errors.js';
import { digitsValue, isDigits, splitList, trimLws } from './grammar.js';
import { canonicalHeaderName } from './header-names.js';
import { type NameAddr, parseNameAddr, parseNameAddrList } from './name-addr.js';
import { emptyParams, type Params, parseParams } from './params.js';
import { parseViaList, type Via } from './via.js';

/** A Content-Type value (RFC 3261 §20.15): the media type of a body, e.g. `application/sdp`. */
export interface ContentType {
  /** The top-level media type, lower case: `application`, `multipart`, `message`. */
  type: string;
  /** The subtype, lower case: `sdp`, `mixed`, `sipfrag`. */
  subtype: string;
  /** The media type's parameters, such as `boundary` of a multipart body. */
  params: Params;
}

/** An RAck value (RFC 3262 §7.2): which reliable provisional response a PRACK acknowledges. */
export interface RAck {
  /** The RSeq of the provisional response acknowledged. */
  rseq: number;
  /** The CSeq number of the request that provisional response answered. */
  cseq: number;
  /** The method of that request, `INVITE`. */
  method: string;
}

/** A Session-Expires value (RFC 4028 §4): the session interval and who refreshes it. */
export interface SessionExpires {
  /** The session interval in seconds. */
  delta: number;
  /** Who sends the refreshes, when the header says (RFC 4028 §7.2, §9). */
  refresher?: 'uac' | 'uas';
  /** Every parameter, `refresher` included, as written. */
  params: Params;
}

/** Structured values returned by {@link SipMessage.getParsedHeader}, by header key. */
export interface ParsedHeaders {
  /** Every Via of the message, topmost first (RFC 3261 §20.42). */
  via: Via[];
  /** The From header: the initiator, with its tag (RFC 3261 §20.20). */
  from: NameAddr;
  /** The To header: the target, with the remote tag once a dialog exists (RFC 3261 §20.39). */
  to: NameAddr;
  /** The Contacts, or `'*'` in a REGISTER that removes every binding (RFC 3261 §10.2.2). */
  contact: NameAddr[] | '*';
  /** The Route set the request is sent along, first hop first (RFC 3261 §20.34). */
  route: NameAddr[];
  /** The proxies that asked to stay on the dialog's path (RFC 3261 §20.30). */
  'record-route': NameAddr[];
  /** Path of a REGISTER: the proxies a registrar routes back through (RFC 3327). */
  path: NameAddr[];
  /** Service-Route of a REGISTER's 2xx: the route for later requests (RFC 3608). */
  'service-route': NameAddr[];
  /** The identities a trusted network asserts for the sender (RFC 3325 §9.1). */
  'p-asserted-identity': NameAddr[];
  /** The identities the sender would like asserted (RFC 3325 §9.2). */
  'p-preferred-identity': NameAddr[];
  /** The target of a REFER (RFC 3515 §2.1). */
  'refer-to': NameAddr;
  /** Who asked for a REFER (RFC 3892). */
  'referred-by': NameAddr;
  /** The CSeq: sequence number and method (RFC 3261 §20.16). */
  cseq: CSeq;
  /** The challenges of a 401 (RFC 3261 §20.44). */
  'www-authenticate': AuthHeader[];
  /** The challenges of a 407 (RFC 3261 §20.27). */
  'proxy-authenticate': AuthHeader[];
  /** Credentials for a user agent server (RFC 3261 §20.7). */
  authorization: AuthHeader[];
  /** Credentials for a proxy (RFC 3261 §20.28). */
  'proxy-authorization': AuthHeader[];
  /** Hops left, 0 to 255 (RFC 3261 §20.22). */
  'max-forwards': number;
  /** The body's size in bytes (RFC 3261 §20.14). */
  'content-length': number;
  /** Seconds until a registration, subscription or invitation expires (RFC 3261 §20.19). */
  expires: number;
  /** The shortest expiry a registrar or notifier accepts, in a 423 (RFC 3261 §20.23). */
  'min-expires': number;
  /** The shortest session interval accepted, in seconds (RFC 4028 §5). */
  'min-se': number;
  /** The sequence number of a reliable provisional response (RFC 3262 §7.1). */
  rseq: number;
  /** What a PRACK acknowledges (RFC 3262 §7.2). */
  rack: RAck;
  /** The session interval and refresher (RFC 4028 §4). */
  'session-expires': SessionExpires;
  /** The body's media type (RFC 3261 §20.15). */
  'content-type': ContentType;
  /** Option tags the receiver must support (RFC 3261 §20.32). */
  require: string[];
  /** Option tags the sender supports (RFC 3261 §20.37). */
  supported: string[];
  /** Option tags every proxy on the path must support (RFC 3261 §20.29). */
  'proxy-require': string[];
  /** Option tags a 420 says are not supported (RFC 3261 §20.40). */
  unsupported: string[];
  /** Methods the sender supports (RFC 3261 §20.5). */
  allow: string[];
}

/**
 * The type {@link SipMessage.getParsedHeader} returns for header name `N`: the structured value
 * of {@link ParsedHeaders} for a header it parses (any case), the joined text for any other.
 */
export type ParsedHeader<N extends string> =
  Lowercase<N> extends keyof ParsedHeaders ? ParsedHeaders[Lowercase<N>] : string;

/** A header value that must be a number in 0..max (Content-Length, Max-Forwards, Expires, ...). */
export function parseNumber(value: string, name: string, max = 2 ** 32 - 1): number {
  // Digits alone, as nearly every such value is written, read in one pass.
  const n = digitsValue(value, value.length);
  if (n >= 0 && n <= max) return n;
  const v = trimLws(value);
  if (!isDigits(v) || v.length > 10 || Number(v) > max) {
    throw new SipParseError(`${canonicalHeaderName(name)}: "${v}" is not a number in 0..${max}`);
  }
  return Number(v);
}

/** `table[key]` when `key` is the table's own: header names such as "constructor" are not. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function parseTokenList(value: string): string[] {
  return splitList(value).filter((t) => t.length > 0);
}

// Headers whose lines are comma-separated lists and merge into one array.
const LIST_PARSERS: Record<string, (value: string) => unknown[]> = {
  via: parseViaList,
  route: (v) => parseNameAddrList(v, 'Route'),
  'record-route': (v) => parseNameAddrList(v, 'Record-Route'),
  path: (v) => parseNameAddrList(v, 'Path'),
  'service-route': (v) => parseNameAddrList(v, 'Service-Route'),
  'p-asserted-identity': (v) => parseNameAddrList(v, 'P-Asserted-Identity'),
  'p-preferred-identity': (v) => parseNameAddrList(v, 'P-Preferred-Identity'),
  'www-authenticate': parseAuthHeader,
  'proxy-authenticate': parseAuthHeader,
  authorization: parseAuthHeader,
  'proxy-authorization': parseAuthHeader,
  require: parseTokenList,
  supported: parseTokenList,
  'proxy-require': parseTokenList,
  unsupported: parseTokenList,
  allow: parseTokenList,
};

// Headers with one value: the first line is parsed.
const SINGLE_PARSERS: Record<string, (value: string) => unknown> = {
  from: (v) => parseNameAddr(v, 'From'),
  to: (v) => parseNameAddr(v, 'To'),
  'refer-to': (v) => parseNameAddr(v, 'Refer-To'),
  'referred-by': (v) => parseNameAddr(v, 'Referred-By'),
  cseq: parseCSeq,
  // RFC 3261 §20.22: Max-Forwards is 0..255.
  'max-forwards': (v) => parseNumber(v, 'max-forwards', 255),
  'content-length': (v) => parseNumber(v, 'content-length'),
  expires: (v) => parseNumber(v, 'expires'),
  'min-expires': (v) => parseNumber(v, 'min-expires'),
  'min-se': (v) => parseNumber(v.split(';')[0] ?? '', 'min-se'),
  rseq: (v) => parseNumber(v, 'rseq'),
  rack: parseRAck,
  'session-expires': parseSessionExpires,
  'content-type': parseContentType,
};

function parseRAck(value: string): RAck {
  const parts = value.trim().split(/\s+/);
  if (parts.length !== 3) throw new SipParseError('RAck: expected "<rseq> <cseq> <method>"');
  return {
    rseq: parseNumber(parts[0] ?? '', 'rack'),
    cseq: parseNumber(parts[1] ?? '', 'rack'),
    method: parts[2] ?? '',
  };
}

function parseSessionExpires(value: string): SessionExpires {
  const semi = value.indexOf(';');
  const delta = parseNumber(semi < 0 ? value : value.slice(0, semi), 'session-expires');
  const params = semi < 0 ? emptyParams() : parseParams(value, semi, 'Session-Expires');
  const refresher = params.refresher?.toLowerCase();
  const se: SessionExpires = { delta, params };
  if (refresher === 'uac' || refresher === 'uas') se.refresher = refresher;
  return se;
}

function parseContentType(value: string): ContentType {
  const semi = value.indexOf(';');
  const media = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const slash = media.indexOf('/');
  if (slash <= 0 || slash === media.length - 1)
    throw new SipParseError(`Content-Type: bad media type "${media}"`);
  return {
    type: media.slice(0, slash).trim(),
    subtype: media.slice(slash + 1).trim(),
    params: semi < 0 ? emptyParams() : parseParams(value, semi, 'Content-Type'),
  };
}

function parseContact(values: string[]): NameAddr[] | '*' {
  if (values.length === 1 && values[0]?.trim() === '*') return '*';
  return values.flatMap((v) => parseNameAddrList(v, 'Contact'));
}

/**
 * Parses the lines of one header into its structured value ({@link ParsedHeaders}); headers
 * without a parser come back joined as text. Throws {@link SipParseError} when malformed.
 */
export function parseHeaderValues(key: string, values: readonly string[]): unknown {
  if (key === 'contact') return parseContact([...values]);
  const list = own(LIST_PARSERS, key);
  if (list) return values.length === 1 ? list(values[0] as string) : values.flatMap((v) => list(v));
  const single = own(SINGLE_PARSERS, key);
  if (single) return single(values[0] as string);
  return values.join(', ');
}
