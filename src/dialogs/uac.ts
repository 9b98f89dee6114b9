import { defer, EMPTY, type Observable, of, Subject, throwError } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { ackFor2xx } from '../sip/ack-for-2xx.js';
import { inDialogRequest, uacDialogRoute } from '../sip/dialog-route.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import type { AuthProvider } from '../streams/digest-auth.js';
import { buildRequest } from '../streams/out-of-dialog-request.js';
import { Dialog } from './dialog.js';
import { inviteClient } from './invite-client.js';
import { withDirection } from './sdp-direction.js';
import { SessionTimer, sessionExpiresOf } from './session-timer.js';
import { SipError } from './sip-error.js';
import { subscribe$ } from './subscribe-client.js';
import { EarlyDialogs, type PrackSender } from './uac-early.js';
import { allows } from './uas.js';
import type { UserAgent } from './user-agent.js';

export interface UacOptions {
  /** `'SUBSCRIBE'` makes a subscription dialog (RFC 6665) instead of a call; Event/Expires go in `headers`. */
  method?: 'INVITE' | 'SUBSCRIBE';
  /** Our offer; without it the INVITE is a late offer. */
  localSdp?: string;
  headers?: HeaderInit;
  /** Digest credentials for 401/407, kept for requests later challenged in the dialog. */
  auth?: AuthProvider;
  /** Outbound proxy (SIP URI or host:port) the INVITE is sent through. */
  proxy?: string;
  /** Follow 3xx responses to their Contact (at most 5 times). */
  followRedirects?: boolean;
  /** On a redirect keep the Request-URI and send to the Contact as a proxy. */
  keepUriOnRedirect?: boolean;
  /** User and display name for From (and a bare-host URI's user: `calledNumber`). */
  callingNumber?: string;
  callingName?: string;
  calledNumber?: string;
  /**
   * `'manual'`: reliable provisional responses (RFC 3262) are not PRACKed automatically; the
   * `provisional` event's `prack()` sends the PRACK, with a body for an offer/answer in PRACK.
   */
  prack?: 'auto' | 'manual';
  /**
   * Late offer (no `localSdp`): do not ACK the 2xx; the `offer` event's `ack(answer)` does. Without
   * it a late-offer 2xx is ACKed at once with its SDP marked recvonly, as drachtio-srf does.
   */
  noAck?: boolean;
  /**
   * Ask for a session timer (RFC 4028): `true` for the Srf's settings, or an interval and the
   * refresher wanted. Without it rxsip asks for none (but honours one the callee sets).
   */
  sessionTimer?: boolean | { expires?: number; refresher?: 'uac' | 'uas' };
}

/** The progress of an outgoing call, ending with the dialog. */
export type UacProgress =
  /** The INVITE went out (again after a challenge or redirect). `cancel()` sends CANCEL. */
  | { type: 'request'; request: SipRequest; cancel: (headers?: HeaderInit) => void }
  /**
   * A provisional response (not 100). With a To tag it has an early dialog (UPDATE, INFO and
   * PRACK go through it); a reliable one carries `prack` (already sent unless `prack: 'manual'`).
   */
  | { type: 'provisional'; response: SipResponse; dialog?: Dialog; prack?: PrackSender }
  /** The call is answered: the dialog, and the 2xx that made it. */
  | { type: 'dialog'; dialog: Dialog; response: SipResponse }
  /**
   * With `noAck`, a late offer (our INVITE had no SDP): the 2xx's offer, and `ack(answer)`, which
   * sends the ACK with our answer (RFC 3264 §4) and returns the dialog (drachtio-srf's 3pcc shape).
   */
  | { type: 'offer'; sdp: string; response: SipResponse; dialog: Dialog; ack: (answer: string) => Dialog };

const MAX_REDIRECTS = 5;
/** What rxsip's dialogs implement: reliable provisionals (RFC 3262) and session timers (RFC 4028). */
export const SUPPORTED = '100rel, timer';
export const ALLOW =
  'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY, MESSAGE, SUBSCRIBE';

/** `host[:port]` becomes `sip:[calledNumber@]host[:port]` (drachtio-srf's rule). */
export function requestUri(uri: string, calledNumber?: string): string {
  if (/^(sips?|tel):/i.test(uri)) return uri;
  return `sip:${calledNumber && !uri.includes('@') ? `${calledNumber}@` : ''}${uri}`;
}

function contactOf(response: SipResponse): string | undefined {
  try {
    const contact = response.getParsedHeader('contact');
    return Array.isArray(contact) ? contact[0]?.uri : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Places a call (cold): emits the INVITE sent, each provisional response, then the Dialog and
 * completes. A non-2xx final errors with `SipError(status, reason, res)`. Unsubscribing before the
 * final response sends CANCEL (and a 2xx that wins that race is ACKed and ended with BYE).
 *
 * @example
 * uac$(ua, 'sip:bob@192.0.2.4', { localSdp }).pipe(filter((p) => p.type === 'dialog'))
 */
export function uac$(ua: UserAgent, uri: string, options: UacOptions = {}): Observable<UacProgress> {
  if (options.method === 'SUBSCRIBE') return subscribe$(ua, uri, options);
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
  const byeOrphan = (response: SipResponse, sent: SipRequest) => {
    const bye = inDialogRequest(uacDialogRoute(sent, response), 'BYE', sent.cseq.seq + 1);
    ua.engine.send(bye).subscribe();
  };
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
    onUnwanted2xx: byeOrphan,
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
        const target = contactOf(response);
        if (!target) return throwError(() => new SipError(500, 'No Contact header in response', response));
        const confirmed = early.confirm(response, lastSent);
        const dialog =
          confirmed ??
          new Dialog({
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
          });
        startSessionTimer(ua, dialog, response);
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
        const minSE = minSEOf(response);
        if (minSE !== undefined) {
          const next = template.clone();
          next.set('CSeq', `${Math.max(template.cseq.seq, lastSent.cseq.seq) + 1} INVITE`);
          next.set('Session-Expires', Math.max(minSE, sessionExpiresOf(template)?.delta ?? 0));
          next.set('Min-SE', minSE);
          return attempt(ua, next, options, proxy, redirects + 1);
        }
      }
      const contact = response.status < 400 ? contactOf(response) : undefined;
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

function minSEOf(response: SipResponse): number | undefined {
  try {
    return response.getParsedHeader('min-se');
  } catch {
    return undefined;
  }
}

/** A 2xx with Session-Expires starts the timer; refresher=uac names us, the INVITE's sender. */
function startSessionTimer(ua: UserAgent, dialog: Dialog, response: SipResponse): void {
  const agreed = sessionExpiresOf(response);
  if (!agreed) return;
  const refreshing = (agreed.refresher ?? 'uac') === 'uac';
  dialog.sessionTimer = new SessionTimer(
    ua,
    dialog,
    agreed.delta,
    refreshing,
    allows(response.get('allow'), 'UPDATE'),
  );
}
