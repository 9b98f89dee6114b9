import { SipParseError } from './errors.js';
import { digitsValue, isDigits, isToken, isTokenChar, isWhitespace, trimLws } from './grammar.js';

/** A CSeq header (RFC 3261 §20.16): orders requests in a dialog and ties a response to its request. */
export interface CSeq {
  /** The sequence number, a 32-bit unsigned integer (RFC 3261 §8.1.1.5). */
  seq: number;
  /** The method of the request, as in its request line. */
  method: string;
}

// RFC 3261 §8.1.1.5: the sequence number is a 32-bit unsigned integer.
const MAX_CSEQ = 2 ** 32 - 1;

/**
 * Reads a CSeq value, `<number> <method>` (RFC 3261 §20.16).
 *
 * @param value - the header value, without the header name
 * @returns the sequence number and method
 * @throws {@link SipParseError} when the number is not a 32-bit unsigned integer or the method
 *   not a token
 * @example
 * ```ts
 * import { parseCSeq } from 'rxsip/sip';
 *
 * const { seq, method } = parseCSeq('314159 INVITE'); // 314159, 'INVITE'
 * ```
 */
export function parseCSeq(value: string): CSeq {
  // As nearly every CSeq is written, "<digits> <token>", read in one pass; anything else below.
  const i = value.indexOf(' ');
  const seq = digitsValue(value, i);
  if (seq >= 0 && seq <= MAX_CSEQ) {
    let end = i + 1;
    while (end < value.length && isTokenChar(value.charCodeAt(end))) end++;
    if (end === value.length && end > i + 1) return { seq, method: value.slice(i + 1) };
  }
  const v = trimLws(value);
  let space = 0;
  while (space < v.length && !isWhitespace(v.charCodeAt(space))) space++;
  if (space === v.length) throw new SipParseError('CSeq: expected "<number> <method>"');
  const seqText = v.slice(0, space);
  const method = trimLws(v.slice(space));
  if (!isDigits(seqText) || seqText.length > 10 || Number(seqText) > MAX_CSEQ) {
    throw new SipParseError(`CSeq: sequence number "${seqText}" is not a 32-bit unsigned integer`);
  }
  if (!isToken(method)) throw new SipParseError(`CSeq: bad method "${method}"`);
  return { seq: Number(seqText), method };
}

/**
 * Writes a CSeq value, `<number> <method>`.
 *
 * @param cseq - the sequence number and method
 * @returns the header value, without the header name
 * @example
 * ```ts
 * import { stringifyCSeq } from 'rxsip/sip';
 *
 * const value = stringifyCSeq({ seq: 2, method: 'BYE' }); // '2 BYE'
 * ```
 */
export function stringifyCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
