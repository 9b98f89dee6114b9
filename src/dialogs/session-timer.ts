import type { Logger } from 'pino';
import type { Observable, SchedulerLike, Subscription } from 'rxjs';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import {
  type Refresher,
  type SessionTimerTerms,
  sessionExpiresOf,
  supportsTimer,
} from './session-timer-terms.js';

/** What a session timer does to its dialog. */
export interface SessionTimerActions {
  /** Sends a refresh with these headers: UPDATE when `useUpdate`, else a re-INVITE with the same SDP. */
  refresh$(headers: HeaderInit, useUpdate: boolean): Observable<unknown>;
  /** No refresh came in time: the session ends (BYE, reason `session-expired`). */
  expire(): void;
}

/**
 * A running session timer (RFC 4028 §10): the refresher refreshes at half the interval (UPDATE
 * when the peer allows it, else a re-INVITE with the same SDP); the other side ends the session
 * when no refresh came by `SE - min(32, SE/3)`. Every accepted refresh, in either direction,
 * re-reads the interval and who refreshes, and restarts. `refresher=uac` names the sender of
 * the request that last set it, `uas` its receiver. `stop()` releases its timer and any refresh
 * in flight.
 */
export class SessionTimer {
  private timer: Subscription | undefined;
  private refreshing$: Subscription | undefined;
  private delta: number;
  private refreshing: boolean;
  private readonly useUpdate: boolean;

  /**
   * @param scheduler - where its timer runs
   * @param log - the call's logger
   * @param terms - the agreed interval and refresher
   * @param actions - how it refreshes or ends the session
   */
  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly log: Logger,
    terms: SessionTimerTerms,
    private readonly actions: SessionTimerActions,
  ) {
    this.delta = terms.delta;
    this.refreshing = terms.refreshing;
    this.useUpdate = terms.useUpdate;
    this.start();
  }

  /** The interval in seconds. */
  get interval(): number {
    return this.delta;
  }

  /** Whether rxsip is the refresher. */
  get weRefresh(): boolean {
    return this.refreshing;
  }

  private start(): void {
    this.timer?.unsubscribe();
    const seconds = this.refreshing ? this.delta / 2 : this.delta - Math.min(32, this.delta / 3);
    this.timer = this.scheduler.schedule(
      () => (this.refreshing ? this.refresh() : this.expire()),
      seconds * 1000,
    );
  }

  private refresh(): void {
    const headers: HeaderInit = { 'Session-Expires': `${this.delta};refresher=uac`, Supported: 'timer' };
    this.refreshing$?.unsubscribe();
    // A failed refresh is reported here; a 481 or 408 to it has already ended the dialog.
    this.refreshing$ = this.actions.refresh$(headers, this.useUpdate).subscribe({
      error: (err: unknown) => this.log.info({ err }, 'session refresh failed'),
    });
  }

  private expire(): void {
    this.log.info('session expired: no refresh');
    this.actions.expire();
  }

  /**
   * A refresh was accepted; its 2xx carries the interval and the refresher now agreed.
   *
   * @param answer - the 2xx to the refresh
   * @param direction - whether we sent the refresh or received it
   */
  refreshed(answer: SipResponse, direction: 'sent' | 'received'): void {
    const agreed = sessionExpiresOf(answer);
    // RFC 4028 §7.2: a 2xx to our refresh without Session-Expires means no session expiration.
    if (!agreed && direction === 'sent') {
      this.stop();
      return;
    }
    if (agreed) {
      this.delta = agreed.delta;
      if (agreed.refresher) this.refreshing = (direction === 'sent') === (agreed.refresher === 'uac');
    }
    this.start();
  }

  /**
   * Headers for our 2xx to a refresh the peer sent (RFC 4028 §9).
   *
   * @param req - the peer's refresh
   * @returns Session-Expires, and Require: timer when the peer supports it
   */
  answerHeaders(req: SipRequest): HeaderInit {
    const asked = sessionExpiresOf(req);
    const refresher: Refresher = asked?.refresher ?? (supportsTimer(req) ? 'uac' : 'uas');
    const headers: HeaderInit = { 'Session-Expires': `${asked?.delta ?? this.delta};refresher=${refresher}` };
    if (supportsTimer(req)) headers.Require = 'timer';
    return headers;
  }

  /** Stops the timer and any refresh in flight. */
  stop(): void {
    this.timer?.unsubscribe();
    this.refreshing$?.unsubscribe();
  }
}
