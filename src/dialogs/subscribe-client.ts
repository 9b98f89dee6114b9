import { defer, finalize, mergeMap, type Observable, of, throwError } from 'rxjs';
import type { InboundRequest } from '../engine/engine.js';
import { withDigestAuth } from '../requests/digest-client.js';
import { buildRequest } from '../requests/out-of-dialog-request.js';
import { uacDialogRoute, uasDialogRoute } from '../sip/dialog-route.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { Dialog } from './dialog.js';
import { createDialog } from './dialog-factory.js';
import { SipError } from './sip-error.js';
import { DEFAULT_SUBSCRIPTION_EXPIRES, expiresOf } from './subscription.js';
import { requestUri, type UacOptions, type UacProgress } from './uac-options.js';
import type { UserAgent } from './user-agent.js';

/**
 * Subscribes (RFC 6665) and emits the SUBSCRIBE sent, then the SUBSCRIBE dialog with its 2xx.
 * NOTIFYs arrive on the dialog's `notify$`; a terminated one, or the expiry, ends it. A NOTIFY
 * that overtakes the 2xx (§4.1.2.4) makes the dialog and is answered 200 at once; `notify$`
 * still hands it to its first subscriber. A non-2xx errors with SipError.
 */
export function subscribeClient$(ua: UserAgent, uri: string, options: UacOptions): Observable<UacProgress> {
  return defer(() => {
    const localHost = ua.engine.listeningPoints[0]?.advertised.host ?? 'localhost';
    const subscribe = buildRequest(
      requestUri(uri, options.calledNumber),
      {
        method: 'SUBSCRIBE',
        headers: options.headers,
        callingNumber: options.callingNumber,
        callingName: options.callingName,
      },
      localHost,
    );
    const event = subscribe.get('event') ?? '';
    const asked = expiresOf(subscribe) ?? DEFAULT_SUBSCRIPTION_EXPIRES;
    let sent: SipRequest = subscribe;
    let dialog: Dialog | undefined;
    const makeDialog = (
      route: ReturnType<typeof uacDialogRoute>,
      createdBy: SipRequest | SipResponse,
      expires: number,
      holdEarlyNotifies = false,
    ) =>
      createDialog({
        ua,
        type: 'uac',
        dialogType: 'SUBSCRIBE',
        route,
        localContact: sent.get('contact') ?? '',
        localSdp: '',
        remoteSdp: '',
        localCseq: sent.cseq.seq,
        remoteCseq: 0,
        createdBy,
        auth: options.auth,
        // The notifier ends an unrefreshed subscription with a NOTIFY: give it time to arrive.
        subscription: { event, expires, grace: 64 * ua.timers.t1, holdEarlyNotifies },
      });
    const key = `${subscribe.callId}\u0000${subscribe.fromTag ?? ''}`;
    // A NOTIFY that overtakes the 2xx makes the dialog (its route as a UAS would see it).
    ua.pendingSubscriptions.set(key, (inbound: InboundRequest) => {
      if (dialog) return false;
      const notify = inbound.message;
      const route = uasDialogRoute(notify, subscribe.fromTag ?? '');
      // The application gets the dialog with the 2xx; this NOTIFY is kept for its notify$.
      dialog = makeDialog(route, notify, asked, true);
      dialog.receive(inbound);
      return true;
    });
    return withDigestAuth(subscribe, (r) => ua.engine.send(r, { proxy: options.proxy }), options.auth).pipe(
      mergeMap((e): Observable<UacProgress> => {
        if (e.kind === 'sent') {
          sent = e.request;
          return of({ type: 'request', request: e.request, cancel: () => undefined });
        }
        const response = e.response;
        if (response.status < 200) return of();
        ua.pendingSubscriptions.delete(key);
        if (response.status >= 300)
          return throwError(() => new SipError(response.status, response.reason, response));
        const existing = dialog;
        if (existing) {
          existing.subscription?.timer.refresh(expiresOf(response) ?? asked);
          return of({ type: 'dialog', dialog: existing, response });
        }
        dialog = makeDialog(uacDialogRoute(sent, response), response, expiresOf(response) ?? asked);
        return of({ type: 'dialog', dialog, response });
      }),
      finalize(() => ua.pendingSubscriptions.delete(key)),
    );
  });
}
