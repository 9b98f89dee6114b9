import type { Via } from './via.js';

/**
 * @internal The Via list of a message whose only Via value is its top Via, already parsed (by
 * the transport that stamped `received`, or copied into a response): one line without a comma
 * holds one via-parm (RFC 3261 §7.3.1), so the list is that Via and need not be parsed again.
 *
 * @param values - the message's Via lines
 * @param top - the top Via as parsed or seeded, if it has been
 * @returns `[top]`, or `undefined` when the list must be parsed
 */
export function loneVia(values: readonly string[], top: Via | undefined): Via[] | undefined {
  return top !== undefined && values.length === 1 && !values[0]?.includes(',') ? [top] : undefined;
}
