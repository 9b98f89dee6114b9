import type { RequestEvent } from '../../requests/srf-request.js';
import { firstContactUri } from '../../sip/contact.js';
import type { DialogCore } from '../dialog-core.js';
import type { InviteUsage } from '../invite-usage.js';
import { defaultAnswer, onFinal, retryLater } from './answers.js';

/**
 * An UPDATE (RFC 3311), in an early or confirmed dialog. An offer meeting ours gets 491, one
 * while we still owe an answer 500 with Retry-After (§5.2). The application answers it on
 * `update$`, or the dialog does (200, with its SDP to an offer). A 2xx, whoever sends it,
 * refreshes the target and settles the offer/answer; one without an offer is a session refresh.
 */
export function receiveUpdate(core: DialogCore, usage: InviteUsage | undefined, event: RequestEvent): void {
  const { req, res } = event;
  const offer = req.payload.length > 0 ? req.body : undefined;
  if (offer && usage) {
    const t = usage.apply({ kind: 'receive-offer', carrier: 'update' });
    if (!t.ok) {
      if (t.refusal === 'glare') res.send(491);
      else retryLater(core, res);
      return;
    }
  }
  if (usage) {
    for (const [name, value] of Object.entries(usage.refreshHeaders(req)))
      if (typeof value === 'string' || typeof value === 'number') res.set(name, value);
  }
  const refresh = !offer || offer === core.remote.sdp;
  onFinal(core, res, (final) => {
    if (final.status >= 300) {
      if (offer) usage?.apply({ kind: 'offer-refused' });
      return;
    }
    const target = firstContactUri(req);
    if (target) core.setRemoteTarget(target);
    if (offer) {
      core.remote.sdp = offer;
      usage?.apply({ kind: 'send-answer' });
    }
    if (final.payload.length > 0) core.local.sdp = final.body;
    usage?.refreshed(final, 'received');
    if (refresh) core.incoming.notify('refresh', req);
  });
  core.incoming.offer('update', event, () => defaultAnswer(core, req, res));
}
