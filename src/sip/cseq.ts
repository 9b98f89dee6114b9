import { SipParseError } from './errors.js';
import { isDigits, isToken } from './grammar.js';

export interface CSeq {
  seq: number;
  method: string;
}

// RFC 3261 §8.1.1.5: the sequence number is a 32-bit unsigned integer.
const MAX_CSEQ = 2 ** 32 - 1;

export function parseCSeq(value: string): CSeq {
  const v = value.trim();
  const space = v.search(/\s/);
  if (space < 0) throw new SipParseError('CSeq: expected "<number> <method>"');
  const seqText = v.slice(0, space);
  const method = v.slice(space).trim();
  if (!isDigits(seqText) || seqText.length > 10 || Number(seqText) > MAX_CSEQ) {
    throw new SipParseError(`CSeq: sequence number "${seqText}" is not a 32-bit unsigned integer`);
  }
  if (!isToken(method)) throw new SipParseError(`CSeq: bad method "${method}"`);
  return { seq: Number(seqText), method };
}

export function stringifyCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
