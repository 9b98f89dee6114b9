import { type AuthHeader, parseAuthHeader } from './auth-header.js';
import { type CSeq, parseCSeq } from './cseq.js';
import { SipParseError } from './errors.js';
import { isDigits, splitList, trimLws } from './grammar.js';
import { canonicalHeaderName } from './header-names.js';
import { type NameAddr, parseNameAddr, parseNameAddrList } from './name-addr.js';
import { emptyParams, type Params, parseParams } from './params.js';
import { parseViaList, type Via } from './via.js';

export interface ContentType {
  type: string;
  subtype: string;
  params: Params;
}

export interface RAck {
  rseq: number;
  cseq: number;
  method: string;
}

export interface SessionExpires {
  delta: number;
  refresher?: 'uac' | 'uas';
  params: Params;
}

/** Structured values returned by {@link SipMessage.getParsedHeader}, by header key. */
export interface ParsedHeaders {
  via: Via[];
  from: NameAddr;
  to: NameAddr;
  contact: NameAddr[] | '*';
  route: NameAddr[];
  'record-route': NameAddr[];
  path: NameAddr[];
  'service-route': NameAddr[];
  'p-asserted-identity': NameAddr[];
  'p-preferred-identity': NameAddr[];
  'refer-to': NameAddr;
  'referred-by': NameAddr;
  cseq: CSeq;
  'www-authenticate': AuthHeader[];
  'proxy-authenticate': AuthHeader[];
  authorization: AuthHeader[];
  'proxy-authorization': AuthHeader[];
  'max-forwards': number;
  'content-length': number;
  expires: number;
  'min-expires': number;
  'min-se': number;
  rseq: number;
  rack: RAck;
  'session-expires': SessionExpires;
  'content-type': ContentType;
  require: string[];
  supported: string[];
  'proxy-require': string[];
  unsupported: string[];
  allow: string[];
}

export type ParsedHeader<N extends string> =
  Lowercase<N> extends keyof ParsedHeaders ? ParsedHeaders[Lowercase<N>] : string;

/** A header value that must be a number in 0..max (Content-Length, Max-Forwards, Expires, ...). */
export function parseNumber(value: string, name: string, max = 2 ** 32 - 1): number {
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
