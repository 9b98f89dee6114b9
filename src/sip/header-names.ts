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

/** The lower-case, long-form name a header is stored and looked up under. */
export function headerKey(name: string): string {
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const key = lower.length === 1 && Object.hasOwn(COMPACT, lower) ? (COMPACT[lower] as string) : lower;
  if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(name, key);
  return key;
}

/** The conventional spelling of a header name, used for headers the stack writes itself. */
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
