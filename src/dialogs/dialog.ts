import {
  catchError,
  concat,
  filter,
  firstValueFrom,
  from,
  lastValueFrom,
  type Observable,
  of,
  throwError,
} from 'rxjs';
import type { InboundRequest } from '../engine/engine.js';
import { type RequestEvent, SrfRequest } from '../requests/srf-request.js';
import { SrfResponse } from '../requests/srf-response.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import { ownString } from '../sip/own-string.js';
import { contactUriOf, DialogCore, type RequestOptions } from './dialog-core.js';
import type { Confirmation, DialogInit } from './dialog-init.js';
import { receiveAck } from './inbound/ack.js';
import { receiveInDialog } from './inbound/dispatch.js';
import type { InDialogRequestKind } from './incoming-streams.js';
import { InviteUsage } from './invite-usage.js';
import { type EndOptions, sendBye$ } from './outbound/bye.js';
import { type ReinviteOffer, sendReinvite$ } from './outbound/reinvite.js';
import { sendRequest$ } from './outbound/request.js';
import { resubscribe$, sendNotify$, unsubscribe$ } from './outbound/subscribe.js';
import { sendUpdate$ } from './outbound/update.js';
import { SessionTimer } from './session-timer.js';
import type { SessionTimerTerms } from './session-timer-terms.js';
import { SipError } from './sip-error.js';
import { SubscribeUsage } from './subscribe-usage.js';

export type { DialogEnd, DialogEndpoint, DialogState, EarlyInvite, RequestOptions } from './dialog-core.js';
export type { Confirmation, DialogInit } from './dialog-init.js';
export type { EndOptions } from './outbound/bye.js';
export type { ReinviteOffer } from './outbound/reinvite.js';

/**
 * A SIP dialog (RFC 3261 §12). What arrives in it comes as streams, made only when asked for:
 * `reinvite$` (re-INVITEs other than hold, unhold and refresh), `info$`, `notify$`, `refer$`,
 * `message$`, `options$`, `update$` and `subscribe$` as `{req, res}` for the application to
 * answer; `hold$`, `unhold$`, `refresh$`, `ack$` and `ended$` as notices. A request nobody
 * listens for is answered as drachtio-srf does (200; a re-INVITE with the local SDP). Every
 * stream completes when the dialog ends. What it sends are the `send…$` commands, cold (the
 * Promise forms drop the `$`), and `end$()` / `end()`.
 *
 * @example
 * ```ts
 * import { mergeMap } from 'rxjs';
 * import { type Srf, uas$ } from 'rxsip';
 *
 * declare const srf: Srf;
 * declare const localSdp: string;
 * srf.invite$.pipe(mergeMap((call) => uas$(call, { localSdp }))).subscribe((dialog) => {
 *   dialog.info$.subscribe(({ res }) => res.send(200));
 *   dialog.ended$.subscribe(({ reason }) => console.log('ended', reason));
 * });
 * ```
 */
export class Dialog extends DialogCore {
  /** @internal The INVITE usage (RFC 5057), for a call. */
  readonly invite: InviteUsage | undefined;
  /** @internal The SUBSCRIBE usage, for a subscription. */
  readonly subscription: SubscribeUsage | undefined;

  /** @param init - identity, route, endpoints and the usage's terms */
  constructor(init: DialogInit) {
    super(init);
    if (init.dialogType === 'INVITE') {
      this.invite = new InviteUsage(this, init.offers, init.answer);
      if (init.sessionTimer) this.startSessionTimer(init.sessionTimer);
    } else if (init.subscription) {
      this.subscription = new SubscribeUsage(this, init.subscription, () => this.subscriptionExpired());
    }
  }

  private startSessionTimer(terms: SessionTimerTerms): void {
    const usage = this.invite;
    if (!usage) return;
    usage.timer?.stop();
    usage.timer = new SessionTimer(this.ua.scheduler, this.ua.log.child({ callId: this.sip.callId }), terms, {
      refresh$: (headers, useUpdate) =>
        useUpdate ? this.sendUpdate$({ headers }) : this.sendReinvite$(this.local.sdp, { headers }),
      expire: () => sendBye$(this, { reason: 'session-expired' }).subscribe(),
    });
  }

