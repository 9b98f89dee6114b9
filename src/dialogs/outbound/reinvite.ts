import {
  catchError,
  concatMap,
  defer,
  filter,
  finalize,
  map,
  mergeMap,
  type Observable,
  tap,
  throwError,
  timer,
} from 'rxjs';
import { ackInDialog } from '../../sip/ack-for-2xx.js';
import { firstContactUri } from '../../sip/contact.js';
import type { HeaderInit, SipResponse } from '../../sip/message.js';
import type { DialogCore } from '../dialog-core.js';
import { inviteClient } from '../invite-client.js';
import type { InviteUsage } from '../invite-usage.js';
import { nextVersion, withDirection } from '../sdp-direction.js';
import { SipError } from '../sip-error.js';
import { dialogEnded } from './request.js';
import { offerRefused } from './update.js';

const MAX_GLARE_RETRIES = 5;

/** A new session description, or the current one put on hold (inactive) or taken off it. */
export type ReinviteOffer = string | 'hold' | 'unhold';

/**
 * Sends a re-INVITE (cold): one at a time per dialog, each waiting until no INVITE transaction
 * is in progress either way and our 2xx has its ACK (RFC 3261 §14.1); a failure never blocks the
 * next. Emits every response; the 2xx is ACKed and the remote SDP and target updated; a non-2xx
 * final errors with {@link SipError}. A 491 is retried after §14.1's back-off.
 */
export function sendReinvite$(
  core: DialogCore,
  usage: InviteUsage,
  sdp: ReinviteOffer,
  options: { headers?: HeaderInit } = {},
): Observable<SipResponse> {
  return usage.reinvites.run(() =>
    usage.idle$().pipe(concatMap(() => withRetry(core, usage, sdp, options, 0))),
  );
}

// RFC 3261 §14.1: after a 491 the re-INVITE is tried again after a random wait: 2.1-4 s for the
// dialog's Call-ID owner (the UAC of the first INVITE), 0-2 s for the other side.
function withRetry(
  core: DialogCore,
  usage: InviteUsage,
  sdp: ReinviteOffer,
  options: { headers?: HeaderInit },
  tries: number,
): Observable<SipResponse> {
  return once(core, usage, sdp, options).pipe(
    catchError((err: unknown) => {
      if (
        !(err instanceof SipError) ||
        err.status !== 491 ||
        tries >= MAX_GLARE_RETRIES ||
        core.state === 'terminated'
      )
        return throwError(() => err);
      const ua = core.ua;
      const wait =
        core.type === 'uac' ? 2100 + Math.floor(ua.random() * 191) * 10 : Math.floor(ua.random() * 201) * 10;
      return timer(wait, ua.scheduler).pipe(
        mergeMap(() => usage.idle$()),
        mergeMap(() => withRetry(core, usage, sdp, options, tries + 1)),
      );
    }),
  );
}

function once(
  core: DialogCore,
  usage: InviteUsage,
  sdp: ReinviteOffer,
  options: { headers?: HeaderInit },
): Observable<SipResponse> {
  return defer(() => {
    if (core.state === 'terminated') throw dialogEnded(core);
    if (sdp === 'unhold' && !usage.onHold) throw new Error('attempt to unhold session that is not on hold');
    const holding = sdp === 'hold' ? true : sdp === 'unhold' ? false : undefined;
    const offer =
      holding === undefined
        ? sdp
        : nextVersion(withDirection(core.local.sdp, holding ? 'inactive' : 'sendrecv'));
    if (offer) {
      const t = usage.apply({ kind: 'send-offer', carrier: 'invite' });
      if (!t.ok) throw offerRefused(t.refusal);
    }
    const request = core.build({ method: 'INVITE', headers: options.headers, body: offer || undefined });
    usage.begin('ours');
    let open = Boolean(offer);
    return inviteClient(core.ua, request, {
      flowId: core.flowId,
      auth: core.credentials,
      ackFor: (_response, sent) => ackInDialog(core.route, sent.cseq.seq),
      onUnwanted2xx: () => undefined,
    }).pipe(
      tap((e) => core.track(e)),
      filter((e) => e.kind === 'response'),
      map((e) => e.response),
      tap((response) => {
        if (response.status < 200) return;
        usage.end();
        open = false;
        if (response.status >= 300) {
          if (offer) usage.apply({ kind: 'offer-rejected' });
          core.checkFinal(response);
          throw new SipError(response.status, response.reason, response);
        }
        const target = firstContactUri(response);
        if (target) core.setRemoteTarget(target);
        if (response.payload.length > 0) core.remote.sdp = response.body;
        if (offer) {
          core.local.sdp = offer;
          usage.apply({ kind: 'receive-answer' });
        }
        if (holding !== undefined) usage.onHold = holding;
        usage.refreshed(response, 'sent');
      }),
      finalize(() => {
        // Unsubscribed (CANCEL) or failed before a final response.
        if (usage.inProgress === 'ours') usage.end();
        if (open) usage.apply({ kind: 'offer-rejected' });
      }),
    );
  });
}
