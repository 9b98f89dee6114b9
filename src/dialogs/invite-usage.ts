import { defer, type Observable, of, Subject, take } from 'rxjs';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import type { DialogCore } from './dialog-core.js';
import {
  type OfferAnswerEvent,
  type OfferAnswerState,
  type OfferAnswerTransition,
  offerAnswer,
  STABLE,
} from './offer-answer.js';
import { SerialQueue } from './serial-queue.js';
import type { SessionTimer } from './session-timer.js';
import type { AnswerRetransmitter } from './uas-answer.js';

/** Which side has an INVITE transaction in progress in the dialog (RFC 3261 §14.1). */
export type InviteInProgress = 'none' | 'ours' | 'theirs';

/**
 * The INVITE usage of a dialog (RFC 5057 §3): the session's offer/answer state, the INVITE
 * transaction in progress either way, our 2xx waiting for its ACK, hold, and the session timer.
 * It is released with the dialog's lifetime.
 */
export class InviteUsage {
  /** The offer/answer state (RFC 3264, RFC 6337). */
  offers: OfferAnswerState;
  /** The INVITE transaction in progress, if any. */
  inProgress: InviteInProgress = 'none';
  /** The peer put us on hold (or we put it). */
  onHold = false;
  /** The running session timer (RFC 4028), if any. */
  timer: SessionTimer | undefined;
  /** Our re-INVITEs, one at a time. */
  readonly reinvites = new SerialQueue();
  private unacked: AnswerRetransmitter | undefined;
  private idle: Subject<void> | undefined;

  constructor(core: DialogCore, offers: OfferAnswerState = STABLE, answer?: AnswerRetransmitter) {
    this.offers = offers;
    this.unacked = answer;
    core.lifetime.add(() => this.release());
  }

  /**
   * Applies an offer/answer event; the state moves only when it is allowed.
   *
   * @returns the transition (refused events leave the state as it was)
   */
  apply(event: OfferAnswerEvent): OfferAnswerTransition {
    const next = offerAnswer(this.offers, event);
    if (next.ok) this.offers = next.state;
    return next;
  }

  /** Our 2xx to an INVITE (the first or a re-INVITE) waits for its ACK. */
  awaitAck(answer: AnswerRetransmitter): void {
    this.unacked?.acked();
    this.unacked = answer;
  }

  /** UAS: our 2xx still waits for its ACK. */
  get awaitingAck(): boolean {
    return this.unacked?.waiting ?? false;
  }

  /** The ACK for the INVITE with CSeq `seq` came: its 2xx is no longer resent. */
  acked(seq: number): void {
    if (this.unacked?.cseq !== seq) return;
    this.unacked.acked();
    this.unacked = undefined;
    this.changed();
  }

  /** An INVITE transaction starts (`ours`) or the peer's arrives (`theirs`). */
  begin(side: 'ours' | 'theirs'): void {
    this.inProgress = side;
  }

  /** The INVITE transaction in progress has its final response. */
  end(): void {
    this.inProgress = 'none';
    this.changed();
  }

  /**
   * Emits once no INVITE transaction is in progress and no 2xx of ours waits for its ACK, then
   * completes: RFC 3261 §14.1, a new re-INVITE waits for both.
   */
  idle$(): Observable<void> {
    return defer(() => {
      if (this.isIdle()) return of(undefined);
      this.idle ??= new Subject<void>();
      return this.idle.pipe(take(1));
    });
  }

  private isIdle(): boolean {
    return this.inProgress === 'none' && !this.awaitingAck;
  }

  private changed(): void {
    if (this.idle?.observed && this.isIdle()) this.idle.next();
  }

  /** A refresh (re-INVITE or UPDATE, either way) was accepted with `answer`. */
  refreshed(answer: SipResponse, direction: 'sent' | 'received'): void {
    this.timer?.refreshed(answer, direction);
  }

  /** RFC 4028 §9: headers for our 2xx to the peer's refresh (the session timer's Session-Expires). */
  refreshHeaders(req: SipRequest): HeaderInit {
    return this.timer?.answerHeaders(req) ?? {};
  }

  private release(): void {
    this.unacked?.acked();
    this.unacked = undefined;
    this.timer?.stop();
    this.timer = undefined;
    // Waiters learn the dialog ended (their work checks its state).
    this.idle?.next();
    this.idle?.complete();
  }
}
