import type { RequestEvent } from '../requests/srf-request.js';
import type { SipRequest } from '../sip/message.js';
import type { DialogCore } from './dialog-core.js';
import { SubscriptionTimer } from './subscription.js';

/** How a SUBSCRIBE dialog's subscription starts. */
export interface SubscriptionTerms {
  /** The event package (the Event header). */
  event: string;
  /** Seconds until it expires. */
  expires: number;
  /** Subscriber: ms more to wait for the notifier's final NOTIFY after the expiry. */
  grace?: number;
  /** Subscriber whose dialog a NOTIFY made before the 2xx: keep the NOTIFYs for the first `notify$` subscriber. */
  holdEarlyNotifies?: boolean;
}

/** At most this many NOTIFYs are kept for a `notify$` subscriber still to come. */
export const MAX_HELD_NOTIFIES = 8;

/**
 * The SUBSCRIBE usage of a dialog (RFC 6665, RFC 5057 §3): the subscription's expiry, whether we
 * are unsubscribing, whether the final NOTIFY has gone, and the NOTIFYs held for a late
 * `notify$`. Released with the dialog's lifetime.
 */
export class SubscribeUsage {
  /** The subscription's expiry. */
  readonly timer: SubscriptionTimer;
  /** Subscriber: we sent SUBSCRIBE with Expires: 0; the final NOTIFY ends the dialog. */
  unsubscribing = false;
  /** Notifier: a NOTIFY with Subscription-State: terminated went out; refreshes get 481. */
  finalNotifySent = false;
  /** Subscriber: the SUBSCRIBE with Expires: 0 we sent, once sent. */
  unsubscribeRequest: SipRequest | undefined;
  /** NOTIFYs that arrived before the application had the dialog (already answered). */
  held: RequestEvent[] | undefined;

  /**
   * @param core - the dialog
   * @param terms - event, expiry and grace
   * @param onExpire - what ends the subscription at its expiry
   */
  constructor(core: DialogCore, terms: SubscriptionTerms, onExpire: () => void) {
    this.timer = new SubscriptionTimer(
      core.ua.scheduler,
      core.ua.log,
      terms.event,
      terms.expires,
      onExpire,
      terms.grace ?? 0,
    );
    if (terms.holdEarlyNotifies) this.held = [];
    core.lifetime.add(() => this.timer.stop());
  }

  /** The event package. */
  get event(): string {
    return this.timer.event;
  }

  /** Keeps a NOTIFY for the first `notify$` subscriber, while it is awaited. */
  hold(event: RequestEvent): void {
    if (this.held && this.held.length < MAX_HELD_NOTIFIES) this.held.push(event);
  }

  /** The NOTIFYs kept so far; none are kept after. */
  takeHeld(): RequestEvent[] | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }
}
