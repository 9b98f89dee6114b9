import type { Params } from './params.js';
import { isSipUri, isTelUri, parseUri, type Uri } from './uri.js';

// RFC 3261 §19.1.4: these parameters must match when either URI has them.
const MUST_MATCH = ['user', 'ttl', 'method', 'maddr', 'transport'];

function sameText(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === b) return true;
  if (a == null || b == null) return false;
  return a.toLowerCase() === b.toLowerCase();
}

function paramsEqual(a: Params, b: Params): boolean {
  for (const name of MUST_MATCH) {
    if (name in a !== name in b) return false;
  }
  for (const name in a) {
    if (name in b && !sameText(a[name], b[name])) return false;
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

/**
 * URI equality as RFC 3261 §19.1.4 defines it: user and password compare case-sensitively after
 * unescaping, host and parameters case-insensitively, a default port does not equal an omitted
 * one, and `user`, `ttl`, `method`, `maddr`, `transport` must match when either URI has them.
 */
export function uriEquals(a: Uri | string, b: Uri | string): boolean {
  const x = typeof a === 'string' ? parseUri(a) : a;
  const y = typeof b === 'string' ? parseUri(b) : b;
  if (x.scheme !== y.scheme) return false;
  if (isSipUri(x) && isSipUri(y)) {
    return (
      x.user === y.user &&
      x.password === y.password &&
      x.host.toLowerCase() === y.host.toLowerCase() &&
      x.port === y.port &&
      paramsEqual(x.params, y.params) &&
      headersEqual(x.headers, y.headers)
    );
  }
  if (isTelUri(x) && isTelUri(y)) {
    if (telDigits(x.number) !== telDigits(y.number)) return false;
    const xk = Object.keys(x.params);
    if (xk.length !== Object.keys(y.params).length) return false;
    return xk.every((k) => k in y.params && sameText(x.params[k], y.params[k]));
  }
  return 'opaque' in x && 'opaque' in y && x.opaque === y.opaque;
}
