import type { Logger } from 'pino';
import { type SchedulerLike, Subject } from 'rxjs';
import type { Engine, InboundRequest } from '../engine/engine.js';
import { createResponse } from '../sip/build.js';
import type { SrfRequest } from '../streams/srf-request.js';
import type { SrfResponse } from '../streams/srf-response.js';
import type { CdrEvent } from './cdr.js';
import { DialogRegistry } from './dialog-registry.js';
import { DEFAULT_SESSION_TIMERS, type SessionTimerConfig } from './session-timer.js';
import { UasInvite } from './uas-invite.js';

export interface UserAgentTimers {
  /** T1 and T2 of RFC 3261, for the UAS core's 2xx retransmission (§13.3.1.4). */
  t1: number;
  t2: number;
}

/**
 * The UA core above the engine: the dialogs it holds, the scheduler its timers run on,
 * and where call detail records go. Operators reach it through the requests they receive.
 */
export class UserAgent {
  readonly dialogs = new DialogRegistry();
  readonly cdrs = new Subject<CdrEvent>();
  private readonly invites = new WeakMap<SrfRequest, UasInvite>();
  /** Subscriptions waiting for their 2xx, by Call-ID and our tag: a NOTIFY may come first (RFC 6665 §4.1.2.4). */
  readonly pendingSubscriptions = new Map<string, (inbound: InboundRequest) => boolean>();

  constructor(
    readonly engine: Engine,
    readonly scheduler: SchedulerLike,
    readonly log: Logger,
    readonly timers: UserAgentTimers,
    /** Random numbers in [0, 1): RSeq starts, glare back-off (RFC 3261 §14.1); injectable for tests. */
    readonly random: () => number = Math.random,
    /** Session timer settings (RFC 4028). */
    readonly sessionTimers: SessionTimerConfig = DEFAULT_SESSION_TIMERS,
  ) {}

  /** Starts following an incoming INVITE until its final response (reliable provisionals, early dialog). */
  trackInvite(req: SrfRequest, res: SrfResponse): void {
    this.invites.set(req, new UasInvite(this, req, res));
  }

  /** The UAS state of an incoming INVITE. */
  inviteOf(req: SrfRequest): UasInvite | undefined {
    return this.invites.get(req);
  }

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

  cdr(event: CdrEvent): void {
    if (this.cdrs.observed) this.cdrs.next(event);
  }

  close(): void {
    for (const dialog of [...this.dialogs.all()]) dialog.terminate('system-initiated-termination', 'local');
    this.cdrs.complete();
  }
}

/** The user agent behind a request from `srf.requests$`. */
export function agentOf(req: SrfRequest): UserAgent {
  if (req.context instanceof UserAgent) return req.context;
  throw new Error('this request does not come from an Srf request stream');
}

/** Answers 481 for a request no dialog takes. */
export function answerNoDialog(inbound: InboundRequest): void {
  if (inbound.message.method !== 'ACK') inbound.respond(createResponse(inbound.message, 481));
}