  private subscriptionExpired(): void {
    const usage = this.subscription;
    if (!usage) return;
    if (this.type === 'uas') unsubscribe$(this, usage, { reason: 'timeout' }).subscribe();
    else this.terminate('subscription-expired', 'local');
  }

  /** @internal An early dialog becomes confirmed by a 2xx (RFC 3261 §12.1, §13.2.2.4). */
  confirm(update: Confirmation): void {
    if (this.state !== 'early') return;
    if (update.route) {
      this.route.routeSet = update.route.routeSet.map(ownString);
      this.setRemoteTarget(update.route.remoteTarget);
    }
    if (update.localSdp !== undefined) this.local.sdp = update.localSdp;
    if (update.remoteSdp !== undefined) this.remote.sdp = update.remoteSdp;
    if (update.localContact !== undefined) {
      this.local.contact = update.localContact;
      this.local.uri = contactUriOf(update.localContact);
    }
    if (update.answer) this.invite?.awaitAck(update.answer);
    if (update.sessionTimer) this.startSessionTimer(update.sessionTimer);
    this.changedBy(update.createdBy);
    this.markConfirmed();
  }

  /** Whether the session is on hold (a re-INVITE put it there, ours or the peer's; RFC 3264 §8.4). */
  get onHold(): boolean {
    return this.invite?.onHold ?? false;
  }

  /** UAS: the 2xx that made the dialog (or answered a re-INVITE) still waits for its ACK (RFC 3261 §13.3.1.4). */
  get awaitingAck(): boolean {
    return this.invite?.awaitingAck ?? false;
  }

  /**
   * The running session timer (RFC 4028), if one runs: its interval in seconds (the
   * Session-Expires agreed) and whether we are the refresher.
   */
  get sessionTimer(): { interval: number; weRefresh: boolean } | undefined {
    const timer = this.invite?.timer;
    return timer && { interval: timer.interval, weRefresh: timer.weRefresh };
  }

  // --- what arrives -------------------------------------------------------------------------

  /**
   * re-INVITEs other than hold, unhold and refresh, for the application to answer (RFC 3261 §14.2);
   * answered 200 with the local SDP when nobody listens.
   */
  get reinvite$(): Observable<RequestEvent> {
    return this.incoming.requests$('reinvite');
  }
  /** INFO requests (RFC 6086), answered 200 when nobody listens. */
  get info$(): Observable<RequestEvent> {
    return this.incoming.requests$('info');
  }
  /**
   * NOTIFY requests (RFC 6665 §4.1.3); in a subscription we made, the first subscriber to this stream
   * also gets the NOTIFYs that arrived before (one that overtook the 2xx made the dialog).
   */
  get notify$(): Observable<RequestEvent> {
    const held = this.subscription?.takeHeld();
    const live = this.incoming.requests$('notify');
    return held ? concat(from(held), live) : live;
  }
  /**
   * In-dialog requests of several kinds in one stream, in arrival order, with one subscription:
   * what `reinvite$`, `info$`, `notify$`, ... give kind by kind (a B2BUA relaying a leg takes
   * them so). The kinds it lists are answered by its subscriber, as with each kind's own stream.
   *
   * @param names - the kinds, at least one (a kind named twice counts once): `'reinvite'`,
   *   `'info'`, `'notify'`, `'refer'`, `'message'`, `'options'`, `'update'`, `'subscribe'`
   * @returns the requests as `{req, res}`; completes when the dialog ends
   * @throws TypeError when no kind is named
   * @example
   * ```ts
   * import type { Dialog } from 'rxsip';
   *
   * declare const dialog: Dialog;
   * dialog.requests$('info', 'message').subscribe(({ req, res }) => {
   *   console.log(req.method, req.body);
   *   res.send(200);
   * });
   * ```
   */
  requests$(...names: InDialogRequestKind[]): Observable<RequestEvent> {
    const live = this.incoming.requests$(...names);
    const held = names.includes('notify') ? this.subscription?.takeHeld() : undefined;
    return held ? concat(from(held), live) : live;
  }
  /** REFER requests (RFC 3515), answered 200 when nobody listens, as drachtio-srf does. */
  get refer$(): Observable<RequestEvent> {
    return this.incoming.requests$('refer');
  }
  /** MESSAGE requests inside the dialog (RFC 3428), answered 200 when nobody listens. */
  get message$(): Observable<RequestEvent> {
    return this.incoming.requests$('message');
  }
  /** OPTIONS requests inside the dialog (RFC 3261 §11), answered 200 when nobody listens. */
  get options$(): Observable<RequestEvent> {
    return this.incoming.requests$('options');
  }
  /** UPDATE requests (RFC 3311), answered 200 (with the local SDP to an offer) when nobody listens. */
  get update$(): Observable<RequestEvent> {
    return this.incoming.requests$('update');
  }
  /** SUBSCRIBE requests inside the dialog: refreshes of a notifier's subscription (RFC 6665 §4.2.1). */
  get subscribe$(): Observable<RequestEvent> {
    return this.incoming.requests$('subscribe');
  }
  /** A re-INVITE putting us on hold (RFC 3264 §8.4: sendonly or inactive), answered 200 by the dialog. */
  get hold$(): Observable<SipRequest> {
    return this.incoming.notices$('hold');
  }
  /** A re-INVITE taking us off hold, answered 200 by the dialog. */
  get unhold$(): Observable<SipRequest> {
    return this.incoming.notices$('unhold');
  }
  /** A session refresh (RFC 4028 §10): a re-INVITE or UPDATE with the SDP unchanged, answered 200. */
  get refresh$(): Observable<SipRequest> {
    return this.incoming.notices$('refresh');
  }
  /** ACKs for the 2xx we sent, to the first INVITE and to re-INVITEs (RFC 3261 §13.3.1.4). */
  get ack$(): Observable<SipRequest> {
    return this.incoming.notices$('ack');
  }

