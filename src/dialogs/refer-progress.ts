import type { Observable } from 'rxjs';
import type { SipResponse } from '../sip/message.js';
import { reasonPhrase } from '../sip/status-reasons.js';
import type { Dialog } from './dialog.js';

/**
 * Reports the progress of an accepted REFER over its implicit subscription (RFC 3515 §2.4.4):
 * a NOTIFY with Event: refer and a message/sipfrag body holding the status line of the
 * referred request. A final status (≥ 200) terminates the subscription.
 *
 * @example
 * dialog.refer$.subscribe(({ req, res }) => {
 *   res.send(202);
 *   sendReferProgress$(dialog, 100).subscribe();
 *   srf.call$(req.getParsedHeader('Refer-To').uri).subscribe(... sendReferProgress$(dialog, 200) ...);
 * });
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

/** The status line a sipfrag NOTIFY reports (the REFER sender's side), e.g. 180 or 200. */
export function sipfragStatus(notify: { body: string }): number | undefined {
  const match = /^SIP\/2\.0 (\d{3})/.exec(notify.body.trim());
  return match ? Number(match[1]) : undefined;
}
