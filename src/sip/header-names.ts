// RFC 3261 §7.3.3 compact forms, plus the later RFCs' (3265, 3515, 3841, 3892, 4028, 4474).
const COMPACT: Readonly<Record<string, string>> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

const SPECIAL_CASE: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  rack: 'RAck',
  rseq: 'RSeq',
  'sip-etag': 'SIP-ETag',
  'sip-if-match': 'SIP-If-Match',
  'min-se': 'Min-SE',
};

const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 512;

/**
 * The lower-case, long-form name a header is stored and looked up under: case folded
 * (RFC 3261 §7.3.1) and compact forms expanded (§7.3.3), so `v`, `VIA` and `Via` are one key.
 *
 * @param name - a header name as written in a message or by the application
 * @returns the key, e.g. `via` or `call-id`
 * @example
 * ```ts
 * import { headerKey } from 'rxsip/sip';
 *
 * headerKey('i'); // 'call-id'
 * headerKey('Record-Route'); // 'record-route'
 * ```
 */
export function headerKey(name: string): string {
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const key = lower.length === 1 && Object.hasOwn(COMPACT, lower) ? (COMPACT[lower] as string) : lower;
  if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(name, key);
  return key;
}

/**
 * The conventional spelling of a header name, used for headers the stack writes itself: each
 * word capitalised, with the RFCs' own spellings for Call-ID, CSeq, WWW-Authenticate, RAck and
 * the like.
 *
 * @param key - a header key as {@link headerKey} returns it
 * @returns the name as a message writes it
 * @example
 * ```ts
 * import { canonicalHeaderName } from 'rxsip/sip';
 *
 * canonicalHeaderName('call-id'); // 'Call-ID'
 * canonicalHeaderName('max-forwards'); // 'Max-Forwards'
 * ```
 */
export function canonicalHeaderName(key: string): string {
  if (Object.hasOwn(SPECIAL_CASE, key)) return SPECIAL_CASE[key] as string;
  let out = '';
  let upper = true;
  for (const ch of key) {
    out += upper ? ch.toUpperCase() : ch;
    upper = ch === '-';
  }
  return out;
}

/** A header name the parser recognises in place: the conventional spelling and the key. */
export interface CommonHeader {
  readonly name: string;
  readonly key: string;
}

// Header names seen on nearly every message, and the compact forms, to recognise in place (no
// slicing or hashing per line).
export const COMMON_HEADERS: readonly CommonHeader[] = [
  ...[
    'Via',
    'From',
    'To',
    'Call-ID',
    'CSeq',
    'Contact',
    'Max-Forwards',
    'Content-Length',
    'Content-Type',
    'Record-Route',
    'Route',
    'Allow',
    'Supported',
    'Require',
    'User-Agent',
    'Server',
    'Expires',
    'Accept',
    'Authorization',
    'WWW-Authenticate',
    'Proxy-Authorization',
    'Proxy-Authenticate',
    'P-Asserted-Identity',
    'Session-Expires',
    'Min-SE',
    'RSeq',
    'RAck',
    'Event',
    'Subscription-State',
    'Refer-To',
    'Referred-By',
    'Date',
    'Timestamp',
    'Reason',
    'Privacy',
    'Allow-Events',
    'Content-Disposition',
    'Organization',
  ].map((name) => ({ name, key: name.toLowerCase() })),
  ...Object.entries(COMPACT).map(([name, key]) => ({ name, key })),
];

// Indexes into COMMON_HEADERS by name length.
const BY_LENGTH: number[][] = [];
COMMON_HEADERS.forEach((entry, index) => {
  const bucket = BY_LENGTH[entry.name.length] ?? [];
  bucket.push(index);
  BY_LENGTH[entry.name.length] = bucket;
});

/**
 * Recognises a common header name written in `text` from `start` to `end` (any case) without
 * slicing it. Returns `2 * i + 1` for entry `i` of {@link COMMON_HEADERS} spelled as the entry
 * spells it (the caller then need not slice the name), `2 * i` for another spelling, or -1 for
 * any other name.
 */
export function commonHeaderAt(text: string, start: number, end: number): number {
  const candidates = BY_LENGTH[end - start];
  if (candidates === undefined) return -1;
  for (let k = 0; k < candidates.length; k++) {
    const index = candidates[k] as number;
    const name = (COMMON_HEADERS[index] as CommonHeader).name;
    let exact = 1;
    let i = 0;
    for (; i < name.length; i++) {
      const c = text.charCodeAt(start + i);
      const want = name.charCodeAt(i);
      if (c === want) continue;
      // ASCII letters only: "-" | 0x20 is still "-".
      if ((c | 0x20) !== (want | 0x20) || (want | 0x20) < 0x61 || (want | 0x20) > 0x7a) break;
      exact = 0;
    }
    if (i === name.length) return 2 * index + exact;
  }
  return -1;
}