  /** @internal An in-dialog request or ACK routed here by the registry. */
  receive(inbound: InboundRequest): void {
    const message = inbound.message;
    if (message.method === 'ACK') {
      receiveAck(this, this.invite, message);
      return;
    }
    if (!this.acceptCseq(inbound)) return;
    const req = new SrfRequest(inbound, this.ua);
    receiveInDialog(this, this.invite, this.subscription, { req, res: new SrfResponse(req) }, (reason) =>
      this.endSubscription(reason),
    );
  }

  private endSubscription(reason?: string): void {
    if (this.subscription) unsubscribe$(this, this.subscription, reason ? { reason } : {}).subscribe();
  }

  // --- what it sends ------------------------------------------------------------------------

  /**
   * Sends a request inside the dialog (cold, RFC 3261 §12.2.1): every response, completing after
   * the final one. INVITE, UPDATE, BYE, and in a subscription SUBSCRIBE and NOTIFY, take the paths
   * of `sendReinvite$`, `sendUpdate$` and `end$`, so the dialog's state follows.
   *
   * @param options - method, headers, body
   * @returns the responses
   * @example
   * ```ts
   * import type { Dialog } from 'rxsip';
   *
   * declare const dialog: Dialog;
   * const body = 'Signal=5\r\nDuration=160\r\n';
   * dialog
   *   .send$({ method: 'INFO', headers: { 'Content-Type': 'application/dtmf-relay' }, body })
   *   .subscribe((res) => console.log(res.status));
   * ```
   */
  send$(options: RequestOptions): Observable<SipResponse> {
    const method = options.method.toUpperCase();
    const rest = { headers: options.headers, body: options.body, contentType: options.contentType };
    if (method === 'INVITE' && this.invite)
      return sendReinvite$(this, this.invite, options.body?.toString() ?? '', { headers: options.headers });
    if (method === 'BYE') return sendBye$(this, { headers: options.headers });
    if (method === 'UPDATE') return sendUpdate$(this, this.invite, rest);
    if (method === 'SUBSCRIBE' && this.subscription) return resubscribe$(this, this.subscription, rest);
    if (method === 'NOTIFY') return sendNotify$(this, this.subscription, rest);
    return sendRequest$(this, {
      method,
      headers: rest.headers,
      body: rest.body,
      contentType: rest.contentType,
    });
  }

  /**
   * Sends a re-INVITE (cold) with a new SDP, or `'hold'` / `'unhold'` of the current one: one at a
   * time, after the ACK of our 2xx (RFC 3261 §14.1), a 491 retried after §14.1's back-off
   * (unsubscribing cancels the retry), a non-2xx final an error ({@link SipError}).
   *
   * @param sdp - the offer, or hold/unhold of the current one
   * @param options - extra headers
   * @returns the responses
   */
  sendReinvite$(
    sdp: ReinviteOffer,
    options: { headers?: RequestOptions['headers'] } = {},
  ): Observable<SipResponse> {
    if (!this.invite) throw new TypeError('sendReinvite$: a SUBSCRIBE dialog has no session to modify');
    return sendReinvite$(this, this.invite, sdp, options);
  }

