import { defer, EMPTY, mergeMap, type Observable, of, Subject, throwError } from 'rxjs';
import { ALLOW, SUPPORTED } from '../requests/capabilities.js';
import { buildRequest } from '../requests/out-of-dialog-request.js';
import { ackFor2xx } from '../sip/ack-for-2xx.js';
import { firstContactUri } from '../sip/contact.js';
import { uacDialogRoute } from '../sip/dialog-route.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import { hasOptionTag } from '../sip/option-tags.js';
import { byeUnwanted } from './accepted-invite.js';
import type { Dialog } from './dialog.js';
import { createDialog } from './dialog-factory.js';
import { inviteClient } from './invite-client.js';
import { withDirection } from './sdp-direction.js';
import { type SessionTimerTerms, sessionExpiresOf } from './session-timer-terms.js';
import { SipError } from './sip-error.js';
import { subscribeClient$ } from './subscribe-client.js';
import { EarlyDialogs } from './uac-early.js';
import { requestUri, type UacOptions, type UacProgress } from './uac-options.js';
import type { UserAgent } from './user-agent.js';

export type { UacOptions, UacProgress } from './uac-options.js';

const MAX_REDIRECTS = 5;

/**
 * Places a call (cold): emits the INVITE sent, each provisional response, then the Dialog and
 * completes. A non-2xx final errors with `SipError(status, reason, res)`. Unsubscribing before the
 * final response sends CANCEL (and a 2xx that wins that race is ACKed and ended with BYE).
 *
 * @example
 * uac$(ua, 'sip:bob@192.0.2.4', { localSdp }).pipe(filter((p) => p.type === 'dialog'))
 */
export function uac$(ua: UserAgent, uri: string, options: UacOptions = {}): Observable<UacProgress> {
  if (options.method === 'SUBSCRIBE') return subscribeClient$(ua, uri, options);
  return defer(() => {
    const localHost = ua.engine.listeningPoints[0]?.advertised.host ?? 'localhost';
    const invite = buildRequest(
      requestUri(uri, options.calledNumber),
      {
        method: 'INVITE',
        headers: options.headers,
        body: options.localSdp || undefined,
        callingNumber: options.callingNumber,
        callingName: options.callingName,
      },
      localHost,
    );
    if (options.localSdp && !invite.has('content-type')) invite.set('Content-Type', 'application/sdp');
    if (!invite.has('supported')) invite.set('Supported', SUPPORTED);
    if (options.sessionTimer) {
      const wanted = typeof options.sessionTimer === 'object' ? options.sessionTimer : {};
      const expires = Math.max(wanted.expires ?? ua.sessionTimers.expires, ua.sessionTimers.minSE);
      invite.set('Session-Expires', wanted.refresher ? `${expires};refresher=${wanted.refresher}` : expires);
      invite.set('Min-SE', ua.sessionTimers.minSE);
    }
    if (!invite.has('allow')) invite.set('Allow', ALLOW);
    ua.cdr({ type: 'attempt', source: 'application', time: new Date(ua.scheduler.now()), msg: invite });
    return attempt(ua, invite, options, options.proxy, 0);
  });
}

