import {
  BehaviorSubject,
  catchError,
  concat,
  defer,
  EMPTY,
  filter,
  finalize,
  firstValueFrom,
  from,
  lastValueFrom,
  map,
  mergeMap,
  type Observable,
  of,
  Subject,
  takeWhile,
  tap,
  throwError,
  timer,
} from 'rxjs';
import type { InboundRequest, OutboundEvent } from '../engine/engine.js';
import { ackInDialog } from '../sip/ack-for-2xx.js';
import { createResponse } from '../sip/build.js';
import { type DialogRoute, inDialogRequest } from '../sip/dialog-route.js';
import type { HeaderInit, SipMessage, SipRequest, SipResponse } from '../sip/message.js';
import { type AuthProvider, withDigestAuth } from '../streams/digest-auth.js';
import type { RequestEvent } from '../streams/request-router.js';
import { SrfRequest } from '../streams/srf-request.js';
import { SrfResponse } from '../streams/srf-response.js';
import { type CdrReason, cdrSummary } from './cdr.js';
import { inviteClient } from './invite-client.js';
import {
  answerDirection,
  isHoldOffer,
  nextVersion,
  sdpDirection,
  sdpOrigin,
  withDirection,
} from './sdp-direction.js';
import { SerialQueue } from './serial-queue.js';
import { SipError } from './sip-error.js';
import {
  DEFAULT_SUBSCRIPTION_EXPIRES,
  expiresOf,
  type SubscriptionTimer,
  subscriptionStateOf,
} from './subscription.js';
import { AnswerRetransmitter } from './uas-answer.js';
import type { UserAgent } from './user-agent.js';

/** Dialog states, named as RFC 4235 names them. */
export type DialogState = 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated';

/** How a dialog ended: the reason, who ended it, and the request that did (a BYE) if any. */
export interface DialogEnd {
  reason: CdrReason | string;
  initiator: 'local' | 'remote';
  req?: SipRequest;
}

export interface RequestOptions {
  method: string;
  headers?: HeaderInit;
  body?: string | Buffer;
  /** Content-Type for the body (default application/sdp for INVITE/UPDATE/ACK/PRACK). */
  contentType?: string;
}

export interface DialogEndpoint {
  /** The Contact URI of this side. */
  uri: string;
  sdp: string;
  /** The Contact header value of this side. */
  contact: string;
}

export interface DialogInit {
  ua: UserAgent;
  type: 'uas' | 'uac';
  dialogType: 'INVITE' | 'SUBSCRIBE';
  route: DialogRoute;
  localContact: string;
  localSdp: string;
  remoteSdp: string;
  localCseq: number;
  remoteCseq: number;
  /** The request or response that created the dialog. */
  createdBy: SipMessage;
  flowId?: string;
  auth?: AuthProvider;
  /** The 2xx that confirmed the dialog, still waiting for its ACK (UAS). */
  answer?: AnswerRetransmitter;
  /** `early` for a dialog made by a provisional response (default `confirmed`). */
  state?: 'early' | 'confirmed';
  /** UAS early dialog: the INVITE it belongs to, which takes PRACKs and an early BYE. */
  invite?: EarlyInvite;
}

/** What a UAS early dialog needs from the INVITE that made it (see uas-invite.ts). */
export interface EarlyInvite {
  /** A PRACK for one of our reliable provisional responses (RFC 3262 §3). */
  receivePrack(event: RequestEvent): void;
  /** The caller ended the early dialog with BYE: the INVITE is answered 487. */
  endedByBye(): void;
}

/** What the response that confirms an early dialog changes in it. */
export interface Confirmation {
  /** UAC: the route set and target recomputed from the 2xx (RFC 3261 §13.2.2.4). */
  route?: DialogRoute;
  localSdp?: string;
  remoteSdp?: string;
  localContact?: string;
  answer?: AnswerRetransmitter;
  createdBy: SipMessage;
}

type ChildName = 'modify' | 'info' | 'notify' | 'refer' | 'message' | 'options' | 'update' | 'subscribe';
const SDP_METHODS = new Set(['INVITE', 'UPDATE', 'ACK', 'PRACK']);
const MAX_HELD_NOTIFIES = 8;
const MAX_GLARE_RETRIES = 5;

function contactUriOf(contact: string): string {
  const match = /<([^>]*)>/.exec(contact);
  return match?.[1] ?? contact.split(';')[0]?.trim() ?? contact;
}

