import { SipParseError } from './errors.js';
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
