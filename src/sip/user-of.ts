import { isSipUri, isTelUri, parseUri } from './uri.js';

/** @internal The user part of a SIP URI or the number of a tel URI. */
export function userOf(uriText: string | undefined): string | undefined {
  if (uriText === undefined) return undefined;
  try {
    const uri = parseUri(uriText);
    if (isSipUri(uri)) return uri.user;
    if (isTelUri(uri)) return uri.number;
  } catch {
    // an unparseable URI has no user
  }
  return undefined;
}
