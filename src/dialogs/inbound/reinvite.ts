import type { RequestEvent } from '../../requests/srf-request.js';
import { firstContactUri } from '../../sip/contact.js';
import type { SipResponse } from '../../sip/message.js';
import type { DialogCore } from '../dialog-core.js';
import type { InviteUsage } from '../invite-usage.js';
import {
  answerDirection,
  isHoldOffer,
  nextVersion,
  sdpDirection,
  sdpOrigin,
  withDirection,
} from '../sdp-direction.js';
import { AnswerRetransmitter } from '../uas-answer.js';
import { answerWithLocalSdp, onFinal, retryLater } from './answers.js';

type Kind = 'refresh' | 'hold' | 'unhold' | 'modify';

// drachtio-srf's classification: a refresh repeats the SDP; hold and unhold change only its
// direction and are answered by the dialog unless the application takes every re-INVITE.
function classify(
  core: DialogCore,
  usage: InviteUsage,
  offer: string | undefined,
  appListens: boolean,
): Kind {
  if (
    offer &&
    sdpOrigin(offer) !== undefined &&
    sdpOrigin(offer) === sdpOrigin(core.remote.sdp) &&
    offer === core.remote.sdp
  )
    return 'refresh';
  if (appListens || !offer) return 'modify';
  if (isHoldOffer(offer) && !usage.onHold) return 'hold';
  if (!isHoldOffer(offer) && usage.onHold) return 'unhold';
  return 'modify';
}

/**
 * A re-INVITE (RFC 3261 §14.2). Glare with our own re-INVITE or offer gets 491; one arriving
 * while we still owe an answer gets 500 with Retry-After. A refresh, a hold and an unhold are
 * answered by the dialog with its SDP (and reported); anything else goes to `reinvite$`, or is
 * answered with the local SDP when nobody listens. The 2xx, whoever sends it, refreshes the
 * target, settles the offer/answer, and is resent until its ACK (§13.3.1.4).
 */
export function receiveReinvite(core: DialogCore, usage: InviteUsage, event: RequestEvent): void {
  const { req, res } = event;
  if (usage.inProgress === 'ours') {
    res.send(491);
    return;
  }
  if (usage.inProgress === 'theirs') {
    retryLater(core, res);
    return;
  }
  const offer = req.payload.length > 0 ? req.body : undefined;
  if (offer) {
    const t = usage.apply({ kind: 'receive-offer', carrier: 'invite' });
    if (!t.ok) {
      if (t.refusal === 'glare') res.send(491);
      else retryLater(core, res);
      return;
    }
  }
  usage.begin('theirs');
  for (const [name, value] of Object.entries(usage.refreshHeaders(req)))
    if (typeof value === 'string' || typeof value === 'number') res.set(name, value);
  const target = firstContactUri(req);
  const kind = classify(core, usage, offer, core.incoming.observed('reinvite'));
  let local = core.local.sdp;
  if (kind === 'hold' && offer && local) {
    // RFC 3264 §6.1: the answer to sendonly is recvonly, to inactive inactive.
    local = nextVersion(withDirection(local, answerDirection(sdpDirection(offer) ?? 'sendrecv')));
  } else if (kind === 'unhold' && local) {
    local = nextVersion(withDirection(local, 'sendrecv'));
  }
  onFinal(core, res, (final: SipResponse) => {
    usage.end();
    if (final.status < 200 || final.status >= 300) {
      if (offer) usage.apply({ kind: 'offer-refused' });
      return;
    }
    if (target) core.setRemoteTarget(target);
    if (offer) {
      core.remote.sdp = offer;
      usage.apply({ kind: 'send-answer' });
    } else if (final.payload.length > 0) {
      // A re-INVITE without SDP: our 2xx offers, the ACK answers (RFC 3264 §4).
      usage.apply({ kind: 'send-offer', carrier: '2xx' });
    }
    if (final.payload.length > 0) core.local.sdp = final.body;
    if (kind === 'hold') usage.onHold = true;
    if (kind === 'unhold') usage.onHold = false;
    usage.refreshed(final, 'received');
    usage.awaitAck(
      new AnswerRetransmitter(core.ua, req.inbound, final, () =>
        core.ua.log.warn({ callId: core.sip.callId }, 'no ACK for the 2xx to a re-INVITE'),
      ),
    );
  });
  if (kind === 'modify' && core.incoming.observed('reinvite')) {
    core.incoming.offer('reinvite', event, () => undefined);
    return;
  }
  if (local !== core.local.sdp) core.local.sdp = local;
  answerWithLocalSdp(core, res);
  if (kind !== 'modify') core.incoming.notify(kind, req);
}
