import type { AuthProvider } from '../requests/digest-client.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import type { Dialog } from './dialog.js';
import type { PrackSender } from './uac-early.js';

/** Options of an outgoing call (or subscription): drachtio-srf's createUAC options. */
export interface UacOptions {
  /** `'SUBSCRIBE'` makes a subscription dialog (RFC 6665) instead of a call; Event/Expires go in `headers`. */
  method?: 'INVITE' | 'SUBSCRIBE';
  /** Our offer; without it the INVITE is a late offer. */
  localSdp?: string;
  /** Headers for the INVITE (or SUBSCRIBE); a From or To given here replaces the generated one. */
  headers?: HeaderInit;
  /** Digest credentials for 401/407, kept for requests later challenged in the dialog. */
  auth?: AuthProvider;
  /** Outbound proxy (SIP URI or host:port) the INVITE is sent through. */
  proxy?: string;
  /** Follow 3xx responses to their Contact (at most 5 times). */
  followRedirects?: boolean;
  /** On a redirect keep the Request-URI and send to the Contact as a proxy. */
  keepUriOnRedirect?: boolean;
  /** User part of From when From is not given (default `anonymous`). */
  callingNumber?: string;
  /** Display name of From when From is not given. */
  callingName?: string;
  /** The user put before a bare `host[:port]` target: `sip:<calledNumber>@host[:port]`. */
  calledNumber?: string;
  /**
   * `'manual'`: reliable provisional responses (RFC 3262) are not PRACKed automatically; the
   * `provisional` event's `prack()` sends the PRACK, with a body for an offer/answer in PRACK.
   */
  prack?: 'auto' | 'manual';
  /**
   * Late offer (no `localSdp`): do not ACK the 2xx; the `offer` event's `ack(answer)` does. Without
   * it a late-offer 2xx is ACKed at once with its SDP marked recvonly, as drachtio-srf does.
   */
  noAck?: boolean;
  /**
   * Ask for a session timer (RFC 4028): `true` for the Srf's settings, or an interval and the
   * refresher wanted. Without it rxsip asks for none (but honours one the callee sets).
   */
  sessionTimer?: boolean | { expires?: number; refresher?: 'uac' | 'uas' };
}

/** The progress of an outgoing call, ending with the dialog. */
export type UacProgress =
  /** The INVITE went out (again after a challenge or redirect). `cancel()` sends CANCEL. */
  | { type: 'request'; request: SipRequest; cancel: (headers?: HeaderInit) => void }
  /**
   * A provisional response (not 100). With a To tag it has an early dialog (UPDATE, INFO and
   * PRACK go through it); a reliable one carries `prack` (already sent unless `prack: 'manual'`).
   */
  | { type: 'provisional'; response: SipResponse; dialog?: Dialog; prack?: PrackSender }
  /** The call is answered: the dialog, and the 2xx that made it. */
  | { type: 'dialog'; dialog: Dialog; response: SipResponse }
  /**
   * With `noAck`, a late offer (our INVITE had no SDP): the 2xx's offer, and `ack(answer)`, which
   * sends the ACK with our answer (RFC 3264 §4) and returns the dialog (drachtio-srf's 3pcc shape).
   */
  | { type: 'offer'; sdp: string; response: SipResponse; dialog: Dialog; ack: (answer: string) => Dialog };

/** `host[:port]` becomes `sip:[calledNumber@]host[:port]` (drachtio-srf's rule). */
export function requestUri(uri: string, calledNumber?: string): string {
  if (/^(sips?|tel):/i.test(uri)) return uri;
  return `sip:${calledNumber && !uri.includes('@') ? `${calledNumber}@` : ''}${uri}`;
}
