import type { RequestEvent } from '../../requests/srf-request.js';
import type { DialogCore } from '../dialog-core.js';
import type { SubscribeUsage } from '../subscribe-usage.js';
import { DEFAULT_SUBSCRIPTION_EXPIRES, expiresOf } from '../subscription.js';
import { onFinal } from './answers.js';

/**
 * A SUBSCRIBE inside a dialog. In a notifier's SUBSCRIBE dialog it refreshes the subscription
 * (RFC 6665 §4.2.1): its 2xx's Expires is the new expiry, and 0 ends it with a final NOTIFY
 * (`endSubscription`). Once the final NOTIFY went out, a refresh gets 481. The application
 * answers on `subscribe$`, or the dialog answers 200 with Expires. Outside a subscription usage
 * it gets 489 (Bad Event) unless the application takes it.
 */
export function receiveSubscribe(
  core: DialogCore,
  usage: SubscribeUsage | undefined,
  event: RequestEvent,
  endSubscription: (reason?: string) => void,
): void {
  const { req, res } = event;
  if (!usage) {
    core.incoming.offer('subscribe', event, () => res.send(489, 'Bad Event'));
    return;
  }
  if (usage.finalNotifySent) {
    res.send(481);
    return;
  }
  const asked = expiresOf(req) ?? DEFAULT_SUBSCRIPTION_EXPIRES;
  onFinal(core, res, (final) => {
    if (final.status >= 300) return;
    const granted = expiresOf(final) ?? asked;
    if (granted === 0) endSubscription();
    else usage.timer.refresh(granted);
  });
  core.incoming.offer('subscribe', event, () => res.send(200, { headers: { Expires: asked } }));
}
