import type { DialogRoute } from '../sip/dialog-route.js';
import type { SipMessage } from '../sip/message.js';
import type { DialogCoreInit } from './dialog-core.js';
import type { OfferAnswerState } from './offer-answer.js';
import type { SessionTimerTerms } from './session-timer-terms.js';
import type { SubscriptionTerms } from './subscribe-usage.js';
import type { AnswerRetransmitter } from './uas-answer.js';

/** Everything a dialog is made from. */
export interface DialogInit extends DialogCoreInit {
  /** UAS: the 2xx that confirmed the dialog, resent until its ACK. */
  answer?: AnswerRetransmitter;
  /** The offer/answer state it starts in (a late offer: our 2xx offered, or the peer's did). */
  offers?: OfferAnswerState;
  /** A session timer agreed in the exchange that made it (RFC 4028). */
  sessionTimer?: SessionTimerTerms;
  /** A SUBSCRIBE dialog's subscription (RFC 6665). */
  subscription?: SubscriptionTerms;
}

/** What the response that confirms an early dialog changes in it. */
export interface Confirmation {
  /** UAC: the route set and target recomputed from the 2xx (RFC 3261 §13.2.2.4). */
  route?: DialogRoute;
  /** Our session description, when the exchange changed it. */
  localSdp?: string;
  /** The peer's session description, when the 2xx (or the ACK) carried one. */
  remoteSdp?: string;
  /** Our Contact, when the 2xx was sent with another one than the provisional. */
  localContact?: string;
  /** UAS: the 2xx that confirmed the dialog, resent until its ACK (RFC 3261 §13.3.1.4). */
  answer?: AnswerRetransmitter;
  /** A session timer agreed in the 2xx (RFC 4028). */
  sessionTimer?: SessionTimerTerms;
  /** The message that confirmed the dialog: the 2xx (UAC) or the request answered (UAS). */
  createdBy: SipMessage;
}
