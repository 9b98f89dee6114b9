import { SipParseError } from './errors.js';
import { isDigits, isToken, isWhitespace, trimLws } from './grammar.js';

export interface CSeq {
  seq: number;
  method: string;
}

// RFC 3261 §8.1.1.5: the sequence number is a 32-bit unsigned integer.
const MAX_CSEQ = 2 ** 32 - 1;

export function parseCSeq(value: string): CSeq {
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

export function stringifyCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
