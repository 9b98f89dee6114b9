import type { CdrRecord } from '../../drachtio-wire/cdr-message.js';
import type { SipMessage } from '../../sip/message.js';

/** What happens to the engine's drachtio-server connections. */
export type DrachtioConnectionEvent =
  /** Authenticated: the server's listening points and version. */
  | { type: 'connected'; server: string; flowId: string; hostports: string; version: string }
  /** The connection closed, and why (`no reply to ping within 15000 ms`, `closed by the peer`, ...). */
  | { type: 'disconnected'; server: string; flowId: string; reason: string }
  /** A reconnection is scheduled. */
  | { type: 'reconnecting'; server: string; attempt: number; delay: number }
  /** A connection failed or a server refused the secret. */
  | { type: 'error'; server: string; error: Error };

/** A call detail record a drachtio-server sent (subscribing to `cdr$` asks for them). */
export interface DrachtioCdr extends CdrRecord {
  /** The message it is about. */
  msg: SipMessage;
  /** The connection it came on. */
  flowId: string;
}