  /**
   * Sends an UPDATE (RFC 3311, cold): with a body an offer, without one a session refresh
   * (RFC 4028 §10). An offer while one is outstanding is refused locally (RFC 3311 §5.1).
   *
   * @param options - headers, body
   * @returns the responses
   */
  sendUpdate$(options: Omit<RequestOptions, 'method'> = {}): Observable<SipResponse> {
    return sendUpdate$(this, this.invite, options);
  }

  /**
   * Ends the dialog (cold): a call with BYE; a subscription with NOTIFY terminated (notifier)
   * or SUBSCRIBE Expires: 0 (subscriber). `ended$` emits at once for a call.
   *
   * @param options - headers, and the reason `ended$` gives
   * @returns the responses to the request sent
   */
  end$(options: EndOptions = {}): Observable<SipResponse> {
    // drachtio-srf's notifier ends with reason=noresource.
    if (this.subscription)
      return unsubscribe$(this, this.subscription, {
        headers: options.headers,
        reason: this.type === 'uas' ? 'noresource' : undefined,
      });
    return sendBye$(this, options);
  }

  /**
   * Sends a request and resolves with its final response, whatever its status: the Promise form
   * of `send$`.
   *
   * @param options - method, headers, body
   * @returns the final response
   * @example
   * ```ts
   * import type { Dialog } from 'rxsip';
   *
   * declare const dialog: Dialog;
   * const res = await dialog.send({ method: 'INFO', body: 'Signal=1', contentType: 'application/dtmf-relay' });
   * console.log(res.status);
   * ```
   */
  send(options: RequestOptions): Promise<SipResponse> {
    return firstValueFrom(
      this.send$(options).pipe(
        filter((r) => r.status >= 200),
        // A failed re-INVITE resolves with its final response too.
        catchError((err: unknown) =>
          err instanceof SipError && err.res ? of(err.res) : throwError(() => err),
        ),
      ),
    );
  }

  /**
   * Modifies the session with a re-INVITE (RFC 3261 §14.1); the Promise form of `sendReinvite$`.
   * Resolves with the remote SDP, rejects with {@link SipError} on a non-2xx final.
   *
   * @param sdp - the offer, or hold/unhold
   * @param options - extra headers
   * @returns the remote session description after the answer
   */
  async sendReinvite(
    sdp: ReinviteOffer,
    options: { headers?: RequestOptions['headers'] } = {},
  ): Promise<string> {
    await lastValueFrom(this.sendReinvite$(sdp, options));
    return this.remote.sdp;
  }

  /**
   * Sends an UPDATE (RFC 3311); the Promise form of `sendUpdate$`, resolving with the final response.
   *
   * @param options - headers, body
   * @returns the final response
   */
  sendUpdate(options: Omit<RequestOptions, 'method'> = {}): Promise<SipResponse> {
    return firstValueFrom(this.sendUpdate$(options).pipe(filter((r) => r.status >= 200)));
  }

  /**
   * Ends the dialog (RFC 3261 §15); the Promise form of `end$`. Resolves once the request that
   * ended it is answered (nothing is sent when it has already ended).
   *
   * @param options - headers, reason
   * @returns the request that ended it (BYE, NOTIFY or SUBSCRIBE), if any
   */
  async end(options: EndOptions = {}): Promise<SipRequest | undefined> {
    if (this.state === 'terminated') return undefined;
    let sent: SipRequest | undefined;
    const ended = this.ended$.subscribe((end) => (sent = end.req));
    await lastValueFrom(this.end$(options), { defaultValue: undefined });
    ended.unsubscribe();
    return sent ?? this.subscription?.unsubscribeRequest;
  }

  /**
   * The dialog's identity, endpoints and hold state, as drachtio-srf serializes them.
   *
   * @returns a plain object for `JSON.stringify`
   */
  override toJSON(): object {
    return Object.assign(super.toJSON(), { onHold: this.onHold });
  }
}
