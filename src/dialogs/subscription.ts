import type { Subscription as RxSubscription } from 'rxjs';
import type { SipMessage } from '../sip/message.js';
import type { UserAgent } from './user-agent.js';

/** What a subscription needs from its dialog. */
export interface SubscriptionDialog {
  readonly sip: { callId: string };
  readonly state: string;
  /** Sends the final NOTIFY (notifier) and ends the dialog. */
  endSubscription(reason: string): void;
}

/** RFC 6665 §4.1.2.1: an Expires the event package has no better default for. */
export const DEFAULT_SUBSCRIPTION_EXPIRES = 3600;

export function expiresOf(message: SipMessage): number | undefined {
  try {
    return message.getParsedHeader('expires');
  } catch {
    return undefined;
  }
}

/** `Subscription-State: active;expires=60` → {state: 'active', expires: 60, reason}. */
export function subscriptionStateOf(
  message: SipMessage,
): { state: string; expires?: number; reason?: string } | undefined {
  const value = message.get('subscription-state');
  if (!value) return undefined;
  const [state = '', ...params] = value.split(';').map((p) => p.trim());
  const out: { state: string; expires?: number; reason?: string } = { state: state.toLowerCase() };
  for (const param of params) {
    const [name = '', v = ''] = param.split('=').map((p) => p.trim());
    if (name.toLowerCase() === 'expires' && /^\d+$/.test(v)) out.expires = Number(v);
    if (name.toLowerCase() === 'reason') out.reason = v;
  }
  return out;
}

/**
 * The life of an RFC 6665 subscription in its dialog: it lasts until its expiry unless refreshed
 * (a SUBSCRIBE's Expires, or a NOTIFY's Subscription-State expires), and then ends (a notifier
 * sends NOTIFY terminated;reason=timeout first).
 */
export class SubscriptionTimer {
  private timer: RxSubscription | undefined;

  constructor(
    private readonly ua: UserAgent,
    private readonly dialog: SubscriptionDialog,
    readonly event: string,
    expires: number,
    /** The subscriber waits this much longer (ms) for the notifier's final NOTIFY before ending on its own. */
    private readonly grace = 0,
  ) {
    this.refresh(expires);
  }

  /** The subscription now lasts `expires` seconds (plus the subscriber's grace). */
  refresh(expires: number): void {
    this.expireIn(expires * 1000 + (expires > 0 ? this.grace : 0));
  }

  /** Ends the subscription in `delay` ms unless refreshed before. */
  expireIn(delay: number): void {
    this.timer?.unsubscribe();
    this.timer = this.ua.scheduler.schedule(() => {
      if (this.dialog.state === 'terminated') return;
      this.ua.log.info({ callId: this.dialog.sip.callId, event: this.event }, 'subscription expired');
      this.dialog.endSubscription('timeout');
    }, delay);
  }

  stop(): void {
    this.timer?.unsubscribe();
  }
}
