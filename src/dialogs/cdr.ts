import type { SipMessage } from '../sip/message.js';

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
