import { SipParseError } from './errors.js';
import { endOfQuoted, isTokenChar, isWhitespace, skipWhitespace } from './grammar.js';

/** Header or URI parameters: lower-case names; `null` for a parameter without a value. */
export type Params = Record<string, string | null>;

// A class whose prototype has no prototype: keys like "__proto__" are plain keys (as with
// Object.create(null)), but V8 keeps instances in fast mode, and writes are several times cheaper.
class Bag {}
Object.setPrototypeOf(Bag.prototype, null);

/** An empty object without Object.prototype, for keys that come from the wire. */
export function emptyBag<T>(): Record<string, T> {
  return new Bag() as Record<string, T>;
}

export function emptyParams(): Params {
  return emptyBag<string | null>();
}

/**
 * A copy of `params` that a caller may add to: a bag like {@link emptyParams}'s. A spread
 * (`{ ...params, tag }`) would cost about 1 µs per added key on Node 20 (see
 * lint/no-spread-then-member.grit) and give the copy Object.prototype back.
 * @param params - the parameters to copy
 * @returns a new bag with the same entries
 */
export function copyParams(params: Params): Params {
  return Object.assign(emptyParams(), params);
}

// Parameter names nearly every message carries, as constants: a name read from the text is then
// neither copied out of it nor looked up in V8's string table to become a property key.
const KNOWN_NAMES: readonly (readonly string[])[] = [
  [],
  ['q'],
  ['lr', 'ob'],
  ['tag', 'ttl'],
  ['user', 'ftag'],
  ['rport', 'maddr'],
  ['branch', 'method', 'reg-id'],
  ['expires'],
  ['received'],
  ['transport', 'refresher'],
];

/** The constant for the lower-case name written in `s` from `start` to `end`, if it is a known one. */
function knownName(s: string, start: number, end: number): string | undefined {
  const candidates = KNOWN_NAMES[end - start];
  if (candidates === undefined) return undefined;
  for (const name of candidates) {
    let i = 0;
    while (i < name.length && s.charCodeAt(start + i) === name.charCodeAt(i)) i++;
    if (i === name.length) return name;
  }
  return undefined;
}

/**
 * Parses `*( SEMI generic-param )` from `s` at `start` (RFC 3261 §25.1), allowing LWS around
 * `;` and `=`. Values keep their quotes so that they serialize back unchanged.
 *
 * @param s - the text holding the parameters
 * @param start - the index of the first `;`
 * @param what - the header's name, to start the error's reason with
 * @returns the parameters by lower-case name, `null` for one without a value
 * @throws {@link SipParseError} when something other than a parameter follows, or a value is empty
 * @example
 * ```ts
 * import { parseParams } from 'rxsip/sip';
 *
 * const value = 'application/sdp;charset=utf-8';
 * const params = parseParams(value, value.indexOf(';'), 'Content-Type'); // { charset: 'utf-8' }
 * ```
 */
export function parseParams(s: string, start: number, what: string): Params {
  const params = emptyParams();
  let i = skipWhitespace(s, start);
  while (i < s.length) {
    if (s.charCodeAt(i) !== 0x3b /* ; */) {
      throw new SipParseError(`${what}: unexpected "${s[i]}" where a ";" parameter should start`);
    }
    i = skipWhitespace(s, i + 1);
    const nameStart = i;
    let upper = false;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (!isTokenChar(c)) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
    }
    if (i === nameStart) throw new SipParseError(`${what}: empty parameter name`);
    const name = upper
      ? s.slice(nameStart, i).toLowerCase()
      : (knownName(s, nameStart, i) ?? s.slice(nameStart, i));
    i = skipWhitespace(s, i);
    let value: string | null = null;
    if (i < s.length && s.charCodeAt(i) === 0x3d /* = */) {
      i = skipWhitespace(s, i + 1);
      if (s.charCodeAt(i) === 0x22) {
        const end = endOfQuoted(s, i);
        if (end < 0) throw new SipParseError(`${what}: unterminated quoted parameter value`);
        value = s.slice(i, end);
        i = end;
      } else {
        const valueStart = i;
        while (i < s.length) {
          const c = s.charCodeAt(i);
          if (c === 0x3b || isWhitespace(c)) break;
          i++;
        }
        if (i === valueStart) throw new SipParseError(`${what}: parameter "${name}" has an empty value`);
        value = s.slice(valueStart, i);
      }
      i = skipWhitespace(s, i);
    }
    params[name] = value;
  }
  return params;
}

/**
 * Writes parameters as `;name=value`, and `;name` for a `null` value, in the object's order.
 *
 * @param params - the parameters, values as they go on the wire (quoted where they need it)
 * @returns the text, empty when there are none, else starting with `;`
 * @example
 * ```ts
 * import { stringifyParams } from 'rxsip/sip';
 *
 * stringifyParams({ transport: 'tcp', lr: null }); // ';transport=tcp;lr'
 * ```
 */
export function stringifyParams(params: Params): string {
  let out = '';
  for (const name in params) {
    const value = params[name];
    out += value === null || value === undefined ? `;${name}` : `;${name}=${value}`;
  }
  return out;
}
