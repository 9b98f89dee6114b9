import { defer, EMPTY, type Observable, tap } from 'rxjs';
import type { HeaderInit, SipResponse } from '../../sip/message.js';
import type { DialogCore, RequestOptions } from '../dialog-core.js';
import type { SubscribeUsage } from '../subscribe-usage.js';
import { DEFAULT_SUBSCRIPTION_EXPIRES, expiresOf, subscriptionStateOf } from '../subscription.js';
import { dialogEnded } from './request.js';

/** RFC 6665 §4.1.2.2: a refreshing SUBSCRIBE (cold); its 2xx's Expires is the new expiry. */
export function resubscribe$(
  core: DialogCore,
  usage: SubscribeUsage,
  options: Omit<RequestOptions, 'method'>,
): Observable<SipResponse> {
  return defer(() => {
    if (core.state === 'terminated') throw dialogEnded(core);
    const request = core.build(Object.assign({}, options, { method: 'SUBSCRIBE' }));
    return core.transmit$(request).pipe(
      tap((response) => {
        if (response.status < 200) return;
        if (response.status >= 300) core.checkFinal(response);
        else usage.timer.refresh(expiresOf(response) ?? expiresOf(request) ?? DEFAULT_SUBSCRIPTION_EXPIRES);
      }),
    );
  });
}

/**
 * A NOTIFY from the notifier (cold). One with `Subscription-State: terminated` for the dialog's
 * event package ends the subscription, and with it the SUBSCRIBE dialog, as it is sent
 * (RFC 6665 §4.2.2); later refreshes get 481.
 */
export function sendNotify$(
  core: DialogCore,
  usage: SubscribeUsage | undefined,
  options: Omit<RequestOptions, 'method'>,
): Observable<SipResponse> {
  return defer(() => {
    if (core.state === 'terminated') throw dialogEnded(core);
    const notify = core.build(Object.assign({}, options, { method: 'NOTIFY' }));
    const ends =
      usage !== undefined &&
      core.type === 'uas' &&
      subscriptionStateOf(notify)?.state === 'terminated' &&
      (notify.get('event') ?? '').split(';')[0]?.trim() === usage.event.split(';')[0]?.trim();
    if (ends) {
      usage.finalNotifySent = true;
      core.terminate(
        subscriptionStateOf(notify)?.reason === 'timeout'
          ? 'subscription-expired'
          : 'subscription-terminated',
        'local',
        notify,
      );
    }
    return core.transmit$(notify).pipe(tap((r) => !ends && r.status >= 200 && core.checkFinal(r)));
  });
}

/**
 * Ends a SUBSCRIBE dialog (cold). The notifier sends NOTIFY with `Subscription-State:
 * terminated` (`reason` when given) and the dialog ends; the subscriber sends SUBSCRIBE with
 * Expires: 0 (RFC 6665 §4.1.2.3), and the dialog ends with the notifier's final NOTIFY, or
 * after 64*T1 without one. Emits the responses to the request sent.
 */
export function unsubscribe$(
  core: DialogCore,
  usage: SubscribeUsage,
  options: { headers?: HeaderInit; reason?: string } = {},
): Observable<SipResponse> {
  return defer(() => {
    if (core.state === 'terminated') return EMPTY;
    const event = usage.event;
    if (core.type === 'uas') {
      const state = options.reason ? `terminated;reason=${options.reason}` : 'terminated';
      return sendNotify$(core, usage, {
        headers: { Event: event, 'Subscription-State': state, ...options.headers },
      });
    }
    const request = core.build({
      method: 'SUBSCRIBE',
      headers: { Event: event, Expires: 0, ...options.headers },
    });
    usage.unsubscribing = true;
    usage.unsubscribeRequest = request;
    usage.timer.expireIn(64 * core.ua.timers.t1);
    return core.transmit$(request);
  });
}
