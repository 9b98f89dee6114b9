import { isSipUri, isTelUri, parseUri as parseRxUri, stringifyUri as stringifyRxUri } from '../sip/uri.js';

/** A SIP URI as drachtio-srf's `parseUri` gives it. */
export interface DrachtioSipUri {
  /** `ipv6` for a bracketed IPv6 host, else `ipv4` (drachtio-srf says ipv4 for names too). */
  family: 'ipv4' | 'ipv6';
  /** `sip` or `sips`. */
  scheme: 'sip' | 'sips';
  /** The user part. */
  user?: string;
  /** The password part (deprecated by RFC 3261 §19.1.1, still parsed). */
  password?: string;
  /** The host, an IPv6 reference without its brackets. */
  host: string;
  /** The port; NaN when the URI has none, as drachtio-srf gives it. */
  port: number;
  /** URI parameters; a parameter without a value is null. */
  params: Record<string, string | null>;
  /** URI headers. */
  headers: Record<string, string>;
}

/** A tel URI as drachtio-srf's `parseUri` gives it (RFC 3966). */
export interface DrachtioTelUri {
  /** `tel`. */
  scheme: 'tel';
  /** The number. */
  number: string;
  /** The phone-context parameter. */
  context?: string;
  /** The other parameters. */
  params: Record<string, string | null>;
}

/**
 * drachtio-srf's `Srf.parseUri`: a `sip:`, `sips:` or `tel:` URI as plain fields, or undefined
 * when it is not one. Unlike drachtio-srf's, a URI in angle brackets (`<sip:...>`, `<tel:...>`,
 * or a whole name-addr) is read too.
 *
 * @param text - the URI
 * @returns its parts, or undefined
 * @example
 * ```ts
 * Srf.parseUri('<sip:alice@192.0.2.1:5070;transport=tcp>')?.port; // 5070
 * ```
 */
export function parseUri(text: string | undefined): DrachtioSipUri | DrachtioTelUri | undefined {
  if (typeof text !== 'string') return undefined;
  const open = text.indexOf('<');
  const inner = open >= 0 ? text.slice(open + 1, text.indexOf('>', open)) : text.trim();
  let uri: ReturnType<typeof parseRxUri>;
  try {
    uri = parseRxUri(inner);
  } catch {
    return undefined;
  }
  if (isTelUri(uri)) {
    const { 'phone-context': context, ...params } = uri.params as Record<string, string | null>;
    return context
      ? { scheme: 'tel', number: uri.number, context, params }
      : { scheme: 'tel', number: uri.number, params };
  }
  if (!isSipUri(uri)) return undefined;
  const ipv6 = uri.host.startsWith('[');
  return {
    family: ipv6 ? 'ipv6' : 'ipv4',
    scheme: uri.scheme,
    ...(uri.user !== undefined ? { user: uri.user } : {}),
    ...(uri.password !== undefined ? { password: uri.password } : {}),
    host: ipv6 ? uri.host.slice(1, -1) : uri.host,
    port: uri.port ?? Number.NaN,
    params: { ...(uri.params as Record<string, string | null>) },
    headers: { ...uri.headers },
  };
}

/**
 * drachtio-srf's `Srf.stringifyUri`: the text of a URI given as `parseUri` returns it.
 *
 * @param uri - the parts
 * @returns the URI
 * @example
 * ```ts
 * Srf.stringifyUri({ family: 'ipv4', scheme: 'sip', user: 'bob', host: '192.0.2.2', port: NaN, params: {}, headers: {} });
 * ```
 */
export function stringifyUri(uri: DrachtioSipUri | DrachtioTelUri): string {
  if (uri.scheme === 'tel') {
    const params = uri.context ? Object.assign({}, uri.params, { 'phone-context': uri.context }) : uri.params;
    return stringifyRxUri({ scheme: 'tel', number: uri.number, params });
  }
  const host = uri.host.includes(':') && !uri.host.startsWith('[') ? `[${uri.host}]` : uri.host;
  return stringifyRxUri({
    scheme: uri.scheme,
    user: uri.user,
    password: uri.password,
    host,
    port: Number.isNaN(uri.port) ? undefined : uri.port,
    params: uri.params,
    headers: uri.headers,
  });
}
