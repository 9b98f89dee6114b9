import type { RequestEvent } from '../../requests/srf-request.js';
import type { DialogCore } from '../dialog-core.js';
import type { InviteUsage } from '../invite-usage.js';
import type { SubscribeUsage } from '../subscribe-usage.js';
import { defaultAnswer } from './answers.js';
import { receiveBye } from './bye.js';
import { receiveNotify } from './notify.js';
import { receiveReinvite } from './reinvite.js';
import { receiveSubscribe } from './subscribe.js';
import { receiveUpdate } from './update.js';

// RFC 3261 §21.4.6: a subscription's dialog takes no re-INVITE; its Allow says what it takes.
const SUBSCRIPTION_ALLOW = 'SUBSCRIBE, NOTIFY, OPTIONS, INFO, MESSAGE, REFER';

/**
 * Hands a request inside a dialog (its CSeq already accepted, RFC 3261 §12.2.2) to the module of
 * its method: BYE ends the dialog, a re-INVITE or UPDATE goes to the INVITE usage, NOTIFY and
 * SUBSCRIBE to the SUBSCRIBE usage (RFC 5057), PRACK to the early INVITE (RFC 3262), INFO, REFER,
 * MESSAGE and OPTIONS to the application (or their default answer); any other method gets 501.
 *
 * @param core - the dialog
 * @param invite - its INVITE usage, for a call
 * @param subscription - its SUBSCRIBE usage, for a subscription
 * @param event - the request and its response
 * @param endSubscription - ends the subscription (an unsubscribe or its expiry)
 */
export function receiveInDialog(
  core: DialogCore,
  invite: InviteUsage | undefined,
  subscription: SubscribeUsage | undefined,
  event: RequestEvent,
  endSubscription: (reason?: string) => void,
): void {
  const { req, res } = event;
  switch (req.method) {
    case 'BYE':
      receiveBye(core, event);
      return;
    case 'PRACK':
      if (core.earlyInvite) core.earlyInvite.receivePrack(event);
      else res.send(481);
      return;
    case 'INVITE':
      if (invite) receiveReinvite(core, invite, event);
      else res.send(405, { headers: { Allow: SUBSCRIPTION_ALLOW } });
      return;
    case 'UPDATE':
      receiveUpdate(core, invite, event);
      return;
    case 'NOTIFY':
      receiveNotify(core, subscription, event);
      return;
    case 'SUBSCRIBE':
      receiveSubscribe(core, subscription, event, endSubscription);
      return;
    case 'INFO':
    case 'REFER':
    case 'MESSAGE':
    case 'OPTIONS':
      core.incoming.offer(req.method.toLowerCase() as 'info', event, () => defaultAnswer(core, req, res));
      return;
    default:
      res.send(501);
  }
}
