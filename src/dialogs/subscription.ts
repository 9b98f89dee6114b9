import type { Logger } from 'pino';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { SipMessage } from '../sip/message.js';

/** RFC 6665 §4.1.2.1: an Expires the event package has no better default for. */
export const DEFAULT_SUBSCRIPTION_EXPIRES = 3600;

/** The Expires of a message, or undefined when absent or malformed. */
export function expiresOf(message: SipMessage): number | undefined {
  return message.tryParsedHeader('expires');
}

/**
 * `Subscription-State: active;expires=60` → `{state: 'active', expires: 60}` (RFC 6665 §8.2.3).
 *
 * @param message - a NOTIFY
 * @returns the state (lower case), its expires and reason, or undefined without the header
 * @example
 * ```ts
 * import { type SipRequest, subscriptionStateOf } from 'rxsip';
 *
 * declare const notify: SipRequest;
 * if (subscriptionStateOf(notify)?.state === 'terminated') console.log('the subscription is over');
 * ```
 */
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
 * The expiry of an RFC 6665 subscription: it lasts until its expiry unless refreshed (a
 * SUBSCRIBE's Expires, or a NOTIFY's Subscription-State expires), and then `onExpire` runs.
 */
export class SubscriptionTimer {
  private timer: Subscription | undefined;

  /**
   * @param scheduler - where the timer runs
   * @param log - the dialog's logger
   * @param event - the event package (Event header)
   * @param expires - seconds until the first expiry
   * @param onExpire - what ends the subscription
   * @param grace - ms more the subscriber waits for the notifier's final NOTIFY
   */
  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly log: Logger,
    readonly event: string,
    expires: number,
    private readonly onExpire: () => void,
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
    this.timer = this.scheduler.schedule(() => {
      this.log.info({ event: this.event }, 'subscription expired');
      this.onExpire();
    }, delay);
  }

  /** Stops the timer. */
  stop(): void {
    this.timer?.unsubscribe();
  }
}
