import type { Logger } from 'pino';
import { type SchedulerLike, Subject } from 'rxjs';
import type { Engine, InboundRequest } from '../engine/engine.js';
import type { RequestContext } from '../requests/request-context.js';
import type { SrfRequest } from '../requests/srf-request.js';
import type { CdrEvent } from './cdr.js';
import { DialogRegistry } from './dialog-registry.js';
import { DEFAULT_SESSION_TIMERS, type SessionTimerConfig } from './session-timer-terms.js';

/** T1 and T2 of RFC 3261, for the UA core's 2xx retransmission (§13.3.1.4). */
export interface UserAgentTimers {
  /** The round-trip estimate, in ms (500 by default): the first 2xx retransmission interval. */
  t1: number;
  /** The cap on the retransmission interval, in ms (4000 by default). */
  t2: number;
}

/**
 * The UA core above the engine: the dialogs it holds, the scheduler its timers run on, and
 * where call detail records go. Requests carry it as their context.
 */
export class UserAgent implements RequestContext {
  /** Live dialogs. */
  readonly dialogs = new DialogRegistry();
  /** Call detail records. */
  readonly cdrs = new Subject<CdrEvent>();
  /** Subscriptions waiting for their 2xx, by Call-ID and our tag: a NOTIFY may come first (RFC 6665 §4.1.2.4). */
  readonly pendingSubscriptions = new Map<string, (inbound: InboundRequest) => boolean>();

  /**
   * @param engine - sends and receives
   * @param scheduler - every dialog timer runs on it
   * @param log - the logger
   * @param timers - T1 and T2
   * @param random - numbers in [0, 1): RSeq starts, glare back-off (RFC 3261 §14.1); injectable for tests
   * @param sessionTimers - session timer settings (RFC 4028)
   */
  constructor(
    readonly engine: Engine,
    readonly scheduler: SchedulerLike,
    readonly log: Logger,
    readonly timers: UserAgentTimers,
    readonly random: () => number = Math.random,
    readonly sessionTimers: SessionTimerConfig = DEFAULT_SESSION_TIMERS,
  ) {}

  /**
   * Takes a request inside a dialog (it has a To tag) or an ACK. Returns false when it belongs to
   * no dialog: the caller answers 481 (RFC 3261 §12.2.2) or drops the ACK.
   */
  route(inbound: InboundRequest): boolean {
    const message = inbound.message;
    const localTag = message.toTag;
    const remoteTag = message.fromTag;
    if (localTag === undefined || remoteTag === undefined) return false;
    const dialog = this.dialogs.find(message.callId, localTag, remoteTag);
    if (!dialog) {
      const pending =
        message.method === 'NOTIFY'
          ? this.pendingSubscriptions.get(`${message.callId}\u0000${localTag}`)
          : undefined;
      return pending?.(inbound) ?? false;
    }
    dialog.receive(inbound);
    return true;
  }

  /** Records a call detail record. */
  cdr(event: CdrEvent): void {
    if (this.cdrs.observed) this.cdrs.next(event);
  }

  /** Ends every dialog (system-initiated) and completes the records. */
  close(): void {
    for (const dialog of [...this.dialogs.all()]) dialog.shutDown();
    this.cdrs.complete();
  }
}

/** The user agent behind a request from an Srf's request streams. */
export function agentOf(req: SrfRequest): UserAgent {
  if (req.context instanceof UserAgent) return req.context;
  throw new TypeError('this request does not come from an Srf request stream');
}
