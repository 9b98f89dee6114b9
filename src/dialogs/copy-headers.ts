import { headerKey } from '../sip/header-names.js';
import type { HeaderInit, SipMessage } from '../sip/message.js';

// Headers a B2BUA never copies between legs: each leg has its own (drachtio-srf's list, plus the
// routing and security headers that belong to one hop).
const LEG_HEADERS = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'content-length',
  'content-type',
  'max-forwards',
  'route',
  'record-route',
  'rseq',
  'rack',
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
]);

/**
 * The headers of `message` named by `spec` (drachtio-srf's `proxyRequestHeaders` /
 * `proxyResponseHeaders`): a list of names, or `['all', '-X-Foo', ...]` for every header but
 * the leg's own and those named with `-`. A leg's own headers (Via, From, To, Call-ID, CSeq,
 * Contact, routing, credentials, RSeq/RAck, Content-Length and Content-Type) are never taken by
 * `'all'`: each leg of a B2BUA has its own.
 *
 * @param message - the request or response of one leg
 * @param spec - header names to copy, or `'all'` and names prefixed with `-` to leave out
 * @returns the headers, one array entry per line, ready for the other leg's request or response
 * @example
 * ```ts
 * import { copyHeaders, type SipRequest } from 'rxsip';
 *
 * declare const invite: SipRequest;
 * const forB = copyHeaders(invite, ['all', '-X-Internal']); // every header but X-Internal and the leg's own
 * const diversion = copyHeaders(invite, ['Diversion', 'P-Asserted-Identity']);
 * ```
 */
export function copyHeaders(message: SipMessage, spec: readonly string[] | undefined): HeaderInit {
  const out: HeaderInit = {};
  if (!spec || spec.length === 0) return out;
  const all = spec.some((s) => s.toLowerCase() === 'all');
  const excluded = new Set(spec.filter((s) => s.startsWith('-')).map((s) => headerKey(s.slice(1))));
  const wanted = new Set(spec.filter((s) => s.toLowerCase() !== 'all' && !s.startsWith('-')).map(headerKey));
  for (const field of message.fields) {
    const take = all ? !LEG_HEADERS.has(field.key) && !excluded.has(field.key) : wanted.has(field.key);
    if (!take) continue;
    const existing = out[field.name];
    out[field.name] =
      existing === undefined
        ? field.value
        : [...(Array.isArray(existing) ? existing : [String(existing)]), field.value];
  }
  return out;
}
