import { createResponse } from '../sip/build.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import { isReliable, type Target } from '../transport/types.js';
import type { Timer } from './timer-service.js';
import type {
  ClientFailure,
  ClientTransaction,
  ClientTransactionUser,
  TransactionContext,
} from './transaction-context.js';
import { unreachable } from './unreachable.js';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** The non-INVITE client transaction of RFC 3261 §17.1.2. */
export class NonInviteClientTransaction implements ClientTransaction {
  state: NonInviteClientState = 'trying';
  // Needed until the final response, for retransmissions and a synthetic 408/503.
  private pending: { request: SipRequest; data: Buffer } | undefined;
  private retransmit: Timer | undefined;
  private timeout: Timer | undefined;
  private interval: number;
  private readonly reliable: boolean;
  // Let go at the final response: see receive().
  private user: ClientTransactionUser | undefined;

  constructor(
    private readonly ctx: TransactionContext,
    readonly key: string,
    readonly branch: string,
    request: SipRequest,
    readonly target: Target,
    user: ClientTransactionUser,
  ) {
    this.user = user;
    this.pending = { request, data: request.toBuffer() };
    this.reliable = isReliable(target.protocol);
    this.interval = ctx.config.t1;
  }

  start(): void {
    this.send();
    // Timer E (unreliable only): T1, doubling up to T2; Timer F: give up after 64*T1.
    if (!this.reliable) this.retransmit = this.ctx.timers.start(this.interval, this.timerE, this);
    this.timeout = this.ctx.timers.start(64 * this.ctx.config.t1, this.timerF, this);
  }

  // A transport may fail while sending: the failure is reported on the next turn of the
  // scheduler, so that the user never hears of it before sendRequest() has returned.
  private send(): void {
    if (!this.pending) return;
    this.ctx.transmit(this.pending.data, this.target, () =>
      this.ctx.timers.start(0, this.transportError, this),
    );
  }

  private timerE(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.ctx.stats.requestRetransmissions++;
    this.send();
    // RFC 3261 §17.1.2.2: in Proceeding, retransmit every T2.
    this.interval =
      this.state === 'proceeding' ? this.ctx.config.t2 : Math.min(2 * this.interval, this.ctx.config.t2);
    this.retransmit = this.ctx.timers.start(this.interval, this.timerE, this);
  }

  private timerF(): void {
    this.fail('timeout', 408, undefined);
  }

  private transportError(): void {
    this.fail('transport-error', 503, 'Transport Error');
  }

  private fail(failure: ClientFailure, status: number, reason: string | undefined): void {
    const pending = this.pending;
    if ((this.state !== 'trying' && this.state !== 'proceeding') || !pending) return;
    const user = this.user;
    this.terminate();
    user?.onFailure(failure, createResponse(pending.request, status, reason ? { reason } : {}));
  }

  receive(response: SipResponse): void {
    // A switch, not a matcher: this runs for every response and must not allocate.
    switch (this.state) {
      case 'trying':
      case 'proceeding':
        if (response.status < 200) {
          this.state = 'proceeding';
          this.user?.onResponse(response);
          return;
        }
        this.state = 'completed';
        this.pending = undefined;
        // Let go of the cancelled timers: a field still holding one keeps it for Timer K.
        this.retransmit?.cancel();
        this.retransmit = undefined;
        this.timeout?.cancel();
        // Timer K: absorb retransmitted responses for T4; zero on reliable transports.
        // A method on this, not an arrow: an arrow here would keep this scope's message for the whole wait.
        this.timeout = this.ctx.timers.start(this.reliable ? 0 : this.ctx.config.t4, this.terminate, this);
        {
          // RFC 3261 §17.1.2.2: in Completed the transaction only absorbs retransmissions of
          // the final response; its user hears nothing more. So the user, and all its callbacks
          // reach, is let go now rather than kept for Timer K's T4 (5 s), a lifetime that makes
          // the collector promote it only to drop it from the old generation later.
          const user = this.user;
          this.user = undefined;
          user?.onResponse(response);
        }
        return;
      case 'completed':
      case 'terminated':
        return;
      default:
        unreachable(this.state);
    }
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.pending = undefined;
    this.retransmit?.cancel();
    this.timeout?.cancel();
    this.ctx.terminated(this.key, 'client', this);
    const user = this.user;
    this.user = undefined;
    user?.onTerminated?.();
  }
}
