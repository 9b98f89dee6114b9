import { SipParseError } from './errors.js';
import { HOST, isDigits } from './grammar.js';
import { emptyBag, emptyParams, type Params } from './params.js';

/** A `sip:` or `sips:` URI (RFC 3261 §19.1). Escaped characters are decoded. */
export interface SipUri {
  /** `sips` asks for TLS on every hop (RFC 3261 §19.1, §26.2.2). */
  scheme: 'sip' | 'sips';
  /** The user part, unescaped: a name or, with `user=phone`, a telephone number. */
  user?: string;
  /** The password of `user:password@host`, unescaped; RFC 3261 §19.1.1 advises against it. */
  password?: string;
  /** Host as written; an IPv6 reference keeps its brackets (`[2001:db8::1]`). */
  host: string;
  /** The port, when written; an omitted port is not the same URI as 5060 (RFC 3261 §19.1.4). */
  port?: number;
  /** URI parameters by lower-case name: `transport`, `lr`, `user`, `maddr`, ... */
  params: Params;
  /** Headers of `?name=value&...`, unescaped, for a request made from the URI (RFC 3261 §19.1.5). */
  headers: Record<string, string>;
}

/** A `tel:` URI (RFC 3966). */
export interface TelUri {
  /** Always `tel`. */
  scheme: 'tel';
  /** The number as written, visual separators included: `+1-201-555-0123` or a local `7042`. */
  number: string;
  /** Parameters by lower-case name: `phone-context`, `ext`, `isub`, ... */
  params: Params;
}

/** Any other scheme, kept opaque (RFC 3261 §25.1 absoluteURI). */
export interface AbsoluteUri {
  /** The scheme, lower case (`urn`, `mailto`, `http`). */
  scheme: string;
  /** Everything after the colon, as written. */
  opaque: string;
}

/** A parsed URI, told apart by `scheme` or with {@link isSipUri} and {@link isTelUri}. */
export type Uri = SipUri | TelUri | AbsoluteUri;

/**
 * Whether a URI is a `sip:` or `sips:` URI, narrowing its type.
 *
 * @param uri - a parsed URI
 * @returns `true` for `sip` and `sips`
 * @example
 * ```ts
 * import { isSipUri, parseUri } from 'rxsip/sip';
 *
 * const uri = parseUri('sips:bob@biloxi.example.com');
 * if (isSipUri(uri)) console.log(uri.user, uri.host); // bob biloxi.example.com
 * ```
 */
export function isSipUri(uri: Uri): uri is SipUri {
  return uri.scheme === 'sip' || uri.scheme === 'sips';
}

/**
 * Whether a URI is a `tel:` URI, narrowing its type.
 *
 * @param uri - a parsed URI
 * @returns `true` for `tel`
 * @example
 * ```ts
 * import { isTelUri, parseUri } from 'rxsip/sip';
 *
 * const uri = parseUri('tel:+1-201-555-0123');
 * if (isTelUri(uri)) console.log(uri.number); // +1-201-555-0123
 * ```
 */
export function isTelUri(uri: Uri): uri is TelUri {
  return uri.scheme === 'tel';
}

// Fatal, so that invalid UTF-8 is told apart from valid UTF-8 for U+FFFD; a BOM is kept.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** Octets from %-escapes as text: UTF-8 when they are valid UTF-8, else one Latin-1 character each. */
function octetsToText(octets: number[]): string {
  try {
    return UTF8.decode(Uint8Array.from(octets));
  } catch {
    let out = '';
    for (const octet of octets) out += String.fromCharCode(octet);
    return out;
  }
}

