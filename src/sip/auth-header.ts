import { SipParseError } from './errors.js';
import { endOfQuoted, isTokenChar, quote, skipWhitespace, unquote } from './grammar.js';
import { emptyBag } from './params.js';

/**
 * A challenge (WWW-Authenticate, Proxy-Authenticate) or credentials (Authorization,
 * Proxy-Authorization), RFC 3261 §20.7/§25.1. Parameter names are lower case, values unquoted.
 */
export interface AuthHeader {
  /** The scheme as written, `Digest` for everything rxsip answers or verifies (RFC 3261 §22.4). */
  scheme: string;
  /** The parameters by lower-case name, values unquoted: `realm`, `nonce`, `qop`, `response`, ... */
  params: Record<string, string>;
}

/**
 * Parses a header value holding one or more challenges or credentials. A new element starts
 * where a token is followed by whitespace and another token (`Digest realm=...`).
 *
 * @param value - the header value, without the header name
 * @returns the challenges or credentials in the order written
 * @throws {@link SipParseError} when the value is empty or not a valid auth-param list
 * @example
 * ```ts
 * import { parseAuthHeader } from 'rxsip/sip';
 *
 * const [challenge] = parseAuthHeader('Digest realm="example.com", nonce="a1b2c3", qop="auth"');
 * console.log(challenge?.scheme, challenge?.params.realm); // Digest example.com
 * ```
 */
export function parseAuthHeader(value: string): AuthHeader[] {
  const what = 'authentication header';
  const out: AuthHeader[] = [];
  let current: AuthHeader | undefined;
  let i = skipWhitespace(value, 0);
  while (i < value.length) {
    const start = i;
    while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
    if (i === start) throw new SipParseError(`${what}: expected a token at "${value.slice(i, i + 10)}"`);
    const word = value.slice(start, i);
    i = skipWhitespace(value, i);
    if (value.charCodeAt(i) !== 0x3d /* = */) {
      // `scheme` alone or `scheme param=...`: a new challenge or credentials.
      current = { scheme: word, params: emptyBag<string>() };
      out.push(current);
      // `Negotiate, Digest realm=...`: a scheme without parameters ends at a comma.
      if (value.charCodeAt(i) === 0x2c) i = skipWhitespace(value, i + 1);
      continue;
    }
    if (!current) throw new SipParseError(`${what}: parameter "${word}" before the scheme`);
    i = skipWhitespace(value, i + 1);
    let paramValue: string;
    if (value.charCodeAt(i) === 0x22) {
      const end = endOfQuoted(value, i);
      if (end < 0) throw new SipParseError(`${what}: unterminated quoted value of "${word}"`);
      paramValue = unquote(value.slice(i, end));
      i = end;
    } else {
      const vs = i;
      while (i < value.length && value.charCodeAt(i) !== 0x2c && value.charCodeAt(i) > 0x20) i++;
      paramValue = value.slice(vs, i);
    }
    current.params[word.toLowerCase()] = paramValue;
    i = skipWhitespace(value, i);
    if (value.charCodeAt(i) === 0x2c) i = skipWhitespace(value, i + 1);
  }
  if (out.length === 0) throw new SipParseError(`${what}: empty`);
  return out;
}

// RFC 7616 §3.3/§3.4 and RFC 3261 §25.1: these are tokens, every other parameter is quoted.
// qop is a quoted list in a challenge but a bare token in credentials.
const UNQUOTED = {
  challenge: new Set(['algorithm', 'stale']),
  credentials: new Set(['algorithm', 'qop', 'nc']),
};

/**
 * Writes a challenge or credentials as a header value, quoting each parameter as RFC 7616
 * §3.3/§3.4 and RFC 3261 §25.1 want: `algorithm` and `stale` bare in a challenge, `algorithm`,
 * `qop` and `nc` bare in credentials, every other parameter quoted.
 *
 * @param header - the scheme and its parameters
 * @param kind - `'challenge'` for WWW-Authenticate and Proxy-Authenticate, `'credentials'` (the
 *   default) for Authorization and Proxy-Authorization
 * @returns the header value, without the header name
 * @example
 * ```ts
 * import { stringifyAuthHeader } from 'rxsip/sip';
 *
 * const value = stringifyAuthHeader(
 *   { scheme: 'Digest', params: { realm: 'example.com', nonce: 'a1b2c3', algorithm: 'MD5' } },
 *   'challenge',
 * );
 * // 'Digest realm="example.com", nonce="a1b2c3", algorithm=MD5'
 * ```
 */
export function stringifyAuthHeader(
  header: AuthHeader,
  kind: 'challenge' | 'credentials' = 'credentials',
): string {
  const unquoted = UNQUOTED[kind];
  const parts: string[] = [];
  for (const name in header.params) {
    const value = header.params[name] ?? '';
    parts.push(unquoted.has(name) ? `${name}=${value}` : `${name}=${quote(value)}`);
  }
  return parts.length ? `${header.scheme} ${parts.join(', ')}` : header.scheme;
}
