import { SipParseError } from './errors.js';
import {
  firstListElement,
  HOST,
  isTokenChar,
  isWhitespace,
  PLAIN_PARAMS,
  skipWhitespace,
  splitList,
} from './grammar.js';
import type { Params } from './params.js';
import { parseParams, stringifyParams } from './params.js';
import { checkHost } from './uri.js';

/** One Via value (RFC 3261 §20.42). `transport` is upper case; `host` keeps IPv6 brackets. */
export interface Via {
  /** Protocol name and version, normally `SIP/2.0`. */
  protocol: string;
  /** The transport, upper case: `UDP`, `TCP`, `TLS`, `WS`, `WSS`, `SCTP`. */
  transport: string;
  /** The sent-by host: where responses go (RFC 3261 §18.2.2), unless `received` or `maddr` says otherwise. */
  host: string;
  /** The sent-by port; responses go to 5060 (5061 for TLS) when omitted. */
  port?: number;
  /** Parameters by lower-case name: `branch`, `received`, `rport`, `maddr`, `ttl`, ... */
  params: Params;
}

function token(s: string, i: number, what: string): [string, number] {
  const start = skipWhitespace(s, i);
  let end = start;
  while (end < s.length && isTokenChar(s.charCodeAt(end))) end++;
  if (end === start) throw new SipParseError(`${what}: expected a token at "${s.slice(start, start + 10)}"`);
  return [s.slice(start, end), skipWhitespace(s, end)];
}

function expectSlash(s: string, i: number, what: string): number {
  if (s.charCodeAt(i) !== 0x2f) throw new SipParseError(`${what}: expected "/" in sent-protocol`);
  return i + 1;
}

// RFC 3261 §20.42: the transports as nearly every Via writes them, as constants.
const TRANSPORTS: readonly (readonly string[])[] = [[], [], ['WS'], ['UDP', 'TCP', 'TLS', 'WSS'], ['SCTP']];

/** The transport written in `value` from `start` to `end` when it is a common one, in upper case. */
function commonTransport(value: string, start: number, end: number): string | undefined {
  const candidates = TRANSPORTS[end - start];
  if (candidates === undefined) return undefined;
  for (const name of candidates) if (value.startsWith(name, start)) return name;
  return undefined;
}

/**
 * Parses one via-parm: `SIP / 2.0 / UDP host[:port] *(; param)`, LWS allowed around `/`
 * (RFC 3261 §20.42, §25.1).
 *
 * @param value - one Via value; use {@link parseViaList} for a line that may hold several
 * @returns the protocol, transport, sent-by and parameters
 * @throws {@link SipParseError} when the value is not a via-parm
 * @example
 * ```ts
 * import { parseVia } from 'rxsip/sip';
 *
 * const via = parseVia('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport');
 * console.log(via.transport, via.host, via.params.branch); // UDP 192.0.2.1 z9hG4bK776asdhds
 * ```
 */
export function parseVia(value: string): Via {
  const what = 'Via';
  let protocol = 'SIP/2.0';
  let transport: string | undefined;
  let i = 8;
  // The sent-protocol as nearly every Via writes it ("SIP/2.0/UDP "), read without slicing.
  if (value.startsWith('SIP/2.0/')) {
    while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
    if (i < value.length && isWhitespace(value.charCodeAt(i))) transport = commonTransport(value, 8, i);
  }
  if (transport !== undefined) i = skipWhitespace(value, i);
  else {
    const [name, afterName] = token(value, 0, what);
    const [version, afterVersion] = token(value, expectSlash(value, afterName, what), what);
    const [word, afterTransport] = token(value, expectSlash(value, afterVersion, what), what);
    protocol = `${name.toUpperCase()}/${version}`;
    transport = word.toUpperCase();
    i = afterTransport;
  }
  const hostStart = i;
  // Whether the host needs checkHost: an IPv6 reference, or a token character no host has.
  let check = false;
  if (value.charCodeAt(i) === 0x5b) {
    const close = value.indexOf(']', i);
    if (close < 0) throw new SipParseError(`${what}: IPv6 sent-by without "]"`);
    i = close + 1;
    check = true;
  } else {
    for (; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (!isTokenChar(c)) break;
      if (HOST[c] !== 1) check = true;
    }
  }
  const host = value.slice(hostStart, i);
  if (host.length === 0) throw new SipParseError(`${what}: missing sent-by host`);
  if (check) checkHost(host, what);
  i = skipWhitespace(value, i);
  let port: number | undefined;
  if (value.charCodeAt(i) === 0x3a /* : */) {
    i = skipWhitespace(value, i + 1);
    const portStart = i;
    let n = 0;
    for (; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
    }
    if (i === portStart || i - portStart > 5 || n > 65535) {
      throw new SipParseError(`${what}: bad sent-by port`);
    }
    port = n;
  }
  const params = parseParams(value, i, what);
  const via: Via = { protocol, transport, host, params };
  if (port !== undefined) via.port = port;
  return via;
}

// A Via value as nearly every one is written, "SIP/2.0/UDP host[:port];params", one via-parm:
// a subset of what parseTopVia accepts (a port of up to four digits cannot exceed 65535).
const PLAIN_VIA = new RegExp(
  String.raw`^SIP/2\.0/(?:UDP|TCP|TLS|WSS?|SCTP) [A-Za-z0-9._-]+(?::\d{1,4})?${PLAIN_PARAMS}$`,
);

/**
 * @internal Whether a Via value is written plainly enough that {@link parseTopVia} is sure to
 * accept it, checked in one scan: the parser then leaves the parse until the top Via is read.
 *
 * @param value - a Via header line's value
 * @returns `true` when it is one plain via-parm
 */
export function isPlainVia(value: string): boolean {
  return PLAIN_VIA.test(value);
}

/** Parses the first via-parm of a Via header value (the top Via, when it is the first line). */
export function parseTopVia(value: string): Via {
  const first = firstListElement(value);
  if (first.length === 0) throw new SipParseError('Via: empty list element');
  return parseVia(first);
}

/**
 * Parses a Via header value, which may hold several comma-separated via-parms.
 *
 * @param value - the header line's value
 * @returns the via-parms, topmost first
 * @throws {@link SipParseError} when an element is empty or malformed
 * @example
 * ```ts
 * import { parseViaList } from 'rxsip/sip';
 *
 * const vias = parseViaList('SIP/2.0/TCP p1.example.com;branch=z9hG4bKa, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKb');
 * console.log(vias.length); // 2
 * ```
 */
export function parseViaList(value: string): Via[] {
  return splitList(value).map((part) => {
    if (part.length === 0) throw new SipParseError('Via: empty list element');
    return parseVia(part);
  });
}

/**
 * Writes a Via value: `SIP/2.0/<transport> <host>[:port]` and the parameters.
 *
 * @param via - the via-parm
 * @returns the header value
 * @example
 * ```ts
 * import { newBranch, stringifyVia } from 'rxsip/sip';
 *
 * const value = stringifyVia({ protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.1', port: 5060, params: { branch: newBranch(), rport: null } });
 * ```
 */
export function stringifyVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${via.host}${port}${stringifyParams(via.params)}`;
}
