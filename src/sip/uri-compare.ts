import type { Params } from './params.js';
import { isSipUri, isTelUri, parseUri, type Uri } from './uri.js';

// RFC 3261 §19.1.4: these parameters must match when either URI has them.
const MUST_MATCH = ['user', 'ttl', 'method', 'maddr', 'transport'];

function sameText(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === b) return true;
  if (a == null || b == null) return false;
  return a.toLowerCase() === b.toLowerCase();
}

// Own keys only: parsed params have no prototype, but params written as `{}` by hand do, and
// `constructor` or `toString` must not be found there.
const has = (o: object, key: string): boolean => Object.hasOwn(o, key);

function paramsEqual(a: Params, b: Params): boolean {
  for (const name of MUST_MATCH) {
    if (has(a, name) !== has(b, name)) return false;
  }
  for (const name of Object.keys(a)) {
    if (has(b, name) && !sameText(a[name], b[name])) return false;
  }
  return true;
}

function headersEqual(a: Record<string, string>, b: Record<string, string>): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  const bl = new Map(Object.entries(b).map(([k, v]) => [k.toLowerCase(), v]));
  return ak.every((k) => bl.get(k.toLowerCase()) === a[k]);
}

// RFC 3966 §4: visual separators do not take part in comparison.
function telDigits(n: string): string {
  return n.replace(/[-.()]/g, '').toLowerCase();
}

// RFC 3966 §4: a phone-context that is a global number compares digit by digit, without
// visual separators; a domain name compares as a host name.
function samePhoneContext(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null || !a.startsWith('+') || !b.startsWith('+')) return sameText(a, b);
  return telDigits(a) === telDigits(b);
}

// RFC 5954 §4.2: IP addresses match when their textual forms yield the same binary address,
// so IPv6 references compare in canonical form ([2001:db8::9:01] = [2001:DB8::9:1]).
function hostKey(host: string): string {
  const lower = host.toLowerCase();
  if (lower.charCodeAt(0) !== 0x5b /* [ */) return lower;
  try {
    return new URL(`http://${lower}/`).hostname;
  } catch {
    return lower; // not an address the URL parser knows (RFC 5118 §4.10 forms): compare as text
  }
}

/**
 * URI equality as RFC 3261 §19.1.4 defines it: user and password compare case-sensitively after
 * unescaping, host and parameters case-insensitively, a default port does not equal an omitted
 * one, and `user`, `ttl`, `method`, `maddr`, `transport` must match when either URI has them.
 * IPv6 references compare by address (RFC 5954 §4.2); tel URIs as RFC 3966 §4 says.
 *
 * @param a - a URI, parsed or as text
 * @param b - the other URI, parsed or as text
 * @returns `true` when the two URIs are equal for SIP
 * @throws {@link SipParseError} when a URI given as text does not parse
 * @example
 * ```ts
 * import { uriEquals } from 'rxsip/sip';
 *
 * uriEquals('sip:alice@AtlantA.com;transport=TCP', 'sip:alice@atlanta.com;transport=tcp'); // true
 * uriEquals('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'); // false: a default port is not an omitted one
 * ```
 */
export function uriEquals(a: Uri | string, b: Uri | string): boolean {
  const x = typeof a === 'string' ? parseUri(a) : a;
  const y = typeof b === 'string' ? parseUri(b) : b;
  if (x.scheme !== y.scheme) return false;
  if (isSipUri(x) && isSipUri(y)) {
    return (
      x.user === y.user &&
      x.password === y.password &&
      hostKey(x.host) === hostKey(y.host) &&
      x.port === y.port &&
      paramsEqual(x.params, y.params) &&
      headersEqual(x.headers, y.headers)
    );
  }
  if (isTelUri(x) && isTelUri(y)) {
    if (telDigits(x.number) !== telDigits(y.number)) return false;
    const xk = Object.keys(x.params);
    if (xk.length !== Object.keys(y.params).length) return false;
    return xk.every(
      (k) =>
        has(y.params, k) &&
        (k === 'phone-context'
          ? samePhoneContext(x.params[k], y.params[k])
          : sameText(x.params[k], y.params[k])),
    );
  }
  return 'opaque' in x && 'opaque' in y && x.opaque === y.opaque;
}
