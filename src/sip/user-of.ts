import { SipParseError } from './errors.js';
import { type NameAddr, uriOf } from './name-addr.js';
import { isSipUri, isTelUri, parseUri, type Uri } from './uri.js';

/**
 * @internal The user part of a SIP URI or the number of a tel URI.
 *
 * @param uri - the URI as text (parsed here), or already parsed
 * @returns the user or number; `undefined` for other URIs and for text that does not parse
 */
export function userOf(uri: string | Uri | undefined): string | undefined {
  if (uri === undefined) return undefined;
  let parsed: Uri;
  try {
    parsed = typeof uri === 'string' ? parseUri(uri) : uri;
  } catch (err) {
    // an unparseable URI has no user
    if (err instanceof SipParseError) return undefined;
    throw err;
  }
  if (isSipUri(parsed)) return parsed.user;
  if (isTelUri(parsed)) return parsed.number;
  return undefined;
}

/**
 * @internal The user of a name-addr's URI (see {@link userOf}), the URI as its full parse read
 * it (a P-Asserted-Identity's, say) rather than parsed again.
 *
 * @param addr - a From, To or P-Asserted-Identity value
 * @returns the user or number; `undefined` for other URIs and for a URI that does not parse
 */
export function userOfNameAddr(addr: NameAddr | undefined): string | undefined {
  if (addr === undefined) return undefined;
  try {
    return userOf(uriOf(addr));
  } catch (err) {
    if (err instanceof SipParseError) return undefined;
    throw err;
  }
}
