import type { SipMessage } from '../sip/message.js';
import { ownString } from '../sip/own-string.js';
import { parseMessage } from '../sip/parser.js';

/** Why a call ended, in drachtio-server's words. */
export type CdrReason =
  | 'call-rejected'
  | 'call-canceled'
  | 'normal-release'
  | 'session-expired'
  | 'ack-timeout'
  | 'system-initiated-termination'
  | 'system-error-initiated-termination';

/**
 * Call detail records as drachtio-srf emits them: `attempt` when an INVITE is received
 * (`source: 'network'`) or sent (`'application'`), `start` when it is answered, `stop` when the
 * call (or the attempt) ends.
 */
export type CdrEvent =
  | { type: 'attempt'; source: 'network' | 'application'; time: Date; msg: SipMessage }
  | { type: 'start'; source: 'network' | 'application'; time: Date; role: 'uac' | 'uas'; msg: SipMessage }
  | { type: 'stop'; source: 'network' | 'application'; time: Date; reason: CdrReason; msg: SipMessage };

const SUMMARY_HEADERS = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'contact', 'route']);

/**
 * What a dialog keeps of a message for the CDR of an end that has none of its own (a shutdown),
 * and a UAC of its INVITE once answered: the start line and identifying headers as one string
 * of their own (a copy: a slice would keep the whole datagram's text), without body or parsed
 * state, so idle dialogs and lingering transactions stay small. {@link summaryMessage} makes it
 * a message again when it is needed, which is rarely.
 *
 * @param message - the message to keep
 * @returns its summary text
 */
export function messageSummary(message: SipMessage): string {
  let text = `${message.startLine}\r\n`;
  for (const f of message.fields) if (SUMMARY_HEADERS.has(f.key)) text += `${f.name}: ${f.value}\r\n`;
  return ownString(`${text}Content-Length: 0\r\n\r\n`);
}

/**
 * The message a {@link messageSummary} was made from, without its body and other headers.
 *
 * @param summary - what `messageSummary` returned
 * @returns the message, parsed again
 */
export function summaryMessage(summary: string): SipMessage {
  return parseMessage(summary);
}