/** Unescapes `s`: each run of %-escapes is read as one octet sequence, other characters kept. */
function decode(s: string, what: string): string {
  if (!s.includes('%')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s.charCodeAt(i) !== 0x25 /* % */) {
      out += s[i];
      i++;
      continue;
    }
    const octets: number[] = [];
    while (i < s.length && s.charCodeAt(i) === 0x25) {
      const high = hexValue(s.charCodeAt(i + 1));
      const low = hexValue(s.charCodeAt(i + 2));
      if (high < 0 || low < 0) throw new SipParseError(`${what}: bad %-escape "${s.slice(i, i + 3)}"`);
      octets.push(high * 16 + low);
      i += 3;
    }
    out += octetsToText(octets);
  }
  return out;
}

// RFC 3261 §25.1: unreserved = alphanum / mark (-_.!~*'()); user-unreserved adds "&=+$,;?/";
// param-unreserved adds "[]/:&+$"; hnv-unreserved adds "[]/?:+$".
const USER_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;
const PASSWORD_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,]/;
const PARAM_SAFE = /[A-Za-z0-9\-_.!~*'()[\]/:&+$]/;
const HEADER_SAFE = /[A-Za-z0-9\-_.!~*'()[\]/?:+$]/;

function encode(s: string, safe: RegExp): string {
  let out = '';
  for (const ch of s) {
    if (ch.length === 1 && safe.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function checkNoSpace(s: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x22) {
      throw new SipParseError(`${what}: character ${JSON.stringify(s[i])} is not allowed in a URI`);
    }
  }
}

// One scan of irregexp each (far faster than loops of charCodeAt): what checkUriSyntax accepts,
// and a sip: Request-URI as nearly every request writes it, whose checks all pass (a user part
// up to the first "@", not starting with ":"; a hostname or IPv4 address; a port of up to four
// digits; then parameters or headers; without a user part, no "@" at all). Others: piece by piece.
const NOT_IN_URI = String.raw`\x00-\x20\x7f<>"`;
const URI_SYNTAX = new RegExp(`^[A-Za-z][A-Za-z0-9+.-]*:[^${NOT_IN_URI}]*$`);
const HOST_PORT = String.raw`[A-Za-z0-9._-]+(?::\d{1,4})?`;
const PLAIN_SIP_URI = new RegExp(
  `^sips?:(?:[^${NOT_IN_URI}@:][^${NOT_IN_URI}@]*@${HOST_PORT}(?:[;?][^${NOT_IN_URI}]*)?` +
    `|${HOST_PORT}(?:[;?][^${NOT_IN_URI}@]*)?)$`,
);

/**
 * The cheap check of a URI's text: a scheme, and no character a URI never holds (whitespace,
 * `<`, `>`, `"`). {@link parseUri} does the full parse.
 */
export function checkUriSyntax(text: string, what: string): void {
  if (URI_SYNTAX.test(text)) return;
  checkNoSpace(text, what);
  const colon = text.indexOf(':');
  if (colon <= 0 || !/^[a-zA-Z][a-zA-Z0-9+\-.]*$/.test(text.slice(0, colon))) {
    throw new SipParseError(`${what}: "${text}" has no scheme`);
  }
}

/**
 * The checks of {@link parseUri} that a parser makes on every Request-URI, without building the
 * URI: the syntax, and for sip/sips the host and port (RFC 5118 §4.2: an IPv6 address without
 * brackets is refused). Parameters, headers and escapes are checked when the URI is parsed.
 */
export function checkRequestUriText(text: string, what: string): void {
  if (PLAIN_SIP_URI.test(text)) return;
  checkUriSyntax(text, what);
  const colon = text.indexOf(':');
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips') return;
  let body = text.slice(colon + 1);
  const at = body.indexOf('@');
  if (at >= 0) {
    if (at === 0 || body.charCodeAt(0) === 0x3a)
      throw new SipParseError(`${what}: empty user part before "@"`);
    body = body.slice(at + 1);
  }
  let end = body.length;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x3b /* ; */ || c === 0x3f /* ? */) {
      end = i;
      break;
    }
  }
  parseHostPort(body.slice(0, end), what);
}

/** Throws unless `host` is a hostname, an IPv4 address or an IPv6 reference in brackets. */
export function checkHost(host: string, what: string): void {
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    // RFC 5118 §4.10 asks receivers to tolerate "::" next to a ":" (three colons), so only the
    // character set is checked here.
    if (!/^\[[0-9a-fA-F:.]+\]$/.test(host)) throw new SipParseError(`${what}: malformed IPv6 reference`);
    return;
  }
  if (host.length === 0) throw new SipParseError(`${what}: empty host`);
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c >= 128 || HOST[c] !== 1 || c === 0x5b || c === 0x5d || c === 0x3a) {
      throw new SipParseError(`${what}: character ${JSON.stringify(host[i])} is not allowed in a host`);
    }
  }
}