function attempt(
  ua: UserAgent,
  invite: SipRequest,
  options: UacOptions,
  proxy: string | undefined,
  redirects: number,
): Observable<UacProgress> {
  const template = invite.clone();
  const cancel = new Subject<HeaderInit>();
  const lateOffer = invite.payload.length === 0;
  let sendLaterAck: ((ack: SipRequest) => void) | undefined;
  const early = new EarlyDialogs(ua, options.auth, options.prack === 'manual');
  let lastSent = invite;
  return inviteClient(ua, invite, {
    proxy,
    auth: options.auth,
    ackFor: (response, sent) => {
      if (!lateOffer || response.payload.length === 0) return ackFor2xx(sent, response);
      if (options.noAck) return undefined;
      // drachtio-srf's answer to a late offer nobody answers: the offer, receive-only.
      return ackFor2xx(sent, response, {
        contentType: 'application/sdp',
        body: withDirection(response.body, 'recvonly'),
      });
    },
    deferred: (_response, send) => (sendLaterAck = send),
    onUnwanted2xx: (response, sent) => byeUnwanted(ua.engine, response, sent),
    cancel$: cancel,
    onFinal: (response) => early.end(response),
  }).pipe(
    mergeMap((event): Observable<UacProgress> => {
      if (event.kind === 'sent') {
        lastSent = event.request;
        return of({
          type: 'request',
          request: event.request,
          cancel: (headers?: HeaderInit) => cancel.next(headers ?? {}),
        });
      }
      const response = event.response;
      if (response.status < 200) {
        if (response.status === 100) return EMPTY;
        if (!response.toTag) return of({ type: 'provisional', response });
        const made = early.provisional(response, lastSent);
        return made ? of({ type: 'provisional', response, ...made }) : EMPTY;
      }
      if (response.status < 300) {
        const target = firstContactUri(response);
        if (!target) return throwError(() => new SipError(500, 'No Contact header in response', response));
        const sessionTimer = timerTerms(response);
        const confirmed = early.confirm(response, lastSent, sessionTimer);
        const dialog =
          confirmed ??
          createDialog({
            ua,
            type: 'uac',
            dialogType: 'INVITE',
            route: uacDialogRoute(lastSent, response),
            localContact: lastSent.get('contact') ?? '',
            localSdp: lastSent.body,
            remoteSdp: response.body,
            localCseq: lastSent.cseq.seq,
            remoteCseq: 0,
            createdBy: response,
            flowId: undefined,
            auth: options.auth,
            offers: sendLaterAck ? { kind: 'offer-received', carrier: '2xx' } : undefined,
            sessionTimer,
          });
        ua.cdr({
          type: 'start',
          source: 'application',
          time: new Date(ua.scheduler.now()),
          role: 'uac',
          msg: response,
        });
        if (sendLaterAck) {
          const send = sendLaterAck;
          const ack = (answer: string): Dialog => {
            send(ackFor2xx(lastSent, response, { contentType: 'application/sdp', body: answer }));
            dialog.local.sdp = answer;
            dialog.invite?.apply({ kind: 'send-answer' });
            return dialog;
          };
          return of({ type: 'offer', sdp: response.body, response, dialog, ack });
        }
        if (lateOffer && response.payload.length > 0)
          dialog.local.sdp = withDirection(response.body, 'recvonly');
        return of({ type: 'dialog', dialog, response });
      }
      if (response.status === 422 && redirects < MAX_REDIRECTS) {
        // RFC 4028 §7.4: too small an interval; ask again with at least the callee's Min-SE.
        const minSE = response.tryParsedHeader('min-se');
        if (minSE !== undefined) {
          const next = template.clone();
          next.set('CSeq', `${Math.max(template.cseq.seq, lastSent.cseq.seq) + 1} INVITE`);
          next.set('Session-Expires', Math.max(minSE, sessionExpiresOf(template)?.delta ?? 0));
          next.set('Min-SE', minSE);
          return attempt(ua, next, options, proxy, redirects + 1);
        }
      }
      const contact = response.status < 400 ? firstContactUri(response) : undefined;
      if (options.followRedirects && contact && redirects < MAX_REDIRECTS) {
        const next = template.clone();
        next.set('CSeq', `${Math.max(template.cseq.seq, lastSent.cseq.seq) + 1} INVITE`);
        if (options.keepUriOnRedirect) return attempt(ua, next, options, contact, redirects + 1);
        next.uri = contact;
        return attempt(ua, next, options, proxy, redirects + 1);
      }
      ua.cdr({
        type: 'stop',
        source: 'network',
        time: new Date(ua.scheduler.now()),
        reason: response.status === 487 ? 'call-canceled' : 'call-rejected',
        msg: response,
      });
      return throwError(() => new SipError(response.status, response.reason, response));
    }),
  );
}

/** A 2xx with Session-Expires starts the timer; refresher=uac names us, the INVITE's sender. */
function timerTerms(response: SipResponse): SessionTimerTerms | undefined {
  const agreed = sessionExpiresOf(response);
  if (!agreed) return undefined;
  return {
    delta: agreed.delta,
    refreshing: (agreed.refresher ?? 'uac') === 'uac',
    useUpdate: hasOptionTag(response, 'allow', 'UPDATE'),
  };
}
