import { EMPTY, type Observable, Subject } from 'rxjs';
import { createResponse } from '../sip/build.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import { isReliable, type Source, type Target } from '../transport/types.js';
import { keepToResend } from './resend-bytes.js';
import type { ServerTransaction } from './server-transaction.js';
import type { Timer } from './timer-service.js';
import type { TransactionContext } from './transaction-context.js';
import { countResponse } from './transaction-stats.js';
import { unreachable } from './unreachable.js';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/**
 * The non-INVITE server transaction of RFC 3261 §17.2.2. It keeps only its key and last
 * response: at N requests per second, N x 32 s of completed ones linger (Timer J).
 */
export class NonInviteServerTransaction implements ServerTransaction {
  state: NonInviteServerState = 'trying';
  private last: Buffer | undefined;
  private timeout: Timer | undefined;
  private deadline: Timer | undefined;
  // The request, for the answer deadline's 500, until a final response is sent.
  private unanswered: SipRequest | undefined;
  private finals: Subject<SipResponse> | undefined;

  constructor(
    private readonly ctx: TransactionContext,
    readonly key: string,
    readonly source: Source,
    private readonly target: Target,
    request: SipRequest,
  ) {
    // The stack answers for an application that never does (the request is kept until then).
    this.unanswered = request;
    this.deadline = ctx.timers.start(ctx.config.answerTimeout, this.answerDeadline, this);
  }

  private answerDeadline(): void {
    this.deadline = undefined;
    const request = this.unanswered;
    if (request && (this.state === 'trying' || this.state === 'proceeding')) {
      this.ctx.log.warn(
        { key: this.key, method: request.method },
        'no answer from the application: answering 500',
      );
      this.respond(createResponse(request, 500, { reason: 'No Answer From Application' }));
    }
  }

  get finalSent(): boolean {
    return this.state === 'completed' || this.state === 'terminated';
  }

  get final$(): Observable<SipResponse> {
    // Nothing is kept for a late subscriber: lingering transactions hold only what they resend.
    if (this.state === 'completed' || this.state === 'terminated') return EMPTY;
    if (!this.finals) this.finals = new Subject<SipResponse>();
    return this.finals.asObservable();
  }

  private send(data: Buffer): void {
    this.ctx.transmit(data, this.target, (err) =>
      this.ctx.log.debug({ err, key: this.key }, 'could not send a response'),
    );
  }

  respond(response: SipResponse): boolean {
    // A switch, not a matcher: this runs for every response and must not allocate.
    switch (this.state) {
      case 'trying':
      case 'proceeding': {
        const data = response.toBuffer();
        this.last = data;
        countResponse(this.ctx.stats.responsesSent, response.status);
        this.send(data);
        if (response.status < 200) {
          this.state = 'proceeding';
        } else {
          this.state = 'completed';
          this.deadline?.cancel();
          this.deadline = undefined;
          this.unanswered = undefined;
          // Timer J: answer retransmissions for 64*T1; zero on reliable transports.
          const reliable = isReliable(this.source.protocol);
          const wait = reliable ? 0 : 64 * this.ctx.config.t1;
          if (!reliable) this.last = keepToResend(data);
          // A method on this, not an arrow: an arrow here would keep this scope's message for the whole wait.
          this.timeout = this.ctx.timers.start(wait, this.terminate, this);
          const finals = this.finals;
          this.finals = undefined;
          finals?.next(response);
          finals?.complete();
        }
        return true;
      }
      case 'completed':
      case 'terminated':
        return false;
      default:
        return unreachable(this.state);
    }
  }

  /** A retransmission of the request arrived: repeat the last response, if any. */
  receiveRequest(): void {
    if (this.state === 'trying' || !this.last) return;
    this.ctx.stats.responseRetransmissions++;
    this.send(this.last);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timeout?.cancel();
    this.deadline?.cancel();
    this.unanswered = undefined;
    this.last = undefined;
    this.finals?.complete();
    this.ctx.terminated(this.key, 'server', this);
  }
}
