import { defer, finalize, type Observable, tap } from 'rxjs';
import { firstContactUri } from '../../sip/contact.js';
import type { SipResponse } from '../../sip/message.js';
import type { DialogCore, RequestOptions } from '../dialog-core.js';
import type { InviteUsage } from '../invite-usage.js';
import { dialogEnded } from './request.js';

/** Why no offer can be made now. */
export function offerRefused(refusal: string): Error {
  return new Error(`cannot make an offer now (${refusal}): RFC 3264 §4 allows one offer at a time`);
}

/**
 * Sends an UPDATE (RFC 3311, cold), in an early or confirmed dialog: with a body it is an offer,
 * and the 2xx's answer and Contact update the dialog; without one, a session refresh. Errors
 * when an offer is already outstanding either way (§5.1).
 */
export function sendUpdate$(
  core: DialogCore,
  usage: InviteUsage | undefined,
  options: Omit<RequestOptions, 'method'> = {},
): Observable<SipResponse> {
  return defer(() => {
    if (core.state === 'terminated') throw dialogEnded(core);
    const request = core.build(Object.assign({}, options, { method: 'UPDATE' }));
    const offer = request.payload.length > 0 ? request.body : undefined;
    let open = false;
    if (offer && usage) {
      const t = usage.apply({ kind: 'send-offer', carrier: 'update' });
      if (!t.ok) throw offerRefused(t.refusal);
      open = true;
    }
    return core.transmit$(request).pipe(
      tap((response) => {
        if (response.status < 200) return;
        open = false;
        if (response.status >= 300) {
          if (offer) usage?.apply({ kind: 'offer-rejected' });
          core.checkFinal(response);
          return;
        }
        const target = firstContactUri(response);
        if (target) core.setRemoteTarget(target);
        if (offer) {
          core.local.sdp = offer;
          usage?.apply({ kind: 'receive-answer' });
        }
        if (response.payload.length > 0) core.remote.sdp = response.body;
        usage?.refreshed(response, 'sent');
      }),
      finalize(() => {
        // Unsubscribed or failed before the final response: the offer is void.
        if (open) usage?.apply({ kind: 'offer-rejected' });
      }),
    );
  });
}
