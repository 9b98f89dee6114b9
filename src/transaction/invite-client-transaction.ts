import { createResponse } from '../sip/build.js';
import { stringifyCSeq } from '../sip/cseq.js';
import { splitList } from '../sip/grammar.js';
import { type HeaderField, type HeaderInit, SipRequest, type SipResponse } from '../sip/message.js';
import { isReliable, type Target } from '../transport/types.js';
import { keepToResend } from './resend-bytes.js';
import type { Timer } from './timer-service.js';
import type { ClientTransaction, ClientTransactionUser, TransactionContext } from './transaction-context.js';
import { unreachable } from './unreachable.js';

export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

/**
 * The INVITE client transaction of RFC 3261 §17.1.1 with RFC 6026's Accepted state: 2xx
 * responses (retransmissions and forks) reach the user until Timer M, through its `later2xx`
 * alone once it gave one; non-2xx finals are ACKed here and absorbed when retransmitted until
 * Timer D, the user let go.
 */
export class InviteClientTransaction implements ClientTransaction {
  state: InviteClientState = 'calling';
  // The INVITE and its bytes are needed until a final response; then only the ACK is kept.
  private pending: { request: SipRequest; data: Buffer } | undefined;
  private ack: Buffer | undefined;
  private retransmit: Timer | undefined;
  private timeout: Timer | undefined;
  private interval: number;
  private readonly reliable: boolean;
  private cancelled = false;
  private cancelPending: (() => void) | undefined;
  // Let go at the first 2xx when it gave `later2xx`: see accept().
  private user: ClientTransactionUser | undefined;
  private later2xx: ((response: SipResponse) => void) | undefined;

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
    if (this.pending) this.send(this.pending.data);
    // Timer A (unreliable only): retransmit at T1, doubling each time.
    if (!this.reliable) this.retransmit = this.ctx.timers.start(this.interval, this.timerA, this);
    // Timer B: give up after 64*T1 without any response.
    this.timeout = this.ctx.timers.start(64 * this.ctx.config.t1, this.giveUp, this);
  }

  // A transport may fail while sending: the failure is reported on the next turn of the
  // scheduler, so that the user never hears of it before sendRequest() has returned.
  private send(data: Buffer): void {
    this.ctx.transmit(data, this.target, () => this.ctx.timers.start(0, this.transportError, this));
  }

  private timerA(): void {
    if (this.state !== 'calling' || !this.pending) return;
    this.ctx.stats.requestRetransmissions++;
    this.send(this.pending.data);
    this.interval *= 2;
    this.retransmit = this.ctx.timers.start(this.interval, this.timerA, this);
  }

  // Timer B in Calling; in Proceeding, the 64*T1 wait for a final response after CANCEL.
  private giveUp(): void {
    const pending = this.pending;
    if ((this.state !== 'calling' && this.state !== 'proceeding') || !pending) return;
    const user = this.user;
    this.terminate();
    user?.onFailure('timeout', createResponse(pending.request, 408));
  }

  private transportError(): void {
    const pending = this.pending;
    if ((this.state !== 'calling' && this.state !== 'proceeding') || !pending) return;
    const user = this.user;
    this.terminate();
    user?.onFailure('transport-error', createResponse(pending.request, 503, { reason: 'Transport Error' }));
  }

  receive(response: SipResponse): void {
    const status = response.status;
    // A switch, not a matcher: this runs for every response and must not allocate.
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        // Cancelled timers are let go of, not kept in a field through Timer M or D.
        this.retransmit?.cancel();
        this.retransmit = undefined;
        if (status < 200) {
          // Timer B only: in Proceeding the timeout is the wait after a CANCEL.
          if (this.state === 'calling') {
            this.timeout?.cancel();
            this.timeout = undefined;
          }
          this.state = 'proceeding';
          this.sendPendingCancel();
          this.user?.onResponse(response);
        } else if (status < 300) {
          const user = this.user;
          this.accept(user?.later2xx);
          user?.onResponse(response);
        } else {
          // RFC 3261 §17.1.1.2: Completed only absorbs retransmitted finals, so the user is
          // let go now rather than kept for Timer D's 32 s (as a non-INVITE one is).
          const user = this.user;
          this.user = undefined;
          this.complete(response);
          user?.onResponse(response);
        }
        return;
      case 'accepted':
        if (status < 200 || status >= 300) return;
        if (this.later2xx) this.later2xx(response);
        else this.user?.onResponse(response);
        return;
      case 'completed':
        if (status < 300 || !this.ack) return;
        this.ctx.stats.requestRetransmissions++;
        this.send(this.ack);
        return;
      case 'terminated':
        return;
      default:
        unreachable(this.state);
    }
  }

  /**
   * RFC 3261 §9.1: builds the CANCEL for this INVITE and hands it to `send` — at once in
   * Proceeding, after the first provisional response in Calling, never after a final response.
   */
  cancel(send: (cancel: SipRequest) => void, headers?: HeaderInit): void {
    const pending = this.pending;
    if (this.cancelled || !pending || (this.state !== 'calling' && this.state !== 'proceeding')) return;
    this.cancelled = true;
    this.cancelPending = () => send(buildCancel(pending.request, headers));
    if (this.state === 'proceeding') this.sendPendingCancel();
  }

  private sendPendingCancel(): void {
    const send = this.cancelPending;
    if (!send) return;
    this.cancelPending = undefined;
    send();
    // RFC 3261 §9.1: with no final response 64*T1 after the CANCEL, the INVITE is given up.
    this.timeout?.cancel();
    this.timeout = this.ctx.timers.start(64 * this.ctx.config.t1, this.giveUp, this);
  }

  // RFC 6026 §7.2: Accepted, Timer M = 64*T1. A user that gave `later2xx` is let go: what it
  // reaches (a whole call, often) would otherwise live 32 s, long enough to be promoted.
  private accept(later2xx: ((response: SipResponse) => void) | undefined): void {
    this.state = 'accepted';
    if (later2xx) {
      this.later2xx = later2xx;
      this.user = undefined;
    }
    this.pending = undefined;
    this.cancelPending = undefined;
    this.timeout?.cancel();
    // A method on this, not an arrow: an arrow here would keep this scope's message for the whole wait.
    this.timeout = this.ctx.timers.start(64 * this.ctx.config.t1, this.terminate, this);
  }

  private complete(response: SipResponse): void {
    this.state = 'completed';
    this.timeout?.cancel();
    // Kept for Timer D (32 s on UDP) to answer retransmitted finals.
    if (this.pending) this.ack = keepToResend(buildNon2xxAck(this.pending.request, response).toBuffer());
    this.pending = undefined;
    this.cancelPending = undefined;
    if (this.ack) this.send(this.ack);
    // Timer D: absorb retransmitted finals; zero on reliable transports.
    const wait = this.reliable ? 0 : this.ctx.config.timerD;
    // A method on this, not an arrow: an arrow here would keep this scope's message for the whole wait.
    this.timeout = this.ctx.timers.start(wait, this.terminate, this);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.cancelPending = undefined;
    this.retransmit?.cancel();
    this.timeout?.cancel();
    this.ack = undefined;
    this.pending = undefined;
    this.later2xx = undefined;
    this.ctx.terminated(this.key, 'client', this);
    const user = this.user;
    this.user = undefined;
    user?.onTerminated?.();
  }
}

