import type { Logger } from 'pino';
import { SipParseError } from '../sip/errors.js';
import { SipRequest } from '../sip/message.js';
import { parseMessage } from '../sip/parser.js';
import { stampVia } from './stamp-via.js';
import type { InboundHandler } from './transport-layer.js';
import type { Source } from './types.js';

function isKeepAlive(data: Buffer): boolean {
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c !== 0x0d && c !== 0x0a && c !== 0x20 && c !== 0x09 && c !== 0x00) return false;
  }
  return true;
}

// A malformed request is still answered per its Via (with received/rport) when the Via reads.
function stampIfPossible(request: SipRequest, source: Source): void {
  try {
    stampVia(request, source);
  } catch {
    // the Via is what is malformed: the answer goes back to the source
  }
}

/**
 * Turns one datagram or framed message into a call on the handler. Keep-alives (CRLF, or a
 * STUN packet on a SIP port, RFC 5626 §4.4.2) are ignored; parse errors go to `onMalformed`.
 * Returns true when the bytes were a SIP message (handed to `onRequest` or `onResponse`).
 */
export function decodeMessage(data: Buffer, source: Source, handler: InboundHandler, log: Logger): boolean {
  if (data.length === 0 || isKeepAlive(data)) return false;
  // RFC 7983 §7: a first byte of 0 or 1 is STUN, never SIP.
  if (data[0] === 0x00 || data[0] === 0x01) return false;
  let message: ReturnType<typeof parseMessage>;
  try {
    message = parseMessage(data);
    if (message instanceof SipRequest) {
      if (message.getAll('via').length === 0) throw new SipParseError('request without Via');
      stampVia(message, source);
    }
  } catch (err) {
    if (err instanceof SipParseError) {
      if (err.partial instanceof SipRequest) stampIfPossible(err.partial, source);
      handler.onMalformed(err, source);
      return false;
    }
    log.error({ err, source }, 'unexpected error parsing a message');
    return false;
  }
  if (message instanceof SipRequest) handler.onRequest(message, source, data.length);
  else handler.onResponse(message, source);
  return true;
}
