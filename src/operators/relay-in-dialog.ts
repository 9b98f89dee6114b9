import { defer, filter, type MonoTypeOperatorFunction, take, tap } from 'rxjs';
import { concatMap } from 'rxjs/operators';
import type { Dialog } from '../dialogs/dialog.js';
import { SipError } from '../dialogs/sip-error.js';
import type { HeaderInit, SipResponse } from '../sip/message.js';
import type { RequestEvent } from '../streams/request-router.js';

const RELAYED = ['info', 'update', 'refer', 'notify', 'message'] as const;
// Headers that describe the body or the request itself, carried to the other leg.
const CARRIED = [
  'content-type',
  'event',
  'subscription-state',
  'refer-to',
  'referred-by',
  'info-package',
  'reason',
];

function carried(source: { get(name: string): string | undefined }): HeaderInit {
  const headers: HeaderInit = {};
  for (const name of CARRIED) {
    const value = source.get(name);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

function answer(event: RequestEvent, response: SipResponse): void {
  const headers: HeaderInit = {};
  const type = response.get('content-type');
  if (type && response.payload.length > 0) headers['Content-Type'] = type;
  event.res.send(response.status, response.reason, {
    headers,
    body: response.payload.length > 0 ? response.body : undefined,
  });
}

// A re-INVITE from `from` becomes one on `to`; its answer, or failure status, goes back.
function relayReinvites(from: Dialog, to: Dialog): void {
  from.modify$
    .pipe(
      concatMap((event) =>
        defer(() => {
          // A re-INVITE from B before A's ACK waits for it (drachtio-srf #62), so none is lost.
          const ready = to.awaitingAck ? to.ack$.pipe(take(1)) : [undefined];
          return ready;
        }).pipe(
          concatMap(() => to.reinvite$(event.req.body, { headers: carried(event.req) })),
          filter((r) => r.status >= 200),
          tap({
            next: (r) => answer(event, r),
            error: (err: unknown) => event.res.send(err instanceof SipError ? err.status : 500),
          }),
        ),
      ),
    )
    .subscribe({ error: () => undefined });
}

function relayMethod(from: Dialog, to: Dialog, name: (typeof RELAYED)[number]): void {
  from[`${name}$`].subscribe((event) => {
    to.send$({
      method: event.req.method,
      headers: carried(event.req),
      body: event.req.payload.length ? event.req.body : undefined,
      contentType: event.req.get('content-type'),
    })
      .pipe(filter((r) => r.status >= 200))
      .subscribe({ next: (r) => answer(event, r), error: () => event.res.send(500) });
  });
}

/**
 * Relays in-dialog requests across the two legs of a B2BUA: re-INVITE (the answer from the other
 * side), INFO, UPDATE, REFER, NOTIFY and MESSAGE, each answered with the other leg's response.
 * A re-INVITE from B arriving before A's ACK waits for it.
 */
export function relayInDialog<T extends { uas: Dialog; uac: Dialog }>(): MonoTypeOperatorFunction<T> {
  return tap(({ uas, uac }) => {
    relayReinvites(uas, uac);
    relayReinvites(uac, uas);
    for (const name of RELAYED) {
      relayMethod(uas, uac, name);
      relayMethod(uac, uas, name);
    }
  });
}
