import type { Subscription } from 'rxjs';
import type { HeaderInit, SipMessage, SipRequest, SipResponse } from '../sip/message.js';
import type { Dialog } from './dialog.js';
import type { UserAgent } from './user-agent.js';

/** Session timer settings (RFC 4028); seconds. */
export interface SessionTimerConfig {
  /** The interval rxsip asks for in its own INVITEs (default 1800). */
  expires: number;
  /** The smallest interval accepted; smaller requests get 422 (default 90, the RFC's floor). */
  minSE: number;
}

export const DEFAULT_SESSION_TIMERS: SessionTimerConfig = { expires: 1800, minSE: 90 };

export type Refresher = 'uac' | 'uas';

function supportsTimer(message: SipMessage): boolean {
  return (message.get('supported') ?? '').split(',').some((t) => t.trim().toLowerCase() === 'timer');
}

export function sessionExpiresOf(message: SipMessage): { delta: number; refresher?: Refresher } | undefined {
  try {
    return message.getParsedHeader('session-expires');
  } catch {
    return undefined;
  }
}

/**
 * RFC 4028 §9: what a UAS answers a request asking for a session timer: 422 with Min-SE when
 * the interval is too small, else the headers for its 2xx (Session-Expires with the refresher the
 * request named, or the UAC when it supports timers, else us; Require: timer when it does).
 */
export function negotiateAsUas(
  request: SipRequest,
  config: SessionTimerConfig,
): { reject: HeaderInit } | { headers: HeaderInit; delta: number; refresher: Refresher } | undefined {
  const asked = sessionExpiresOf(request);
  if (!asked) return undefined;
  if (asked.delta < config.minSE) return { reject: { 'Min-SE': config.minSE } };
  const uacSupports = supportsTimer(request);
  const refresher: Refresher = asked.refresher ?? (uacSupports ? 'uac' : 'uas');
  const headers: HeaderInit = { 'Session-Expires': `${asked.delta};refresher=${refresher}` };
  if (uacSupports) headers.Require = 'timer';
  return { headers, delta: asked.delta, refresher };
}

/**
 * A running session timer (RFC 4028 §10): the refresher refreshes at half the interval (UPDATE
 * when the peer allows it, else a re-INVITE with the same SDP); the other side ends the session
 * with BYE (reason `session-expired`) when no refresh came by `SE - min(32, SE/3)`. Every
 * accepted refresh, in either direction, re-reads the interval and who refreshes, and restarts.
 * `refresher=uac` names the sender of the request that last set it, `uas` its receiver.
 */
export class SessionTimer {
  private timer: Subscription | undefined;

  constructor(
    private readonly ua: UserAgent,
    private readonly dialog: Dialog,
    private delta: number,
    private refreshing: boolean,
    private readonly useUpdate: boolean,
  ) {
    dialog.onRefresh = (_req, answer, direction) => this.refreshed(answer, direction);
    dialog.refreshHeaders = (req) => this.answerHeaders(req);
    this.start();
  }

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
    this.timer = this.ua.scheduler.schedule(
      () => (this.refreshing ? this.refresh() : this.expire()),
      seconds * 1000,
    );
  }

  private refresh(): void {
    if (this.dialog.state === 'terminated') return;
    const headers: HeaderInit = { 'Session-Expires': `${this.delta};refresher=uac`, Supported: 'timer' };
    const refresh$ = this.useUpdate
      ? this.dialog.sendUpdate$({ headers })
      : this.dialog.reinvite$(this.dialog.local.sdp, { headers });
    refresh$.subscribe({
      error: (err: unknown) =>
        this.ua.log.info({ callId: this.dialog.sip.callId, err }, 'session refresh failed'),
    });
  }

  private expire(): void {
    if (this.dialog.state === 'terminated') return;
    this.ua.log.info({ callId: this.dialog.sip.callId }, 'session expired: no refresh');
    this.dialog.bye$({ reason: 'session-expired' }).subscribe();
  }

  /** A refresh was accepted; its 2xx carries the interval and the refresher now agreed. */
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

  /** Headers for our 2xx to a refresh the peer sent (RFC 4028 §9). */
  answerHeaders(req: SipRequest): HeaderInit {
    const asked = sessionExpiresOf(req);
    const refresher: Refresher = asked?.refresher ?? (supportsTimer(req) ? 'uac' : 'uas');
    const headers: HeaderInit = { 'Session-Expires': `${asked?.delta ?? this.delta};refresher=${refresher}` };
    if (supportsTimer(req)) headers.Require = 'timer';
    return headers;
  }

  stop(): void {
    this.timer?.unsubscribe();
  }
}
