import type { RequestEvent } from '../../requests/srf-request.js';
import type { DialogCore } from '../dialog-core.js';
import type { SubscribeUsage } from '../subscribe-usage.js';
import { subscriptionStateOf } from '../subscription.js';
import { defaultAnswer, onFinal } from './answers.js';

/**
 * A NOTIFY (RFC 6665 §4.1.3). In a subscriber's SUBSCRIBE dialog, its Subscription-State moves
 * the expiry, and `terminated` ends the dialog once the NOTIFY is accepted (as we asked, after an
 * unsubscribe, or the notifier's reason). The application answers it on `notify$`, or the dialog
 * answers 200 (and keeps it for a `notify$` still to come, when a NOTIFY made the dialog).
 */
export function receiveNotify(
  core: DialogCore,
  usage: SubscribeUsage | undefined,
  event: RequestEvent,
): void {
  const { req, res } = event;
  const state = usage ? subscriptionStateOf(req) : undefined;
  if (usage && state) {
    onFinal(core, res, (final) => {
      if (final.status >= 300) return;
      if (state.state === 'terminated' && usage.unsubscribing)
        core.terminate('subscription-terminated', 'local', req);
      else if (state.state === 'terminated')
        core.terminate(`subscription-${state.reason ?? 'terminated'}`, 'remote', req);
      else if (state.expires !== undefined) usage.timer.refresh(state.expires);
    });
  }
  core.incoming.offer('notify', event, () => {
    defaultAnswer(core, req, res);
    usage?.hold(event);
  });
}
