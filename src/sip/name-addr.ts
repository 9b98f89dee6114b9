import { SipParseError } from './errors.js';
import {
  endOfQuoted,
  isTokenChar,
  isWhitespace,
  PLAIN_PARAMS,
  quote,
  skipWhitespace,
  splitList,
  TOKEN_CLASS,
  trimLws,
  unquote,
} from './grammar.js';
import { emptyParams, type Params, parseParams, stringifyParams } from './params.js';
import { checkUriSyntax, parseUri, type Uri } from './uri.js';

/**
 * A parsed From, To, Contact, Route, Record-Route, Refer-To or P-Asserted-Identity value
 * (RFC 3261 §20.10). `name` is the display name without quotes; `uri` the URI as written.
 */
export interface NameAddr {
  /** The display name, unquoted (`Alice` of `"Alice" <sip:alice@example.com>`), when there is one. */
  name?: string;
  /** The URI as written, without the angle brackets; read it with {@link parseUri}. */
  uri: string;
  /** The header parameters after the URI: `tag`, `expires`, `q`, `lr`, ... */
  params: Params;
}

// The URI each name-addr parsed in full was read as, for what reads it next (a next hop, an
// ACK's Request-URI): the same text is not parsed again, and the NameAddr keeps its shape.
const parsedUris = new WeakMap<NameAddr, Uri>();

/**
 * @internal The URI of a name-addr, parsed: as {@link parseNameAddr} parsed it in full, or
 * parsed now (and kept) when it was only checked for syntax.
 *
 * @param addr - a name-addr
 * @returns its URI, parsed
 * @throws {@link SipParseError} when the URI is malformed
 */
export function uriOf(addr: NameAddr): Uri {
  let uri = parsedUris.get(addr);
  if (uri === undefined) {
    uri = parseUri(addr.uri);
    parsedUris.set(addr, uri);
  }
  return uri;
}

function checkDisplayName(text: string, what: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isTokenChar(c) && !isWhitespace(c)) {
      throw new SipParseError(`${what}: display name has ${JSON.stringify(text[i])}; quote it`);
    }
  }
  return text.replace(/\s+/g, ' ');
}

// A name-addr as nearly every From, To and Contact writes it: a display name (quoted without
// escapes, or tokens), a URI in angle brackets that checkUriSyntax accepts, plain parameters.
// A subset of what parseNameAddr accepts.
const PLAIN_NAME_ADDR = new RegExp(
  String.raw`^(?:"[^"\\]*" *|${TOKEN_CLASS}+(?: +${TOKEN_CLASS}+)* *)?` +
    String.raw`<[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20\x7f<>"]*>${PLAIN_PARAMS}$`,
);

/**
 * @internal Whether a name-addr is written plainly enough that {@link parseNameAddr} (with
 * `uriCheck: 'syntax'`) is sure to accept it, checked in one scan: the parser then leaves the
 * parse until the header is read.
 *
 * @param value - a From or To header line's value
 * @returns `true` when it is one plain name-addr
 */
export function isPlainNameAddr(value: string): boolean {
  return PLAIN_NAME_ADDR.test(value);
}

/**
 * Parses one name-addr or addr-spec with its header parameters. The URI is validated with
 * {@link parseUri}, or only for its syntax with `uriCheck: 'syntax'` (the parser's hot path).
 * An addr-spec without `<>` ends at the first `;` (RFC 3261 §20.10), so it may not carry URI
 * parameters or headers.
 *
 * @param value - the header value, e.g. of From, To or one Contact
 * @param what - the header's name, to start the error's reason with
 * @param uriCheck - `'parse'` (the default) parses the URI fully; `'syntax'` only checks its syntax
 * @returns the display name, URI and parameters
 * @throws {@link SipParseError} when the value is not a name-addr or addr-spec
 * @example
 * ```ts
 * import { parseNameAddr } from 'rxsip/sip';
 *
 * const from = parseNameAddr('"Alice" <sip:alice@example.com>;tag=1928301774', 'From');
 * console.log(from.name, from.uri, from.params.tag); // Alice sip:alice@example.com 1928301774
 * ```
 */
