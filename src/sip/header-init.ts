import { headerKey } from './header-names.js';
import type { HeaderInit } from './sip-message.js';

/**
 * Header fields that appear at most once in a message (RFC 3261 §7.3.1 and §20, RFC 3262,
 * RFC 3515, RFC 4028, RFC 6665). When the application supplies one of them, its value takes the
 * place of the stack's.
 */
export const SINGLETON_HEADERS: ReadonlySet<string> = new Set([
  'call-id',
  'content-disposition',
  'content-length',
  'content-type',
  'cseq',
  'date',
  'event',
  'expires',
  'from',
  'max-forwards',
  'mime-version',
  'min-expires',
  'min-se',
  'organization',
  'priority',
  'rack',
  'refer-to',
  'referred-by',
  'reply-to',
  'retry-after',
  'rseq',
  'server',
  'session-expires',
  'subject',
  'subscription-state',
  'timestamp',
  'to',
  'user-agent',
]);

/**
 * Merges header objects left to right. A name given again replaces the earlier value whatever
 * its case or compact form (`contact`, `Contact` and `m` are one header), and keeps the
 * spelling of the last one; `undefined` removes. The result is a new object.
 *
 * @param inits - header objects, the later ones winning
 * @returns one header object with each header once
 * @example
 * ```ts
 * import { mergeHeaders } from 'rxsip/sip';
 *
 * const headers = mergeHeaders({ Contact: '<sip:a@h>', Allow: 'INVITE' }, { contact: '<sip:b@h>' });
 * // { Allow: 'INVITE', contact: '<sip:b@h>' }
 * ```
 */
export function mergeHeaders(...inits: ReadonlyArray<HeaderInit | undefined>): HeaderInit {
  // Three parallel arrays and a linear search, not a Map of pairs: an answer merges a handful of
  // headers (every 200 a UAS sends comes through here), where a Map and a pair per header were
  // most of what the merge allocated.
  const keys: string[] = [];
  const names: string[] = [];
  const values: HeaderInit[string][] = [];
  for (const init of inits) {
    if (!init) continue;
    for (const name in init) {
      const key = headerKey(name);
      const at = keys.indexOf(key);
      if (at !== -1) {
        // Given again: the later one wins, and takes the later place.
        keys.splice(at, 1);
        names.splice(at, 1);
        values.splice(at, 1);
      }
      keys.push(key);
      names.push(name);
      values.push(init[name]);
    }
  }
  const out: HeaderInit = {};
  for (let i = 0; i < keys.length; i++) {
    const value = values[i];
    if (value !== undefined) out[names[i] as string] = value;
  }
  return out;
}

/**
 * Whether a header object names `header` (any case, compact forms too), so that an application
 * can tell whether it already set a header the stack would otherwise write.
 *
 * @param init - the header object, or `undefined` (which names nothing)
 * @param header - the header name in any spelling: `Contact`, `contact` or `m`
 * @returns `true` when `init` has a defined value under that header
 * @example
 * ```ts
 * import { hasHeader } from 'rxsip/sip';
 *
 * hasHeader({ m: '<sip:alice@192.0.2.1>' }, 'Contact'); // true
 * hasHeader({ Contact: undefined }, 'contact'); // false
 * ```
 */
export function hasHeader(init: HeaderInit | undefined, header: string): boolean {
  if (!init) return false;
  const key = headerKey(header);
  for (const name in init) if (init[name] !== undefined && headerKey(name) === key) return true;
  return false;
}