function parseHostPort(s: string, what: string): { host: string; port?: number } {
  let end: number;
  if (s.charCodeAt(0) === 0x5b /* [ */) {
    const close = s.indexOf(']');
    if (close < 0) throw new SipParseError(`${what}: IPv6 reference without closing "]"`);
    end = close + 1;
  } else {
    const colon = s.indexOf(':');
    end = colon < 0 ? s.length : colon;
  }
  const host = s.slice(0, end);
  const rest = s.slice(end);
  checkHost(host, what);
  if (rest.length === 0) return { host };
  const portText = rest.slice(1);
  if (rest[0] !== ':' || !isDigits(portText) || portText.length > 5 || Number(portText) > 65535) {
    throw new SipParseError(`${what}: bad port "${rest}"`);
  }
  return { host, port: Number(portText) };
}

function parseSipUri(s: string, scheme: 'sip' | 'sips', what: string): SipUri {
  let body = s.slice(scheme.length + 1);
  // Null prototype, like params: a URI header named "__proto__" is a key like any other.
  const headers = emptyBag<string>();
  const uri: SipUri = { scheme, host: '', params: emptyParams(), headers };
  // The user part may hold "?", ";" and "," (RFC 4475 intmeth), but never an unescaped "@".
  const at = body.indexOf('@');
  if (at >= 0) {
    const userinfo = body.slice(0, at);
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (user.length === 0) throw new SipParseError(`${what}: empty user part before "@"`);
    uri.user = decode(user, what);
    if (colon >= 0) uri.password = decode(userinfo.slice(colon + 1), what);
    body = body.slice(at + 1);
  }
  const question = body.indexOf('?');
  if (question >= 0) {
    for (const pair of body.slice(question + 1).split('&')) {
      if (pair.length === 0) continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new SipParseError(`${what}: URI header "${pair}" has no "="`);
      uri.headers[decode(pair.slice(0, eq), what)] = decode(pair.slice(eq + 1), what);
    }
    body = body.slice(0, question);
  }
  const semi = body.indexOf(';');
  const hostport = semi < 0 ? body : body.slice(0, semi);
  const hp = parseHostPort(hostport, what);
  uri.host = hp.host;
  if (hp.port !== undefined) uri.port = hp.port;
  if (semi >= 0) {
    for (const param of body.slice(semi + 1).split(';')) {
      if (param.length === 0) throw new SipParseError(`${what}: empty URI parameter`);
      const eq = param.indexOf('=');
      if (eq === 0) throw new SipParseError(`${what}: URI parameter without a name`);
      const name = decode(eq < 0 ? param : param.slice(0, eq), what).toLowerCase();
      uri.params[name] = eq < 0 ? null : decode(param.slice(eq + 1), what);
    }
  }
  return uri;
}

function parseTelUri(s: string, what: string): TelUri {
  const body = s.slice(4);
  const semi = body.indexOf(';');
  const number = semi < 0 ? body : body.slice(0, semi);
  if (number.length === 0) throw new SipParseError(`${what}: empty telephone number`);
  const params = emptyParams();
  if (semi >= 0) {
    for (const param of body.slice(semi + 1).split(';')) {
      if (param.length === 0) continue;
      const eq = param.indexOf('=');
      params[(eq < 0 ? param : param.slice(0, eq)).toLowerCase()] =
        eq < 0 ? null : decode(param.slice(eq + 1), what);
    }
  }
  return { scheme: 'tel', number: decode(number, what), params };
}

