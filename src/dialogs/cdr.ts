import { type SipMessage, SipRequest, SipResponse } from '../sip/message.js';
import { ownString } from '../sip/own-string.js';

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
 * The message a dialog keeps for the CDR of an end that has none of its own (a shutdown): its
 * start line and identifying headers, without body or parsed state, so idle dialogs stay small.
 */
export function cdrSummary(message: SipMessage): SipMessage {
  // Copies: a summary outlives the message, whose whole text a slice of it would keep.
  const fields = message.fields
    .filter((f) => SUMMARY_HEADERS.has(f.key))
    .map((f) => ({ name: ownString(f.name), key: f.key, value: ownString(f.value) }));
  if (message instanceof SipResponse)
    return new SipResponse(message.status, ownString(message.reason), fields, undefined, message.version);
  const request = message as SipRequest;
  return new SipRequest(request.method, ownString(request.uri), fields, undefined, request.version);
}
