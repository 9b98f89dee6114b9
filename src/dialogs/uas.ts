import { defer, from, map, mergeMap, type Observable, of, takeUntil, throwError, throwIfEmpty } from 'rxjs';
import { uasDialogRoute } from '../sip/dialog-route.js';
import type { HeaderInit, SipResponse } from '../sip/message.js';
import type { RequestEvent } from '../streams/request-router.js';
import { Dialog } from './dialog.js';
import { negotiateAsUas, SessionTimer } from './session-timer.js';
import { SipError } from './sip-error.js';
import { DEFAULT_SUBSCRIPTION_EXPIRES, expiresOf, SubscriptionTimer } from './subscription.js';
import { ALLOW, SUPPORTED } from './uac.js';
import type { AnswerRetransmitter } from './uas-answer.js';
import { agentOf } from './user-agent.js';

export type SdpSource = string | (() => string | Promise<string>);

export interface UasOptions {
  /** The SDP for the 200: text, or a function returning it (or a Promise of it). */
  localSdp?: SdpSource;
  /** drachtio-srf's alias of `localSdp` (a string works too, unlike drachtio-srf 5). */
  body?: SdpSource;
  /** Extra headers for the 200. */
  headers?: HeaderInit;
}

function sdpOf(make: () => string | Promise<string>): Observable<string> {
  return defer(() => {
    const value = make();
    return typeof value === 'string' ? of(value) : from(value);
  });
}

/**
 * Answers an INVITE with 200 and makes the UAS dialog (cold). Emits the Dialog when the 200 is
 * sent, as drachtio-srf resolves; the 200 is resent until the ACK (RFC 3261 §13.3.1.4), and
 * without one the dialog ends with BYE (`destroy$` reason `ack-timeout`). A CANCEL before the
 * answer errors with `SipError(487)`; an INVITE without Contact is answered 400 and errors.
 *
 * @example
 * srf.requests$.pipe(filterMethod('INVITE'), mergeMap((call) => uas$(call, { localSdp })))
 */
export function uas$(event: RequestEvent, options: UasOptions = {}): Observable<Dialog> {
  const { req, res } = event;
  return defer(() => {
    const ua = agentOf(req);
    if (req.method === 'INVITE' && !req.has('contact')) {
      res.send(400, 'Missing Contact');
      return throwError(() => new SipError(400, 'Missing Contact'));
    }
    if (req.canceled || res.finalResponseSent) return throwError(() => new SipError(487));
    const timer = req.method === 'INVITE' ? negotiateAsUas(req, ua.sessionTimers) : undefined;
    if (timer && 'reject' in timer) {
      // RFC 4028 §9: an interval below our Min-SE gets 422.
      res.send(422, { headers: timer.reject });
      return throwError(() => new SipError(422));
    }
    const answer = (sdp: string): Observable<Dialog> => {
      const contact = `<${ua.engine.contactUri(req.source.local.protocol)}>`;
      const headers: HeaderInit = {
        Contact: contact,
        Allow: ALLOW,
        Supported: SUPPORTED,
        ...timer?.headers,
        ...options.headers,
      };
      if (sdp && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['Content-Type'] = 'application/sdp';
      const invite = ua.inviteOf(req);
      if (req.method !== 'INVITE' || !invite) {
        // RFC 6665 §4.2.1.1: the 202 says how long the subscription lasts.
        if (req.method === 'SUBSCRIBE' && !('Expires' in headers))
          headers.Expires = expiresOf(req) ?? DEFAULT_SUBSCRIPTION_EXPIRES;
        const sent = res.send(req.method === 'SUBSCRIBE' ? 202 : 200, { headers, body: sdp || undefined });
        if (!sent) return throwError(() => new SipError(487));
        return of(answered(event, sdp, sent, contact, undefined));
      }
      let dialog: Dialog | undefined;
      const onAckTimeout = () => {
        ua.log.info({ callId: req.callId }, 'no ACK for our 2xx: ending the call');
        dialog?.bye$({ reason: 'ack-timeout' }).subscribe();
      };
      // Sent now, or once the outstanding reliable provisional response is PRACKed (RFC 3262).
      return invite.answer$(200, { headers, body: sdp || undefined }, onAckTimeout).pipe(
        map((sent) => {
          const made = answered(event, sdp, sent, contact, invite.answer);
          dialog = made;
          if (timer) {
            // refresher=uas names us: the receiver of the INVITE.
            const useUpdate = allows(req.get('allow'), 'UPDATE');
            made.sessionTimer = new SessionTimer(ua, made, timer.delta, timer.refresher === 'uas', useUpdate);
          }
          return made;
        }),
      );
    };
    const source = options.localSdp ?? options.body;
    // An SDP at hand answers at once; one still being made races the CANCEL.
    const answered$ =
      typeof source === 'function'
        ? sdpOf(source).pipe(takeUntil(req.cancel$), mergeMap(answer))
        : answer(source ?? '');
    return answered$.pipe(throwIfEmpty(() => new SipError(487)));
  });
}

/** The dialog a 2xx makes: the early one confirmed, or a new one. */
function answered(
  event: RequestEvent,
  sdp: string,
  sent: SipResponse,
  contact: string,
  answer: AnswerRetransmitter | undefined,
): Dialog {
  const { req, res } = event;
  const ua = agentOf(req);
  const localContact = sent.get('contact') ?? contact;
  const early = ua.inviteOf(req)?.earlyDialog;
  let dialog: Dialog;
  if (early && early.state === 'early') {
    early.confirm({ localSdp: sdp, localContact, answer, createdBy: sent });
    dialog = early;
  } else {
    dialog = new Dialog({
      ua,
      type: 'uas',
      dialogType: req.method === 'SUBSCRIBE' ? 'SUBSCRIBE' : 'INVITE',
      route: uasDialogRoute(req, res.toTag),
      localContact,
      localSdp: sdp,
      remoteSdp: req.body,
      localCseq: 1,
      remoteCseq: req.cseq.seq,
      createdBy: sent,
      flowId: req.source.flowId,
      answer,
    });
  }
  if (req.method === 'SUBSCRIBE') {
    const expires = expiresOf(sent) ?? DEFAULT_SUBSCRIPTION_EXPIRES;
    dialog.subscription = new SubscriptionTimer(ua, dialog, req.get('event') ?? '', expires);
  } else {
    ua.cdr({ type: 'start', source: 'network', time: new Date(ua.scheduler.now()), role: 'uas', msg: sent });
  }
  return dialog;
}

/** Whether an Allow header value lists `method`. */
export function allows(allow: string | undefined, method: string): boolean {
  return (allow ?? '').split(',').some((m) => m.trim().toUpperCase() === method);
}