/**
 * RFC 3261 §17.1.1.3: the ACK for a non-2xx final response: the INVITE's Request-URI, Call-ID,
 * From, top Via and Route, the response's To, and the CSeq number with method ACK.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const fields: HeaderField[] = [];
  const topVia = invite.fields.find((f) => f.key === 'via');
  if (topVia)
    fields.push({ name: topVia.name, key: topVia.key, value: splitList(topVia.value)[0] ?? topVia.value });
  fields.push({ name: 'Max-Forwards', key: 'max-forwards', value: '70' });
  for (const f of invite.fields) if (f.key === 'route') fields.push({ ...f });
  const to = response.fields.find((f) => f.key === 'to');
  for (const f of invite.fields) {
    if (f.key === 'from' || f.key === 'call-id') fields.push({ ...f });
  }
  if (to) fields.push({ ...to });
  fields.push({ name: 'CSeq', key: 'cseq', value: stringifyCSeq({ seq: invite.cseq.seq, method: 'ACK' }) });
  return new SipRequest('ACK', invite.uri, fields);
}

/**
 * RFC 3261 §9.1: a CANCEL carries the INVITE's Request-URI, Call-ID, From, To, CSeq number,
 * top Via (same branch) and Route headers.
 */
export function buildCancel(invite: SipRequest, headers?: HeaderInit): SipRequest {
  const fields: HeaderField[] = [];
  const topVia = invite.fields.find((f) => f.key === 'via');
  if (topVia)
    fields.push({ name: topVia.name, key: topVia.key, value: splitList(topVia.value)[0] ?? topVia.value });
  fields.push({ name: 'Max-Forwards', key: 'max-forwards', value: '70' });
  for (const f of invite.fields) {
    if (f.key === 'route' || f.key === 'from' || f.key === 'to' || f.key === 'call-id') fields.push({ ...f });
  }
  fields.push({
    name: 'CSeq',
    key: 'cseq',
    value: stringifyCSeq({ seq: invite.cseq.seq, method: 'CANCEL' }),
  });
  const cancel = new SipRequest('CANCEL', invite.uri, fields);
  if (headers) cancel.set(headers);
  return cancel;
}
