import {
  catchError,
  defer,
  EMPTY,
  from,
  map,
  mergeMap,
  type Observable,
  of,
  takeUntil,
  throwError,
} from 'rxjs';
import { ALLOW, SUPPORTED } from '../requests/capabilities.js';
import type { RequestEvent } from '../requests/srf-request.js';
import { hasHeader, mergeHeaders } from '../sip/header-init.js';
import type { HeaderInit } from '../sip/message.js';
import { hasOptionTag } from '../sip/option-tags.js';
import type { Dialog } from './dialog.js';
import { negotiateAsUas, type SessionTimerRequest, type SessionTimerTerms } from './session-timer-terms.js';
import { SipError } from './sip-error.js';
import { DEFAULT_SUBSCRIPTION_EXPIRES, expiresOf } from './subscription.js';
import { answeredDialog } from './uas-dialog.js';
import { inviteOf } from './uas-invite.js';
import { agentOf } from './user-agent.js';

/** An SDP: text, or a function making it (or a Promise of it). */
export type SdpSource = string | (() => string | Promise<string>);

/** How `uas$` answers. */
export interface UasOptions {
  /** The SDP for the 200: text, or a function returning it (or a Promise of it). */
  localSdp?: SdpSource;
  /** drachtio-srf's alias of `localSdp` (a string works too, unlike drachtio-srf 5). */
  body?: SdpSource;
  /** Extra headers for the 200 (one given here replaces the stack's: Contact, Allow, ...). */
  headers?: HeaderInit;
  /**
   * Ask for a session timer (RFC 4028 §9) even when the INVITE asks for none, and lower a
   * longer one to `expires`: a caller that stops refreshing is hung up on when the interval runs
   * out, and the call of one that cannot refresh (no `Supported: timer`) ends when it fails to
   * answer our refresh. Without it, a timer is used only when the INVITE asks for one.
   */
  sessionTimer?: SessionTimerRequest;
}

function sdpOf(make: () => string | Promise<string>): Observable<string> {
  return defer(() => {
    const value = make();
    return typeof value === 'string' ? of(value) : from(value);
  });
}

/**
 * Answers an INVITE with 200 (a SUBSCRIBE with 202) and makes the UAS dialog (cold). Emits the
 * Dialog when the 200 is sent, as drachtio-srf resolves; the 200 is resent until the ACK
 * (RFC 3261 §13.3.1.4), and without one the dialog ends with BYE (`ended$` reason `ack-timeout`).
 *
 * A call's failure is the call's: when the call ends before it is answered, whatever ended it
 * has already been answered on the wire (the CANCEL's 487, a 400 for an INVITE without Contact,
 * a 422 for too short a session interval, a 500 when `localSdp` fails, a 504 for want of a
 * PRACK), and `uas$` completes without a value. So `mergeMap((call) => uas$(call, opts))` over
 * `srf.invite$` never ends for one call. The outcome is on `res.final$` and in `srf.cdr$`.
 *
 * Unsubscribing before the 200 went out (it waits for the PRACK of a reliable provisional
 * response, RFC 3262 §3) withdraws it: it is never sent, no dialog is made, and the INVITE is
 * the application's to answer again (`res.send`, another `uas$`), or the stack's deadline's.
 *
 * @param event - the INVITE or SUBSCRIBE and its response
 * @param options - the SDP and headers of the answer
 * @returns the dialog, once answered; nothing when the call ended first
 * @example
 * ```ts
 * import { mergeMap } from 'rxjs';
 * import { type Srf, uas$ } from 'rxsip';
 *
 * declare const srf: Srf;
 * declare const localSdp: string;
 * srf.invite$.pipe(mergeMap((call) => uas$(call, { localSdp }))).subscribe((dialog) => {
 *   dialog.ended$.subscribe(({ reason }) => console.log('ended', reason));
 * });
 * ```
 */
export function uas$(event: RequestEvent, options: UasOptions = {}): Observable<Dialog> {
  const { req, res } = event;
  return defer(() => {
    const ua = agentOf(req);
    const notAnswered = (why: string, status?: number) => {
      ua.log.debug({ callId: req.get('call-id'), status }, `call not answered: ${why}`);
      return EMPTY;
    };
    if (req.method === 'INVITE' && !req.has('contact')) {
      res.send(400, 'Missing Contact');
      return notAnswered('no Contact', 400);
    }
    if (req.canceled || res.finalResponseSent) return notAnswered('cancelled or already answered');
    const timer =
      req.method === 'INVITE' ? negotiateAsUas(req, ua.sessionTimers, options.sessionTimer) : undefined;
    if (timer && 'reject' in timer) {
      // RFC 4028 §9: an interval below our Min-SE gets 422.
      res.send(422, { headers: timer.reject });
      return notAnswered('session interval too small', 422);
    }
    const answer = (sdp: string): Observable<Dialog> => {
      const contact = `<${ua.engine.contactUri(req.source.local.protocol)}>`;
      const headers = mergeHeaders(
        { Contact: contact, Allow: ALLOW, Supported: SUPPORTED },
        timer?.headers,
        sdp ? { 'Content-Type': 'application/sdp' } : undefined,
        options.headers,
      );
      const invite = inviteOf(req);
      if (req.method !== 'INVITE' || !invite) {
        // RFC 6665 §4.2.1.1: the 202 says how long the subscription lasts.
        if (req.method === 'SUBSCRIBE' && !hasHeader(headers, 'expires'))
          headers.Expires = expiresOf(req) ?? DEFAULT_SUBSCRIPTION_EXPIRES;
        const sent = res.send(req.method === 'SUBSCRIBE' ? 202 : 200, { headers, body: sdp || undefined });
        return sent
          ? of(answeredDialog(req, sdp, sent, contact, undefined, undefined, undefined))
          : notAnswered('cancelled');
      }
      let dialog: Dialog | undefined;
      const onAckTimeout = () => {
        ua.log.info({ callId: req.callId }, 'no ACK for our 2xx: ending the call');
        dialog?.end$({ reason: 'ack-timeout' }).subscribe();
      };
      // refresher=uas names us: the receiver of the INVITE.
      const terms: SessionTimerTerms | undefined = timer && {
        delta: timer.delta,
        refreshing: timer.refresher === 'uas',
        useUpdate: hasOptionTag(req, 'allow', 'UPDATE'),
      };
      // Sent now, or once the outstanding reliable provisional response is PRACKed (RFC 3262).
      return invite.answer$(res, 200, { headers, body: sdp || undefined }, onAckTimeout).pipe(
        map((sent) => {
          dialog = answeredDialog(req, sdp, sent, contact, invite.answer, terms, invite.earlyDialog);
          return dialog;
        }),
        catchError((err: unknown) =>
          err instanceof SipError
            ? notAnswered('ended before the answer', err.status)
            : throwError(() => err),
        ),
      );
    };
    const source = options.localSdp ?? options.body;
    if (typeof source !== 'function') return answer(source ?? '');
    // An SDP still being made races the CANCEL; one that cannot be made is answered 500.
    return sdpOf(source).pipe(
      takeUntil(req.cancel$),
      catchError((err: unknown) => {
        ua.log.error({ err, callId: req.get('call-id') }, 'localSdp failed: answering 500');
        if (!res.finalResponseSent) res.send(500);
        return EMPTY;
      }),
      mergeMap(answer),
    );
  });
}
