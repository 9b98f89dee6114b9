import type { SipMessage } from './sip-message.js';

/**
 * Whether a comma-separated token header (Supported, Require, Allow, Accept-Encoding, ...)
 * lists `token`, compared case-insensitively, over every line of the header.
 *
 * @param message - the request or response to look in
 * @param header - the header name, any case, compact forms too
 * @param token - the option tag (`100rel`, `timer`) or method (`UPDATE`) looked for
 * @returns true when some line of the header lists the token
 * @example
 * ```ts
 * import type { SrfRequest, SrfResponse } from 'rxsip';
 * import { hasOptionTag } from 'rxsip/sip';
 *
 * declare const req: SrfRequest;
 * declare const res: SrfResponse;
 * if (hasOptionTag(req, 'Supported', '100rel')) res.send(183, { headers: { Require: '100rel' } });
 * ```
 */
export function hasOptionTag(message: SipMessage, header: string, token: string): boolean {
  const wanted = token.toLowerCase();
  for (const line of message.getAll(header)) {
    for (const item of line.split(',')) if (item.trim().toLowerCase() === wanted) return true;
  }
  return false;
}
