import { EMPTY, type Observable, of, Subject } from 'rxjs';
import { createResponse } from '../sip/build.js';
import { newTag } from '../sip/ids.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import { isReliable, type Source, type Target } from '../transport/types.js';
import { keepToResend } from './resend-bytes.js';
import type { ServerTransaction } from './server-transaction.js';
import type { Timer } from './timer-service.js';
import type { TransactionContext } from './transaction-context.js';
import { countResponse } from './transaction-stats.js';
import { unreachable } from './unreachable.js';

export type InviteServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

/**
 * The INVITE server transaction of RFC 3261 §17.2.1 with RFC 6026's Accepted state: a 2xx
 * moves it to Accepted for Timer L, where retransmitted INVITEs are absorbed and the
 * application's 2xx retransmissions still go out; a non-2xx is retransmitted (Timer G) until
 * the ACK, which is absorbed here, or Timer H.
 */
export class InviteServerTransaction implements ServerTransaction {
  state: InviteServerState = 'proceeding';
  private provisional: Buffer | undefined;
  private final: Buffer | undefined;
  private trying: Timer | undefined;
  private deadline: Timer | undefined;
  private retransmit: Timer | undefined;
  private timeout: Timer | undefined;
  private interval: number;
  private readonly reliable: boolean;
  private toTag: string | undefined;
  private cancels: Subject<SipRequest> | undefined;
  private cancelRequest: SipRequest | undefined;
  private finals: Subject<SipResponse> | undefined;

  constructor(
    private readonly ctx: TransactionContext,
    readonly key: string,
    private request: SipRequest | undefined,
    readonly source: Source,
    private readonly target: Target,
  ) {
    this.reliable = isReliable(source.protocol);
    this.interval = ctx.config.t1;
    if (request) this.startDeadline(request);
    // RFC 3261 §17.2.1: 100 Trying unless the TU answers within 200 ms. With tryingDelay 0 it
    // goes out now, ahead of anything the TU sends, as drachtio-server and Kamailio do.
    if (ctx.config.tryingDelay === 0) this.sendTrying();
    else this.trying = ctx.timers.start(ctx.config.tryingDelay, this.sendTrying, this);
  }

  get finalSent(): boolean {
    return this.state !== 'proceeding';
  }

  get final$(): Observable<SipResponse> {
    // Nothing is kept for a late subscriber: lingering transactions hold only what they resend.
    if (this.state !== 'proceeding') return EMPTY;
    if (!this.finals) this.finals = new Subject<SipResponse>();
    return this.finals.asObservable();
  }

  get canceled(): boolean {
    return this.cancelRequest !== undefined;
  }

  get cancel$(): Observable<SipRequest> {
    if (this.cancelRequest) return of(this.cancelRequest);
    if (this.state !== 'proceeding') return EMPTY;
    if (!this.cancels) this.cancels = new Subject<SipRequest>();
    return this.cancels.asObservable();
  }

  // RFC 3261 §13.3.1.1: an INVITE whose Expires runs out unanswered gets 487; one the
  // application never answers gets 408 after inviteAnswerTimeout, so no transaction lingers.
  private startDeadline(request: SipRequest): void {
    let expires: number | undefined;
    try {
      expires = request.getParsedHeader('expires');
    } catch {
      expires = undefined;
    }
    const byExpires = expires !== undefined && expires * 1000 < this.ctx.config.inviteAnswerTimeout;
    const delay = byExpires ? (expires as number) * 1000 : this.ctx.config.inviteAnswerTimeout;
    this.deadline = this.ctx.timers.start(delay, byExpires ? this.expired : this.notAnswered, this);
  }

  private expired(): void {
    this.answerForDeadline(487, 'INVITE expired unanswered');
  }

  private notAnswered(): void {
    this.answerForDeadline(408, 'no answer from the application');
  }

  private answerForDeadline(status: 408 | 487, why: string): void {
    this.deadline = undefined;
    if (this.state !== 'proceeding' || !this.request) return;
    this.ctx.log.info({ key: this.key }, why);
    this.respond(createResponse(this.request, status, { toTag: this.cancelToTag() }));
  }

  private sendTrying(): void {
    this.trying = undefined;
    if (this.state === 'proceeding' && !this.provisional && this.request)
      this.respond(createResponse(this.request, 100));
  }

  private send(data: Buffer): void {
    this.ctx.transmit(data, this.target, (err) =>
      this.ctx.log.debug({ err, key: this.key }, 'could not send a response'),
    );
  }

  private resend(data: Buffer): void {
    this.ctx.stats.responseRetransmissions++;
    this.send(data);
  }