/**
 * Parses a URI: `sip:`/`sips:` and `tel:` structurally, any other scheme as an opaque
 * absolute URI. Escaped characters of the user, password, parameters and headers are decoded
 * (RFC 3261 §19.1.2; RFC 5118 for IPv6 hosts).
 *
 * @param text - the URI as written, without angle brackets
 * @returns the URI, a `SipUri`, `TelUri` or `AbsoluteUri` by its scheme
 * @throws {@link SipParseError} on malformed input
 * @example
 * ```ts
 * import { isSipUri, parseUri } from 'rxsip/sip';
 *
 * const uri = parseUri('sip:alice@[2001:db8::1]:5070;transport=tcp');
 * if (isSipUri(uri)) console.log(uri.host, uri.port, uri.params.transport); // [2001:db8::1] 5070 tcp
 * ```
 */
export function parseUri(text: string): Uri {
  const what = 'URI';
  checkNoSpace(text, what);
  const colon = text.indexOf(':');
  if (colon <= 0) throw new SipParseError(`${what}: "${text}" has no scheme`);
  const scheme = text.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+\-.]*$/.test(scheme)) throw new SipParseError(`${what}: bad scheme "${scheme}"`);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(text, scheme, what);
  if (scheme === 'tel') return parseTelUri(text, what);
  const opaque = text.slice(colon + 1);
  if (opaque.length === 0) throw new SipParseError(`${what}: nothing after the scheme`);
  return { scheme, opaque };
}

function stringifyParamValue(value: string): string {
  return encode(value, PARAM_SAFE);
}

/**
 * Formats a URI, escaping what RFC 3261 §25.1 requires.
 *
 * @param uri - a parsed or built URI
 * @returns the URI as text, without angle brackets
 * @example
 * ```ts
 * import { stringifyUri } from 'rxsip/sip';
 *
 * const text = stringifyUri({ scheme: 'sip', user: 'alice smith', host: 'example.com', params: { lr: null }, headers: {} });
 * // 'sip:alice%20smith@example.com;lr'
 * ```
 */
export function stringifyUri(uri: Uri): string {
  if (isSipUri(uri)) {
    let out = `${uri.scheme}:`;
    if (uri.user !== undefined) {
      out += encode(uri.user, USER_SAFE);
      if (uri.password !== undefined) out += `:${encode(uri.password, PASSWORD_SAFE)}`;
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += `:${uri.port}`;
    for (const name in uri.params) {
      const value = uri.params[name];
      out += `;${encode(name, PARAM_SAFE)}`;
      if (value !== null && value !== undefined) out += `=${stringifyParamValue(value)}`;
    }
    let sep = '?';
    for (const name in uri.headers) {
      out += `${sep}${encode(name, HEADER_SAFE)}=${encode(uri.headers[name] ?? '', HEADER_SAFE)}`;
      sep = '&';
    }
    return out;
  }
  if (isTelUri(uri)) {
    let out = `tel:${uri.number}`;
    for (const name in uri.params) {
      const value = uri.params[name];
      out += value === null || value === undefined ? `;${name}` : `;${name}=${stringifyParamValue(value)}`;
    }
    return out;
  }
  return `${uri.scheme}:${(uri as AbsoluteUri).opaque}`;
}

/**
 * The host without IPv6 brackets, as `node:net` and `node:dgram` want it; a name or IPv4
 * address comes back as it is.
 *
 * @param host - a host as a SIP URI or Via writes it
 * @returns the host for a socket call
 * @example
 * ```ts
 * import { bareHost } from 'rxsip/sip';
 *
 * bareHost('[2001:db8::1]'); // '2001:db8::1'
 * bareHost('192.0.2.4'); // '192.0.2.4'
 * ```
 */
export function bareHost(host: string): string {
  return host.charCodeAt(0) === 0x5b ? host.slice(1, -1) : host;
}