function targetOf(message: SipRequest | SipResponse): string | undefined {
  try {
    const contact = message.getParsedHeader('contact');
    return Array.isArray(contact) ? contact[0]?.uri : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A SIP dialog (RFC 3261 §12). Incoming in-dialog requests arrive on child observables —
 * `modify$` (re-INVITE), `info$`, `notify$`, `refer$`, `message$`, `options$`, `update$` as
 * `{req, res}` for the application to answer, and `hold$`, `unhold$`, `refresh$`, `ack$`,
 * `destroy$` as notifications. A child nobody subscribes to is answered as drachtio-srf does (200,
 * with the local SDP for a re-INVITE). Every child completes when the dialog ends; none is
 * created before it is asked for.
 */
export class Dialog {
  readonly type: 'uas' | 'uac';
  readonly dialogType: 'INVITE' | 'SUBSCRIBE';
  readonly sip: { callId: string; localTag: string; remoteTag: string };
  readonly local: DialogEndpoint;
  readonly remote: DialogEndpoint;
  onHold = false;
  /** The connection in-dialog requests go over while it is open (TCP/TLS/WS peers). */
  readonly flowId: string | undefined;
  private readonly ua: UserAgent;
  private readonly route: DialogRoute;
  private localCseq: number;
  private remoteCseq: number;
  private readonly auth: AuthProvider | undefined;
  private readonly stateSubject: BehaviorSubject<DialogState>;
  private children: Map<ChildName, Subject<RequestEvent>> | undefined;
  private notices: Map<string, Subject<SipRequest>> | undefined;
  private destroySubject: Subject<DialogEnd> | undefined;
  private ending: DialogEnd | undefined;
  private answer: AnswerRetransmitter | undefined;
  private reinvites: SerialQueue | undefined;
  /** Our 2xx to the peer's last re-INVITE, resent until its ACK. */
  private pendingReinviteAnswer: AnswerRetransmitter | undefined;
  /** The message that made or last changed the dialog, for the CDR of an end without one. */
  private lastMessage: SipMessage;
  private invite: EarlyInvite | undefined;
  /** Our re-INVITE is waiting for its final response (RFC 3261 §14.1). */
  private reinviting = false;
  /** Our offer (re-INVITE or UPDATE) is waiting for its answer (RFC 3311 §5.2). */
  private pendingOffer = false;
  /** The peer's re-INVITE is not answered yet (RFC 3261 §14.2). */
  private answeringReinvite = false;
  /**
   * @internal A subscriber's dialog made by a NOTIFY that overtook the 2xx keeps the NOTIFYs
   * nobody could hear yet, for the first `notify$` subscriber (at most {@link MAX_HELD_NOTIFIES}).
   */
  heldNotifies: RequestEvent[] | undefined;
  /** We unsubscribed (SUBSCRIBE Expires: 0): the notifier's final NOTIFY ends what we ended. */
  private unsubscribing = false;
  /** The peer's offer (re-INVITE or UPDATE) is waiting for our answer (RFC 3311 §5.2). */
  private answeringOffer = false;
  /** @internal Told of each accepted refresh, sent or received (the session timer listens). */
  onRefresh: ((req: SipRequest, answer: SipResponse, direction: 'sent' | 'received') => void) | undefined;
  /** @internal Headers for our 2xx to a refresh the peer sent (the session timer's Session-Expires). */
  refreshHeaders: ((req: SipRequest) => HeaderInit) | undefined;
  /** @internal The running session timer (RFC 4028), if any. */
  sessionTimer: { stop(): void } | undefined;
  /** @internal A SUBSCRIBE dialog's subscription (RFC 6665). */
  subscription: SubscriptionTimer | undefined;

  constructor(init: DialogInit) {
    this.ua = init.ua;
    this.type = init.type;
    this.dialogType = init.dialogType;
    this.route = { ...init.route, routeSet: [...init.route.routeSet] };
    this.sip = { callId: init.route.callId, localTag: init.route.localTag, remoteTag: init.route.remoteTag };
    this.local = { uri: contactUriOf(init.localContact), contact: init.localContact, sdp: init.localSdp };
    this.remote = {
      uri: init.route.remoteTarget,
      contact: `<${init.route.remoteTarget}>`,
      sdp: init.remoteSdp,
    };
    this.localCseq = init.localCseq;
    this.remoteCseq = init.remoteCseq;
    this.flowId = init.flowId;
    this.auth = init.auth;
    this.answer = init.answer;
    this.lastMessage = cdrSummary(init.createdBy);
    this.invite = init.invite;
    this.stateSubject = new BehaviorSubject<DialogState>(init.state ?? 'confirmed');
    init.ua.dialogs.add(this);
  }

  /** @internal An early dialog becomes confirmed by a 2xx (RFC 3261 §12.1, §13.2.2.4). */
  confirm(update: Confirmation): void {
    if (this.state !== 'early') return;
    if (update.route) {
      this.route.routeSet = [...update.route.routeSet];
      this.setRemoteTarget(update.route.remoteTarget);
    }
    if (update.localSdp !== undefined) this.local.sdp = update.localSdp;
    if (update.remoteSdp !== undefined) this.remote.sdp = update.remoteSdp;
    if (update.localContact !== undefined) {
      this.local.contact = update.localContact;
      this.local.uri = contactUriOf(update.localContact);
    }
    if (update.answer) this.answer = update.answer;
    this.lastMessage = cdrSummary(update.createdBy);
    this.invite = undefined;
    this.stateSubject.next('confirmed');
  }

  /** drachtio-srf's dialog id: Call-ID and the tags. */
  get id(): string {
    return `${this.sip.callId};from-tag=${this.type === 'uac' ? this.sip.localTag : this.sip.remoteTag}`;
  }

  get state(): DialogState {
    return this.stateSubject.value;
  }

  /** The dialog's state (RFC 4235 names); completes when it is terminated. */
  get state$(): Observable<DialogState> {
    return this.stateSubject.asObservable();
  }

  get connected(): boolean {
    return this.state !== 'terminated';
  }

  /** UAS: the 2xx that made the dialog still waits for its ACK. */
  get awaitingAck(): boolean {
    return this.answer?.waiting ?? false;
  }

  // --- incoming traffic -------------------------------------------------------------------

  private child(name: ChildName): Observable<RequestEvent> {
    if (!this.children) this.children = new Map();
    let subject = this.children.get(name);
    if (!subject) {
      subject = new Subject<RequestEvent>();
      if (this.ending) subject.complete();
      this.children.set(name, subject);
    }
    return subject.asObservable();
  }

  private notice(name: string): Observable<SipRequest> {
    if (!this.notices) this.notices = new Map();
    let subject = this.notices.get(name);
    if (!subject) {
      subject = new Subject<SipRequest>();
      if (this.ending) subject.complete();
      this.notices.set(name, subject);
    }
    return subject.asObservable();
  }

  /** re-INVITEs that are not a hold, unhold or refresh, for the application to answer. */
  get modify$(): Observable<RequestEvent> {
    return this.child('modify');
  }
  get info$(): Observable<RequestEvent> {
    return this.child('info');
  }
  get notify$(): Observable<RequestEvent> {
    const held = this.heldNotifies;
    if (!held) return this.child('notify');
    // NOTIFYs that came before the application had the dialog (already answered) come first.
    this.heldNotifies = undefined;
    return concat(from(held), this.child('notify'));
  }
  get refer$(): Observable<RequestEvent> {
    return this.child('refer');
  }
  get message$(): Observable<RequestEvent> {
    return this.child('message');
  }
  get options$(): Observable<RequestEvent> {
    return this.child('options');
  }
  get update$(): Observable<RequestEvent> {
    return this.child('update');
  }
  get subscribe$(): Observable<RequestEvent> {
    return this.child('subscribe');
  }
  /** A re-INVITE putting us on hold (answered 200 by the dialog). */
  get hold$(): Observable<SipRequest> {
    return this.notice('hold');
  }
  /** A re-INVITE taking us off hold (answered 200 by the dialog). */
  get unhold$(): Observable<SipRequest> {
    return this.notice('unhold');
  }
  /** A session refresh: a re-INVITE or UPDATE with the SDP unchanged (answered 200). */
  get refresh$(): Observable<SipRequest> {
    return this.notice('refresh');
  }
  /** ACKs for the 2xx we sent (to the first INVITE and to re-INVITEs). */
  get ack$(): Observable<SipRequest> {
    return this.notice('ack');
  }

  /** Emits once, when the dialog ends (either side, any reason), then completes. */
  get destroy$(): Observable<DialogEnd> {
    if (this.ending) return of(this.ending);
    if (!this.destroySubject) this.destroySubject = new Subject<DialogEnd>();
    return this.destroySubject.asObservable();
  }

  private emitNotice(name: string, req: SipRequest): void {
    const subject = this.notices?.get(name);
    if (subject?.observed) subject.next(req);
  }

  /** @internal An in-dialog request or ACK routed here by the registry. */
  receive(inbound: InboundRequest): void {
    const message = inbound.message;
    if (message.method === 'ACK') {
      this.receiveAck(message);
      return;
    }
    // RFC 3261 §12.2.2: requests must arrive with increasing CSeq.
    if (message.cseq.seq <= this.remoteCseq && message.method !== 'CANCEL') {
      inbound.respond(createResponse(message, 500, { reason: 'CSeq Out Of Order' }));
      return;
    }
    this.remoteCseq = message.cseq.seq;
    const req = new SrfRequest(inbound, this.ua);
    const res = new SrfResponse(req);
    switch (message.method) {
      case 'BYE':
        res.send(200);
        this.invite?.endedByBye();
        this.terminate(this.state === 'early' ? 'call-canceled' : 'normal-release', 'remote', req);
        return;
      case 'PRACK':
        if (this.invite) this.invite.receivePrack({ req, res });
        else res.send(481);
        return;
      case 'INVITE':
        this.receiveReinvite(req, res);
        return;
      case 'UPDATE':
        this.receiveUpdate(req, res);
        return;
      case 'NOTIFY':
        this.receiveNotify(req, res);
        return;
      case 'INFO':
      case 'REFER':
      case 'MESSAGE':
      case 'OPTIONS':
        this.offer(message.method.toLowerCase() as ChildName, { req, res }, () =>
          this.defaultAnswer(req, res),
        );
        return;
      case 'SUBSCRIBE':
        if (this.subscription) this.receiveSubscribe(req, res, this.subscription);
        else this.offer('subscribe', { req, res }, () => res.send(489, 'Bad Event'));
        return;
      default:
        res.send(501);
    }
  }

  private offer(name: ChildName, event: RequestEvent, otherwise: () => void): void {
    const subject = this.children?.get(name);
    if (subject?.observed) subject.next(event);
    else otherwise();
  }

  private defaultAnswer(req: SrfRequest, res: SrfResponse): void {
    if (req.method === 'UPDATE' && req.payload.length > 0) {
      res.send(200, {
        headers: { 'Content-Type': 'application/sdp', Contact: this.local.contact },
        body: this.local.sdp,
      });
      return;
    }
    res.send(200);
  }

  // RFC 6665 §4.2.1: a refreshing SUBSCRIBE resets the expiry; Expires: 0 ends the subscription.
  private receiveSubscribe(req: SrfRequest, res: SrfResponse, subscription: SubscriptionTimer): void {
    const asked = expiresOf(req) ?? DEFAULT_SUBSCRIPTION_EXPIRES;
    this.watch(res, (sent) => {
      if (!sent || sent.status >= 300) return;
      const granted = expiresOf(sent) ?? asked;
      if (granted === 0) this.endSubscription();
      else subscription.refresh(granted);
    });
    this.offer('subscribe', { req, res }, () => res.send(200, { headers: { Expires: asked } }));
  }

  // RFC 6665 §4.1.3: NOTIFY carries the subscription's state; terminated ends a SUBSCRIBE dialog.
  private receiveNotify(req: SrfRequest, res: SrfResponse): void {
    const state = subscriptionStateOf(req);
    if (this.dialogType === 'SUBSCRIBE' && state) {
      this.watch(res, (sent) => {
        if (!sent || sent.status >= 300) return;
        if (state.state === 'terminated' && this.unsubscribing)
          this.terminate('subscription-terminated', 'local', req);
        else if (state.state === 'terminated')
          this.terminate(`subscription-${state.reason ?? 'terminated'}`, 'remote', req);
        else if (state.expires !== undefined) this.subscription?.refresh(state.expires);
      });
    }
    this.offer('notify', { req, res }, () => {
      this.defaultAnswer(req, res);
      if (this.heldNotifies && this.heldNotifies.length < MAX_HELD_NOTIFIES)
        this.heldNotifies.push({ req, res });
    });
  }

  /**
   * @internal Ends a SUBSCRIBE dialog: the notifier first sends NOTIFY with
   * `Subscription-State: terminated` (RFC 6665 §4.2.2), with `reason` when given.
   */
  endSubscription(reason?: string): void {
    if (this.state === 'terminated') return;
    if (this.type === 'uas') {
      const event = this.subscription?.event ?? '';
      const notify = this.build(
        {
          method: 'NOTIFY',
          headers: {
            Event: event,
            'Subscription-State': reason ? `terminated;reason=${reason}` : 'terminated',
          },
        },
        this.nextCseq(),
      );
      this.transmit$(notify).subscribe();
      this.terminate(
        reason === 'timeout' ? 'subscription-expired' : 'subscription-terminated',
        'local',
        notify,
      );
    } else {
      this.terminate(reason === 'timeout' ? 'subscription-expired' : 'subscription-terminated', 'local');
    }
  }

  private receiveAck(ack: SipRequest): void {
    // Acknowledged answers are let go: an idle dialog keeps no transaction state.
    const seq = ack.cseq.seq;
    if (this.answer?.cseq === seq) {
      this.answer.acked();
      this.answer = undefined;
    }
    if (this.pendingReinviteAnswer?.cseq === seq) {
      this.pendingReinviteAnswer.acked();
      this.pendingReinviteAnswer = undefined;
    }
    // RFC 3264 §4: with a late offer, the ACK carries the answer.
    if (ack.payload.length > 0) this.remote.sdp = ack.body;
    this.emitNotice('ack', ack);
  }

  /** Calls `hook` with the response the application (or the dialog) sends with `res.send`. */
  private watch(res: SrfResponse, hook: (sent: SipResponse | undefined) => void): void {
    const original = res.send.bind(res);
    res.send = ((...args: Parameters<SrfResponse['send']>) => {
      const sent = original(...args);
      if (!sent || sent.status >= 200) hook(sent);
      return sent;
    }) as SrfResponse['send'];
  }

  /** The peer's offer (re-INVITE or UPDATE) was accepted with `sent`: RFC 3261 §12.2.2 target refresh, RFC 3264 SDPs. */
  private accepted(req: SrfRequest, sent: SipResponse): void {
    const target = targetOf(req);
    if (target) this.setRemoteTarget(target);
    if (req.payload.length > 0) this.remote.sdp = req.body;
    if (sent.payload.length > 0) this.local.sdp = sent.body;
    this.onRefresh?.(req, sent, 'received');
  }

  private isRefresh(req: SrfRequest): boolean {
    const offer = req.body;
    return !offer || offer === this.remote.sdp;
  }

  // RFC 4028 §9: a 2xx to a refresh carries the session timer's Session-Expires.
  private addRefreshHeaders(req: SrfRequest, res: SrfResponse): void {
    if (!this.refreshHeaders) return;
    const headers = this.refreshHeaders(req);
    for (const name in headers) {
      const value = headers[name];
      if (typeof value === 'string' || typeof value === 'number') res.set(name, value);
    }
  }

  private retryLater(res: SrfResponse): void {
    res.send(500, { headers: { 'Retry-After': Math.floor(this.ua.random() * 10) } });
  }

  /** Marks the peer's offer as owed an answer until a final response goes out, whoever sends it. */
  private answeringPeerOffer(req: SrfRequest): void {
    this.answeringOffer = true;
    req.inbound.final$.subscribe({ complete: () => (this.answeringOffer = false) });
  }

  private receiveUpdate(req: SrfRequest, res: SrfResponse): void {
    // RFC 3311 §5.2: an offer while ours is waiting for its answer is glare (491); one while
    // we still owe an answer to the peer's earlier offer gets 500 with Retry-After.
    if (req.payload.length > 0 && this.pendingOffer) {
      res.send(491);
      return;
    }
    if (req.payload.length > 0 && this.answeringOffer) {
      this.retryLater(res);
      return;
    }
    if (req.payload.length > 0) this.answeringPeerOffer(req);
    this.addRefreshHeaders(req, res);
    const refresh = this.isRefresh(req);
    this.watch(res, (sent) => {
      if (!sent || sent.status >= 300) return;
      this.accepted(req, sent);
      if (refresh) this.emitNotice('refresh', req);
    });
    this.offer('update', { req, res }, () => this.defaultAnswer(req, res));
  }

  private receiveReinvite(req: SrfRequest, res: SrfResponse): void {
    // RFC 3261 §14.2: glare with our own re-INVITE gets 491; a second re-INVITE before we
    // answered the first gets 500 with Retry-After.
    if (this.reinviting || (req.payload.length > 0 && this.pendingOffer)) {
      res.send(491);
      return;
    }
    if (this.answeringReinvite || (req.payload.length > 0 && this.answeringOffer)) {
      this.retryLater(res);
      return;
    }
    this.answeringReinvite = true;
    req.inbound.final$.subscribe({ complete: () => (this.answeringReinvite = false) });
    if (req.payload.length > 0) this.answeringPeerOffer(req);
    this.addRefreshHeaders(req, res);
    const offer = req.body;
    const target = targetOf(req);
    const accept = (answer: SipResponse | undefined) => {
      if (!answer || answer.status < 200 || answer.status >= 300) return;
      // RFC 3261 §12.2.2: a 2xx to a target refresh request updates the remote target.
      if (target) this.setRemoteTarget(target);
      if (offer) this.remote.sdp = offer;
      this.onRefresh?.(req, answer, 'received');
      this.pendingReinviteAnswer = new AnswerRetransmitter(this.ua, req.inbound, answer, () => {
        this.ua.log.warn({ callId: this.sip.callId }, 'no ACK for the 2xx to a re-INVITE');
      });
    };
    const answerWithLocalSdp = () => accept(this.sendLocalSdp(res));
    const wasHeld = this.onHold;
    if (
      offer &&
      sdpOrigin(offer) !== undefined &&
      sdpOrigin(offer) === sdpOrigin(this.remote.sdp) &&
      offer === this.remote.sdp
    ) {
      answerWithLocalSdp();
      this.emitNotice('refresh', req);
      return;
    }
    if (offer && isHoldOffer(offer) && !wasHeld && !this.children?.get('modify')?.observed) {
      this.onHold = true;
      // RFC 3264 §6.1: the answer to sendonly is recvonly, to inactive inactive.
      const direction = answerDirection(sdpDirection(offer) ?? 'sendrecv');
      if (this.local.sdp) this.local.sdp = nextVersion(withDirection(this.local.sdp, direction));
      answerWithLocalSdp();
      this.emitNotice('hold', req);
      return;
    }
    if (offer && wasHeld && !isHoldOffer(offer) && !this.children?.get('modify')?.observed) {
      this.onHold = false;
      if (this.local.sdp) this.local.sdp = nextVersion(withDirection(this.local.sdp, 'sendrecv'));
      answerWithLocalSdp();
      this.emitNotice('unhold', req);
      return;
    }
    const subject = this.children?.get('modify');
    if (subject?.observed) {
      this.watch(res, (sent) => {
        if (sent && sent.status >= 200 && sent.status < 300 && sent.payload.length > 0)
          this.local.sdp = sent.body;
        accept(sent);
      });
      subject.next({ req, res });
    } else {
      answerWithLocalSdp();
    }
  }

  private sendLocalSdp(res: SrfResponse): SipResponse | undefined {
    return res.send(200, {
      headers: {
        Contact: this.local.contact,
        ...(this.local.sdp ? { 'Content-Type': 'application/sdp' } : {}),
      },
      body: this.local.sdp || undefined,
    });
  }

  private setRemoteTarget(uri: string): void {
    this.route.remoteTarget = uri;
    this.remote.uri = uri;
    this.remote.contact = `<${uri}>`;
  }

  // --- outgoing traffic -------------------------------------------------------------------

  private build(options: RequestOptions, cseq: number): SipRequest {
    const contentType =
      options.contentType ?? (SDP_METHODS.has(options.method) ? 'application/sdp' : undefined);
    const request = inDialogRequest(this.route, options.method, cseq, {
      headers: options.headers,
      body: options.body,
      contentType,
    });
    if (
      (options.method === 'INVITE' ||
        options.method === 'UPDATE' ||
        options.method === 'SUBSCRIBE' ||
        options.method === 'NOTIFY' ||
        options.method === 'REFER') &&
      !request.has('contact')
    ) {
      request.set('Contact', this.local.contact);
    }
    return request;
  }

  private nextCseq(): number {
    this.localCseq += 1;
    return this.localCseq;
  }

  /** Keeps our CSeq ahead of what a digest retry sent (RFC 3261 §22.2: CSeq + 1). */
  private track(event: OutboundEvent): void {
    if (event.kind === 'sent') this.localCseq = Math.max(this.localCseq, event.request.cseq.seq);
  }

  /** RFC 3261 §12.2.1.2: a 481 or 408 to an in-dialog request ends the dialog. */
  private checkFinal(response: SipResponse): void {
    if (response.status === 481 || response.status === 408) {
      this.terminate('system-error-initiated-termination', 'remote', undefined, response);
    }
  }

  // Sends a built request with the dialog's flow and credentials: responses up to the final one.
  private transmit$(request: SipRequest): Observable<SipResponse> {
    return withDigestAuth(request, (r) => this.ua.engine.send(r, { flowId: this.flowId }), this.auth).pipe(
      tap((e) => this.track(e)),
      filter((e) => e.kind === 'response'),
      map((e) => e.response),
      takeWhile((r) => r.status < 200, true),
    );
  }

  /**
   * Sends a request inside the dialog (cold): every response, completing after the final one.
   * A 401/407 is answered with the dialog's credentials. INVITE goes through {@link reinvite$}
   * and BYE through {@link bye$}.
   */
  send$(options: RequestOptions): Observable<SipResponse> {
    const method = options.method.toUpperCase();
    if (method === 'INVITE') {
      return this.reinvite$(options.body?.toString() ?? '', options).pipe(
        catchError((err: unknown) =>
          err instanceof SipError && err.res ? of(err.res) : throwError(() => err),
        ),
      );
    }
    if (method === 'BYE') return this.bye$(options);
    if (method === 'UPDATE') return this.sendUpdate$(options);
    if (method === 'SUBSCRIBE' && this.subscription) return this.resubscribe$(options, this.subscription);
    return defer(() => {
      if (this.state === 'terminated') throw new Error(`dialog ${this.id} has ended`);
      return this.transmit$(this.build({ ...options, method }, this.nextCseq())).pipe(
        tap((r) => r.status >= 200 && this.checkFinal(r)),
      );
    });
  }

  // RFC 6665 §4.1.2.2: a refreshing SUBSCRIBE; its 2xx's Expires is the new expiry.
  private resubscribe$(options: RequestOptions, subscription: SubscriptionTimer): Observable<SipResponse> {
    return defer(() => {
      if (this.state === 'terminated') throw new Error(`dialog ${this.id} has ended`);
      const request = this.build({ ...options, method: 'SUBSCRIBE' }, this.nextCseq());
      return this.transmit$(request).pipe(
        tap((response) => {
          if (response.status < 200) return;
          if (response.status >= 300) this.checkFinal(response);
          else
            subscription.refresh(expiresOf(response) ?? expiresOf(request) ?? DEFAULT_SUBSCRIPTION_EXPIRES);
        }),
      );
    });
  }

  /**
   * Sends an UPDATE (RFC 3311), in an early or confirmed dialog: with a body it is an offer,
   * and the 2xx's answer and Contact update the dialog; without one, a session refresh.
   */
  sendUpdate$(options: Omit<RequestOptions, 'method'> = {}): Observable<SipResponse> {
    return defer(() => {
      if (this.state === 'terminated') throw new Error(`dialog ${this.id} has ended`);
      const request = this.build({ ...options, method: 'UPDATE' }, this.nextCseq());
      const offer = request.payload.length > 0 ? request.body : undefined;
      if (offer) this.pendingOffer = true;
      return this.transmit$(request).pipe(
        tap((response) => {
          if (response.status < 200) return;
          if (offer) this.pendingOffer = false;
          if (response.status >= 300) {
            this.checkFinal(response);
            return;
          }
          const target = targetOf(response);
          if (target) this.setRemoteTarget(target);
          if (offer) this.local.sdp = offer;
          if (response.payload.length > 0) this.remote.sdp = response.body;
          this.onRefresh?.(request, response, 'sent');
        }),
        finalize(() => {
          if (offer) this.pendingOffer = false;
        }),
      );
    });
  }

  /**
   * Sends a request and resolves with the final response, whatever its status (drachtio-srf
   * resolved with the first response instead). Rejects only when the dialog has ended.
   */
  request(options: RequestOptions): Promise<SipResponse> {
    return firstValueFrom(this.send$(options).pipe(filter((r) => r.status >= 200)));
  }

  info(options: Omit<RequestOptions, 'method'> = {}): Promise<SipResponse> {
    return this.request({ ...options, method: 'INFO' });
  }
  notify(options: Omit<RequestOptions, 'method'> = {}): Promise<SipResponse> {
    return this.request({ ...options, method: 'NOTIFY' });
  }
  refer(options: Omit<RequestOptions, 'method'> = {}): Promise<SipResponse> {
    return this.request({ ...options, method: 'REFER' });
  }
  message(options: Omit<RequestOptions, 'method'> = {}): Promise<SipResponse> {
    return this.request({ ...options, method: 'MESSAGE' });
  }
  options(options: Omit<RequestOptions, 'method'> = {}): Promise<SipResponse> {
    return this.request({ ...options, method: 'OPTIONS' });
  }
  update(options: Omit<RequestOptions, 'method'> = {}): Promise<SipResponse> {
    return this.request({ ...options, method: 'UPDATE' });
  }

  /**
   * Sends a re-INVITE (cold; one at a time per dialog, a failure never blocks the next) with a new
   * SDP, or `'hold'` / `'unhold'`: the local SDP with its direction set to inactive, then back.
   * Emits every response; the 2xx is ACKed and the remote SDP and target updated; a non-2xx
   * final errors with {@link SipError}.
   */
  reinvite$(
    sdp: string | 'hold' | 'unhold',
    options: { headers?: HeaderInit } = {},
  ): Observable<SipResponse> {
    if (!this.reinvites) this.reinvites = new SerialQueue();
    return this.reinvites.run(() => this.reinviteWithRetry(sdp, options, 0));
  }

  // RFC 3261 §14.1: after a 491 the re-INVITE is tried again after a random wait: 2.1-4 s for the
  // dialog's Call-ID owner (the UAC of the first INVITE), 0-2 s for the other side.
  private reinviteWithRetry(
    sdp: string | 'hold' | 'unhold',
    options: { headers?: HeaderInit },
    tries: number,
  ): Observable<SipResponse> {
    return this.reinviteOnce(sdp, options).pipe(
      catchError((err: unknown) => {
        if (
          !(err instanceof SipError) ||
          err.status !== 491 ||
          tries >= MAX_GLARE_RETRIES ||
          this.state === 'terminated'
        ) {
          return throwError(() => err);
        }
        const wait =
          this.type === 'uac'
            ? 2100 + Math.floor(this.ua.random() * 191) * 10
            : Math.floor(this.ua.random() * 201) * 10;
        return timer(wait, this.ua.scheduler).pipe(
          mergeMap(() => this.reinviteWithRetry(sdp, options, tries + 1)),
        );
      }),
    );
  }

  private reinviteOnce(
    sdp: string | 'hold' | 'unhold',
    options: { headers?: HeaderInit },
  ): Observable<SipResponse> {
    return defer(() => {
      if (this.state === 'terminated') throw new Error(`dialog ${this.id} has ended`);
      if (sdp === 'unhold' && !this.onHold) throw new Error('attempt to unhold session that is not on hold');
      const holding = sdp === 'hold' ? true : sdp === 'unhold' ? false : undefined;
      const offer =
        holding === undefined
          ? sdp
          : nextVersion(withDirection(this.local.sdp, holding ? 'inactive' : 'sendrecv'));
      const request = this.build(
        { method: 'INVITE', headers: options.headers, body: offer || undefined },
        this.nextCseq(),
      );
      this.reinviting = true;
      if (offer) this.pendingOffer = true;
      return inviteClient(this.ua, request, {
        flowId: this.flowId,
        auth: this.auth,
        ackFor: (_response, sent) => ackInDialog(this.route, sent.cseq.seq),
        onUnwanted2xx: () => undefined,
      }).pipe(
        tap((e) => this.track(e)),
        filter((e) => e.kind === 'response'),
        map((e) => e.response),
        tap((response) => {
          if (response.status < 200) return;
          this.reinviting = false;
          this.pendingOffer = false;
          if (response.status >= 300) {
            this.checkFinal(response);
            throw new SipError(response.status, response.reason, response);
          }
          const target = targetOf(response);
          if (target) this.setRemoteTarget(target);
          if (response.payload.length > 0) this.remote.sdp = response.body;
          if (offer) this.local.sdp = offer;
          if (holding !== undefined) this.onHold = holding;
          this.onRefresh?.(request, response, 'sent');
        }),
        finalize(() => {
          this.reinviting = false;
          this.pendingOffer = false;
        }),
      );
    });
  }

  /** Modifies the session with a re-INVITE (see {@link reinvite$}); resolves with the remote SDP. */
  async modify(sdp: string | 'hold' | 'unhold', options: { headers?: HeaderInit } = {}): Promise<string> {
    await lastValueFrom(this.reinvite$(sdp, options));
    return this.remote.sdp;
  }

  /**
   * Ends the dialog with BYE (cold): responses to the BYE. The dialog is terminated at once
   * (RFC 3261 §15.1.1), so `destroy$` emits before the response arrives.
   */
  bye$(options: { headers?: HeaderInit; reason?: CdrReason } = {}): Observable<SipResponse> {
    return defer(() => {
      if (this.state === 'terminated') return EMPTY;
      const bye = this.build({ method: 'BYE', headers: options.headers }, this.nextCseq());
      this.terminate(options.reason ?? 'normal-release', 'local', bye);
      return this.transmit$(bye);
    });
  }

  /** Ends the dialog with BYE, resolving with the BYE sent once answered; a no-op when it has already ended. */
  async destroy(options: { headers?: HeaderInit; reason?: CdrReason } = {}): Promise<SipRequest | undefined> {
    if (this.state === 'terminated') return undefined;
    if (this.dialogType === 'SUBSCRIBE') return this.unsubscribe(options.headers);
    await lastValueFrom(this.bye$(options), { defaultValue: undefined });
    return this.ending?.req;
  }

  /**
   * Ends a SUBSCRIBE dialog: the notifier sends NOTIFY terminated (drachtio-srf's behaviour);
   * the subscriber sends SUBSCRIBE with Expires: 0 and the dialog ends with the final NOTIFY (or
   * after 64*T1 without one).
   */
  private async unsubscribe(headers?: HeaderInit): Promise<SipRequest | undefined> {
    if (this.type === 'uas') {
      this.endSubscription('noresource');
      return this.ending?.req;
    }
    const request = this.build(
      { method: 'SUBSCRIBE', headers: { Event: this.subscription?.event ?? '', Expires: 0, ...headers } },
      this.nextCseq(),
    );
    // RFC 6665 §4.1.2.3: the notifier's final NOTIFY should follow; end on our own after 64*T1.
    this.unsubscribing = true;
    this.subscription?.expireIn(64 * this.ua.timers.t1);
    await lastValueFrom(this.transmit$(request), { defaultValue: undefined });
    return request;
  }

  /** @internal Marks the dialog ended: children complete, CDR stop, registry removal. */
  terminate(
    reason: CdrReason | string,
    initiator: 'local' | 'remote',
    req?: SipRequest,
    msg?: SipMessage,
  ): void {
    if (this.ending) return;
    this.ending = req ? { reason, initiator, req } : { reason, initiator };
    this.answer?.acked();
    this.answer = undefined;
    this.pendingReinviteAnswer?.acked();
    this.pendingReinviteAnswer = undefined;
    this.sessionTimer?.stop();
    this.subscription?.stop();
    this.ua.dialogs.remove(this);
    this.stateSubject.next('terminated');
    this.stateSubject.complete();
    this.destroySubject?.next(this.ending);
    this.destroySubject?.complete();
    for (const subject of this.children?.values() ?? []) subject.complete();
    for (const subject of this.notices?.values() ?? []) subject.complete();
    if (this.dialogType === 'INVITE')
      this.ua.cdr({
        type: 'stop',
        source: initiator === 'local' ? 'application' : 'network',
        time: new Date(this.ua.scheduler.now()),
        reason: reason as CdrReason,
        msg: msg ?? req ?? this.lastMessage,
      });
  }

  toJSON(): object {
    return {
      id: this.id,
      type: this.type,
      sip: this.sip,
      local: this.local,
      remote: this.remote,
      onHold: this.onHold,
    };
  }
}
