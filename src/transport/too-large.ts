import { createResponse } from '../sip/build.js';
import { SipParseError } from '../sip/errors.js';
import { SipRequest } from '../sip/message.js';
import { parseMessage } from '../sip/parser.js';

const END_OF_HEADERS = Buffer.from('\r\n');

// A stream framer's refusal for size (header section or body over the limit), not for a bad Content-Length.
const SIZE_REFUSAL = /^stream framing: (?:header section over|body of \d+ bytes over)/;

/** Whether a framing error is the framer's refusal of a message too large. */
export function isSizeRefusal(error: unknown): boolean {
  return error instanceof SipParseError && SIZE_REFUSAL.test(error.reason);
}

/**
 * RFC 3261 §21.5.14: the 513 for a request too large to read, built from its first bytes when
 * its start line and top Via are among them (the header lines after the last whole one are
 * dropped). Undefined when no response can be framed: a response, an ACK, no Via.
 */
export function tooLargeResponse(head: Buffer): Buffer | undefined {
  const lastLine = head.lastIndexOf(0x0a);
  if (lastLine < 0) return undefined;
  const section = Buffer.concat([head.subarray(0, lastLine + 1), END_OF_HEADERS]);
  let request: unknown;
  try {
    request = parseMessage(section);
  } catch (err) {
    if (!(err instanceof SipParseError)) return undefined;
    request = err.partial;
  }
  if (!(request instanceof SipRequest) || request.method === 'ACK') return undefined;
  try {
    if (!request.topVia) return undefined;
    return createResponse(request, 513).toBuffer();
  } catch {
    return undefined;
  }
}