export function parseNameAddr(
  value: string,
  what = 'name-addr',
  uriCheck: 'parse' | 'syntax' = 'parse',
): NameAddr {
  const s = value;
  let i = skipWhitespace(s, 0);
  let name: string | undefined;
  let uri: string;
  if (s.charCodeAt(i) === 0x22 /* " */) {
    const end = endOfQuoted(s, i);
    if (end < 0) throw new SipParseError(`${what}: unterminated quoted display name`);
    name = unquote(s.slice(i, end));
    i = skipWhitespace(s, end);
    if (s.charCodeAt(i) !== 0x3c) throw new SipParseError(`${what}: expected "<" after the display name`);
  } else if (s.charCodeAt(i) !== 0x3c /* < */) {
    // A "<" after the first ";" is inside a parameter of an addr-spec (RFC 3261 §20.10: an
    // unquoted display name has no ";", and an addr-spec ends at the first one).
    const lt = s.indexOf('<', i);
    const semi = s.indexOf(';', i);
    if (lt >= 0 && (semi < 0 || lt < semi)) {
      const display = trimLws(s.slice(i, lt));
      if (display.length > 0) name = checkDisplayName(display, what);
      i = lt;
    }
  }
  if (s.charCodeAt(i) === 0x3c /* < */) {
    const gt = s.indexOf('>', i);
    if (gt < 0) throw new SipParseError(`${what}: "<" without ">"`);
    uri = s.slice(i + 1, gt);
    i = gt + 1;
  } else {
    const start = i;
    while (i < s.length && s.charCodeAt(i) !== 0x3b && !isWhitespace(s.charCodeAt(i))) i++;
    uri = s.slice(start, i);
    if (uri.includes('?') || uri.includes(',')) {
      throw new SipParseError(`${what}: a URI with "?" or "," must be enclosed in <>`);
    }
  }
  if (uri.length === 0) throw new SipParseError(`${what}: empty URI`);
  let parsed: Uri | undefined;
  try {
    if (uriCheck === 'parse') parsed = parseUri(uri);
    else checkUriSyntax(uri, 'URI');
  } catch (err) {
    throw err instanceof SipParseError ? new SipParseError(`${what}: ${err.reason}`) : err;
  }
  const params = i < s.length ? parseParams(s, i, what) : emptyParams();
  const addr: NameAddr = name === undefined ? { uri, params } : { name, uri, params };
  if (parsed !== undefined) parsedUris.set(addr, parsed);
  return addr;
}

/**
 * Parses a comma-separated list of name-addr values (Contact, Route, Record-Route, ...), as
 * RFC 3261 §7.3.1 lets one header line hold several values; a comma inside quotes or angle
 * brackets does not split.
 *
 * @param value - the header value
 * @param what - the header's name, to start the error's reason with
 * @returns the values in the order written
 * @throws {@link SipParseError} when an element is empty or malformed
 * @example
 * ```ts
 * import { parseNameAddrList } from 'rxsip/sip';
 *
 * const routes = parseNameAddrList('<sip:p1.example.com;lr>, <sip:p2.example.com;lr>', 'Route');
 * console.log(routes.map((r) => r.uri)); // ['sip:p1.example.com;lr', 'sip:p2.example.com;lr']
 * ```
 */
export function parseNameAddrList(value: string, what = 'name-addr'): NameAddr[] {
  return splitList(value).map((part) => {
    if (part.length === 0) throw new SipParseError(`${what}: empty list element`);
    return parseNameAddr(part, what);
  });
}

/**
 * Writes a name-addr: the display name quoted, the URI in angle brackets (so its own parameters
 * stay the URI's, RFC 3261 §20.10), then the header parameters.
 *
 * @param value - display name, URI and parameters
 * @returns the header value
 * @example
 * ```ts
 * import { stringifyNameAddr } from 'rxsip/sip';
 *
 * const to = stringifyNameAddr({ name: 'Bob', uri: 'sip:bob@example.com', params: { tag: 'a6c85cf' } });
 * // '"Bob" <sip:bob@example.com>;tag=a6c85cf'
 * ```
 */
export function stringifyNameAddr(value: NameAddr): string {
  const display = value.name !== undefined && value.name.length > 0 ? `${quote(value.name)} ` : '';
  return `${display}<${value.uri}>${stringifyParams(value.params)}`;
}
