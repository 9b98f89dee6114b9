import type { SchedulerLike } from 'rxjs';
import type { SipMeta } from '../drachtio-wire/sip-meta.js';
import { wireTime } from '../drachtio-wire/wire-time.js';
import { canonicalHeaderName } from '../sip/header-names.js';
import type { HeaderField, HeaderInit, SipMessage, SipRequest, SipResponse } from '../sip/message.js';
import { parseMessage } from '../sip/parser.js';
import type { Source } from '../transport/types.js';

const CONTENT_LENGTH_LINE = /^(?:content-length|l)[ \t]*:[^\r\n]*(?:\r\n|$)/gim;

/**
 * Reads a SIP message an app sent. drachtio-srf writes Content-Length as the body's length in
 * UTF-16 units, not bytes, so the body is taken as everything after the header section.
 *
 * @throws SipParseError when the message cannot be read
 */
export function parseAppMessage(text: string): SipRequest | SipResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return parseMessage(text);
  const head = `${text.slice(0, end + 2).replace(CONTENT_LENGTH_LINE, '')}\r\n`;
  return parseMessage(head + text.slice(end + 4));
}

/**
 * A message's headers as a `HeaderInit`, in order, less those named in `skip` (lower case).
 * drachtio-srf writes most header names in lower case; they go out in their usual spelling
 * (`Contact`), as drachtio-server writes them. Names given in another case are kept.
 */
export function headersOf(message: SipMessage, skip: ReadonlySet<string>): HeaderInit {
  const headers: Record<string, string[]> = {};
  const names = new Map<string, string>();
  for (const f of message.fields as HeaderField[]) {
    if (skip.has(f.key)) continue;
    const name = names.get(f.key) ?? (f.name === f.name.toLowerCase() ? canonicalHeaderName(f.key) : f.name);
    names.set(f.key, name);
    const values = headers[name] ?? [];
    values.push(f.value);
    headers[name] = values;
  }
  return headers;
}

/** The meta of a message the network sent, for the `sip` message that hands it to an app. */
export function networkMeta(
  source: Source,
  text: string,
  scheduler: SchedulerLike,
  txnId: string,
  dialogId: string,
  newRequest: boolean,
): SipMeta {
  const meta: SipMeta = {
    source: 'network',
    bytes: Buffer.byteLength(text),
    protocol: source.protocol,
    address: source.address,
    port: source.port,
    time: wireTime(new Date(scheduler.now())),
    txnId,
    dialogId,
  };
  if (newRequest) {
    meta.destAddress = source.local.address;
    meta.destPort = source.local.port;
  }
  return meta;
}
