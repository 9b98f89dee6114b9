import type { Observable } from 'rxjs';
import type { SipResponse } from '../sip/message.js';
import { reasonPhrase } from '../sip/status-reasons.js';
import type { Dialog } from './dialog.js';

/**
 * Reports the progress of an accepted REFER over its implicit subscription (RFC 3515 §2.4.4):
 * a NOTIFY with Event: refer and a message/sipfrag body holding the status line of the
 * referred request. A final status (≥ 200) terminates the subscription.
 *
 * @param dialog - the dialog the REFER arrived in
 * @param status - the status of the referred request so far: 100 when it starts, then its
 *   provisional and final responses' statuses
 * @param options - `reason` for the sipfrag's reason phrase; `expires` of a non-final NOTIFY's
 *   subscription (60 s by default); `id`, the REFER's CSeq number, when the dialog has had
 *   several REFERs (RFC 3515 §2.4.6)
 * @returns the cold NOTIFY: subscribing sends it, and emits its final response
 * @example
 * ```ts
 * import { type Dialog, SipError, sendReferProgress$, type Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * declare const dialog: Dialog;
 * dialog.refer$.subscribe(({ req, res }) => {
 *   const target = req.getParsedHeader('Refer-To')?.uri;
 *   if (!target) return res.send(400);
 *   res.send(202);
 *   sendReferProgress$(dialog, 100).subscribe();
 *   srf.call(target).then(
 *     () => sendReferProgress$(dialog, 200).subscribe(),
 *     (err) => sendReferProgress$(dialog, err instanceof SipError ? err.status : 503).subscribe(),
 *   );
 * });
 * ```
 */
export function sendReferProgress$(
  dialog: Dialog,
  status: number,
  options: { reason?: string; expires?: number; id?: number } = {},
): Observable<SipResponse> {
  const final = status >= 200;
  const state = final ? 'terminated;reason=noresource' : `active;expires=${options.expires ?? 60}`;
  return dialog.send$({
    method: 'NOTIFY',
    headers: {
      Event: options.id === undefined ? 'refer' : `refer;id=${options.id}`,
      'Subscription-State': state,
    },
    contentType: 'message/sipfrag;version=2.0',
    body: `SIP/2.0 ${status} ${options.reason ?? reasonPhrase(status)}\r\n`,
  });
}

/**
 * The status a sipfrag NOTIFY reports, on the side that sent the REFER: how the transfer
 * is going (RFC 3515 §2.4.5), e.g. 180 or 200.
 *
 * @param notify - the NOTIFY, or anything with its body
 * @returns the status code of the sipfrag's status line, or `undefined` when the body has none
 * @example
 * ```ts
 * import type { Dialog } from 'rxsip';
 * import { sipfragStatus } from 'rxsip';
 *
 * declare const dialog: Dialog;
 * dialog.notify$.subscribe(({ req, res }) => {
 *   res.send(200);
 *   const status = sipfragStatus(req);
 *   if (status !== undefined && status >= 200) console.log(`the transfer ended with ${status}`);
 * });
 * ```
 */
export function sipfragStatus(notify: { body: string }): number | undefined {
  const match = /^SIP\/2\.0 (\d{3})/.exec(notify.body.trim());
  return match ? Number(match[1]) : undefined;
}
