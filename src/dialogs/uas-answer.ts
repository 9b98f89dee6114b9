import type { Subscription } from 'rxjs';
import type { InboundRequest } from '../engine/engine.js';
import type { SipResponse } from '../sip/message.js';
import { isReliable } from '../transport/types.js';
import type { UserAgent } from './user-agent.js';

/**
 * RFC 3261 §13.3.1.4: the UAS core resends its 2xx to an INVITE, at T1 doubling up to T2, until
 * the ACK arrives; after 64*T1 without one it gives up (the caller then ends the dialog). On a
 * reliable transport the 2xx is not resent, but the ACK is still awaited.
 */
export class AnswerRetransmitter {
  private timer: Subscription | undefined;
  private elapsed = 0;
  private done = false;
  /** The CSeq number of the INVITE answered: its ACK carries the same (RFC 3261 §17.1.1.3). */
  readonly cseq: number;

  constructor(
    private readonly ua: UserAgent,
    private readonly inbound: InboundRequest,
    private readonly response: SipResponse,
    private readonly onTimeout: () => void,
  ) {
    this.cseq = inbound.message.cseq.seq;
    const { t1 } = ua.timers;
    if (isReliable(inbound.source.protocol)) this.schedule(64 * t1, true);
    else this.schedule(t1, false);
  }

  private schedule(delay: number, last: boolean): void {
    this.timer = this.ua.scheduler.schedule(() => this.fire(delay, last), delay);
  }

  private fire(delay: number, last: boolean): void {
    if (this.done) return;
    this.elapsed += delay;
    const { t1, t2 } = this.ua.timers;
    if (last || this.elapsed >= 64 * t1) {
      this.done = true;
      this.onTimeout();
      return;
    }
    this.inbound.respond(this.response);
    const next = Math.min(2 * delay, t2, 64 * t1 - this.elapsed);
    this.schedule(next, this.elapsed + next >= 64 * t1);
  }

  /** The ACK came. */
  acked(): void {
    this.done = true;
    this.timer?.unsubscribe();
    this.timer = undefined;
  }

  get waiting(): boolean {
    return !this.done;
  }
}