  respond(response: SipResponse): boolean {
    const status = response.status;
    // Switches, not matchers, in this file: they run for every message and must not allocate.
    switch (this.state) {
      case 'proceeding': {
        // A 100 after any provisional response tells the caller nothing new.
        if (status === 100 && this.provisional) return true;
        this.trying?.cancel();
        this.trying = undefined;
        if (status >= 200) {
          this.deadline?.cancel();
          this.deadline = undefined;
        }
        if (this.toTag === undefined && status > 100) this.toTag = toTagOf(response);
        const data = response.toBuffer();
        countResponse(this.ctx.stats.responsesSent, status);
        this.send(data);
        if (status < 200) this.provisional = data;
        else {
          if (status < 300) this.accept();
          else this.complete(data);
          const finals = this.finals;
          this.finals = undefined;
          finals?.next(response);
          finals?.complete();
        }
        return true;
      }
      case 'accepted':
        // RFC 6026 §7.1: the TU's 2xx retransmissions pass through in Accepted.
        if (status < 200 || status >= 300) return false;
        this.ctx.stats.responseRetransmissions++;
        this.send(response.toBuffer());
        return true;
      case 'completed':
      case 'confirmed':
      case 'terminated':
        return false;
      default:
        return unreachable(this.state);
    }
  }

  private accept(): void {
    this.state = 'accepted';
    this.request = undefined;
    // RFC 6026 §7.1: in Accepted the TU, not the transaction, retransmits the 2xx.
    this.final = undefined;
    this.provisional = undefined;
    this.cancels?.complete();
    this.cancels = undefined;
    // Timer L: 64*T1 for retransmitted INVITEs and ACKs to drain.
    // A method on this, not an arrow: an arrow here would keep this scope's message for the whole wait.
    this.timeout = this.ctx.timers.start(64 * this.ctx.config.t1, this.terminate, this);
  }

  private complete(data: Buffer): void {
    this.state = 'completed';
    this.request = undefined;
    // Kept for Timer H (32 s), on reliable transports too: a retransmitted INVITE gets it again.
    this.final = keepToResend(data);
    this.provisional = undefined;
    this.cancels?.complete();
    this.cancels = undefined;
    // Timer G (unreliable): retransmit the final at T1 doubling up to T2; Timer H: 64*T1 for the ACK.
    if (!this.reliable) this.retransmit = this.ctx.timers.start(this.interval, this.timerG, this);
    this.timeout = this.ctx.timers.start(64 * this.ctx.config.t1, this.timerH, this);
  }

  private timerG(): void {
    if (this.state !== 'completed' || !this.final) return;
    this.ctx.stats.responseRetransmissions++;
    this.send(this.final);
    this.interval = Math.min(2 * this.interval, this.ctx.config.t2);
    this.retransmit = this.ctx.timers.start(this.interval, this.timerG, this);
  }

  private timerH(): void {
    if (this.state !== 'completed') return;
    this.ctx.log.debug({ key: this.key }, 'no ACK for a non-2xx final response (Timer H)');
    this.terminate();
  }

  /** A retransmission of the INVITE arrived. */
  receiveRequest(): void {
    switch (this.state) {
      case 'proceeding':
        if (this.provisional) this.resend(this.provisional);
        else this.sendTrying();
        return;
      case 'completed':
        if (this.final) this.resend(this.final);
        return;
      case 'accepted':
      case 'confirmed':
      case 'terminated':
        return;
      default:
        unreachable(this.state);
    }
  }

  /** An ACK matched this transaction. Returns true when it belongs to the TU (ACK for a 2xx). */
  receiveAck(): boolean {
    switch (this.state) {
      case 'completed':
        this.state = 'confirmed';
        this.retransmit?.cancel();
        this.retransmit = undefined;
        this.timeout?.cancel();
        this.final = undefined;
        // Timer I: absorb ACK retransmissions for T4; zero on reliable transports.
        // A method on this, not an arrow: an arrow here would keep this scope's message for the whole wait.
        this.timeout = this.ctx.timers.start(this.reliable ? 0 : this.ctx.config.t4, this.terminate, this);
        return false;
      case 'accepted':
        return true;
      case 'proceeding':
      case 'confirmed':
      case 'terminated':
        return false;
      default:
        return unreachable(this.state);
    }
  }

  /** The To tag of this transaction's responses, chosen now if none was sent (RFC 3261 §9.2). */
  cancelToTag(): string {
    if (this.toTag === undefined) this.toTag = newTag();
    return this.toTag;
  }

  /**
   * RFC 3261 §9.2: a CANCEL for a transaction still in Proceeding answers the INVITE with 487
   * and tells the user through `cancel$`. Returns false when the INVITE was already answered.
   */
  receiveCancel(cancel: SipRequest): boolean {
    if (this.state !== 'proceeding' || !this.request) return false;
    this.cancelRequest = cancel;
    const cancels = this.cancels;
    this.cancels = undefined;
    this.respond(createResponse(this.request, 487, { toTag: this.cancelToTag() }));
    cancels?.next(cancel);
    cancels?.complete();
    return true;
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.trying?.cancel();
    this.deadline?.cancel();
    this.retransmit?.cancel();
    this.timeout?.cancel();
    this.final = undefined;
    this.provisional = undefined;
    this.cancels?.complete();
    this.cancels = undefined;
    this.finals?.complete();
    this.ctx.terminated(this.key, 'server', this);
  }
}

// The To tag of a response, if its To reads (a stack rejection may answer a request with a broken To).
function toTagOf(response: SipResponse): string | undefined {
  try {
    return response.toTag;
  } catch {
    return undefined;
  }
}
