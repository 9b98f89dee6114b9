import { BehaviorSubject, filter, map, Observable, Subscription, takeWhile, tap } from 'rxjs';
import type { InboundRequest, OutboundEvent } from '../engine/engine.js';
import { type AuthProvider, withDigestAuth } from '../requests/digest-client.js';
import type { RequestEvent } from '../requests/srf-request.js';
import { createResponse } from '../sip/build.js';
import { type DialogRoute, inDialogRequest, ownRoute } from '../sip/dialog-route.js';
import type { HeaderInit, SipMessage, SipRequest, SipResponse } from '../sip/message.js';
import { ownString } from '../sip/own-string.js';
import { type CdrReason, messageSummary, summaryMessage } from './cdr.js';
import { IncomingStreams, Listeners } from './incoming-streams.js';
import type { UserAgent } from './user-agent.js';

/** Dialog states, named as RFC 4235 names them. */
export type DialogState = 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated';

/** How a dialog ended: the reason, who ended it, and the request that did (a BYE) if any. */
export interface DialogEnd {
  /** Why: a CDR reason (`normal-release`, `session-expired`, `ack-timeout`, ...) or the application's own words. */
  reason: CdrReason | string;
  /** `local` when this side ended the dialog, `remote` when the peer did. */
  initiator: 'local' | 'remote';
  /** The peer's BYE (or the final NOTIFY of a subscription) that ended it, when it was the peer. */
  req?: SipRequest;
}

/** A request to send inside a dialog. */
export interface RequestOptions {
  /** The method: INFO, MESSAGE, NOTIFY, REFER, OPTIONS, ... (re-INVITE and UPDATE have their own methods). */
  method: string;
  /** Headers to add; the dialog writes From, To, Call-ID, CSeq, Route and Contact itself (RFC 3261 §12.2.1.1). */
  headers?: HeaderInit;
  /** The body, e.g. the `application/dtmf-relay` of an INFO. */
  body?: string | Buffer;
  /** Content-Type for the body (default application/sdp for INVITE/UPDATE/ACK/PRACK). */
  contentType?: string;
}

/** One side of a dialog. */
export interface DialogEndpoint {
  /** The Contact URI of this side. */
  uri: string;
  /** Its session description (empty when none was exchanged). */
  sdp: string;
  /** The Contact header value of this side. */
  contact: string;
}

/** What a UAS early dialog needs from the INVITE that made it (see uas-invite.ts). */
export interface EarlyInvite {
  /** A PRACK for one of our reliable provisional responses (RFC 3262 §3). */
  receivePrack(event: RequestEvent): void;
  /** The caller ended the early dialog with BYE: the INVITE is answered 487. */
  endedByBye(): void;
}

/** What every dialog is made from. */
export interface DialogCoreInit {
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
  /** `early` for a dialog made by a provisional response (default `confirmed`). */
  state?: 'early' | 'confirmed';
  /** UAS early dialog: the INVITE it belongs to, which takes PRACKs and an early BYE. */
  invite?: EarlyInvite;
}

const ENDED = ['ended'] as const;
const SDP_METHODS = new Set(['INVITE', 'UPDATE', 'ACK', 'PRACK']);
const TARGET_METHODS = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

/** `<sip:a@b>;expires=3` → `sip:a@b`. */
export function contactUriOf(contact: string): string {
  const match = /<([^>]*)>/.exec(contact);
  return match?.[1] ?? contact.split(';')[0]?.trim() ?? contact;
}

/**
 * What every dialog is (RFC 3261 §12): its identity, route set, CSeq counters, state, the
 * incoming streams, and one lifetime `Subscription` that owns everything it starts (timers,
 * retransmissions, usages), released at once when it ends. The INVITE and SUBSCRIBE usages and
 * the per-method handlers build on it; {@link Dialog} is its public face.
 */
export abstract class DialogCore {
  /** Which side of the dialog-creating request we were. */
  readonly type: 'uas' | 'uac';
  /** The usage that made it (RFC 5057): a call or a subscription. */
  readonly dialogType: 'INVITE' | 'SUBSCRIBE';
  /** Call-ID and tags. */
  readonly sip: { readonly callId: string; readonly localTag: string; readonly remoteTag: string };
  /** This side: Contact and session description. */
  readonly local: DialogEndpoint;
  /** The peer: its Contact (the remote target) and session description. */
  readonly remote: DialogEndpoint;
  /** The connection in-dialog requests go over while it is open (TCP/TLS/WS peers). */
  readonly flowId: string | undefined;
  /** @internal */
  readonly ua: UserAgent;
  /** @internal Everything the dialog started; released when it ends. */
  readonly lifetime = new Subscription();
  /** @internal */
  readonly route: DialogRoute;
  /** @internal The early dialog's INVITE (UAS), until a final response. */
  earlyInvite: EarlyInvite | undefined;
  private localCseq: number;
  private remoteCseq: number;
  private readonly auth: AuthProvider | undefined;
  private stateNow: DialogState;
  // Made when `state$` is first subscribed: most dialogs are never watched so.
  private stateSubject: BehaviorSubject<DialogState> | undefined;
  // Who waits for the end: no Subject, for the same reason as the incoming streams.
  private endedListeners: Listeners<'ended', DialogEnd> | undefined;
  private ending: DialogEnd | undefined;
  private streams: IncomingStreams | undefined;
  /** The message that made or last changed the dialog, for the CDR of an end without one. */
  private lastMessage: string;

  constructor(init: DialogCoreInit) {
    this.ua = init.ua;
    this.type = init.type;
    this.dialogType = init.dialogType;
    // A dialog outlives the messages that made it: its strings are copies, not slices of them.
    this.route = ownRoute(init.route);
    this.sip = { callId: this.route.callId, localTag: this.route.localTag, remoteTag: this.route.remoteTag };
    const localContact = ownString(init.localContact);
    this.local = { uri: contactUriOf(localContact), contact: localContact, sdp: init.localSdp };
    this.remote = {
      uri: this.route.remoteTarget,
      contact: `<${this.route.remoteTarget}>`,
      sdp: init.remoteSdp,
    };
    this.localCseq = init.localCseq;
    this.remoteCseq = init.remoteCseq;
    this.flowId = init.flowId;
    this.auth = init.auth;
    this.lastMessage = messageSummary(init.createdBy);
    this.earlyInvite = init.invite;
    this.stateNow = init.state ?? 'confirmed';
    init.ua.dialogs.add(this);
  }

  /** drachtio-srf's dialog id: Call-ID and the tag of the dialog-creating request's From. */
  get id(): string {
    return `${this.sip.callId};from-tag=${this.type === 'uac' ? this.sip.localTag : this.sip.remoteTag}`;
  }

  /** The state now (RFC 4235 names). */
  get state(): DialogState {
    return this.stateNow;
  }

  /** The state, now and as it changes; completes when terminated. */
  get state$(): Observable<DialogState> {
    if (!this.stateSubject) {
      this.stateSubject = new BehaviorSubject<DialogState>(this.stateNow);
      if (this.stateNow === 'terminated') this.stateSubject.complete();
    }
    return this.stateSubject.asObservable();
  }

  /** False once the dialog has ended. */
  get connected(): boolean {
    return this.state !== 'terminated';
  }

  /** Emits once, when the dialog ends (either side, any reason), then completes. */
  get ended$(): Observable<DialogEnd> {
    return new Observable<DialogEnd>((subscriber) => {
      if (this.ending) {
        subscriber.next(this.ending);
        subscriber.complete();
      } else {
        this.endedListeners ??= new Listeners();
        this.endedListeners.add(ENDED, subscriber);
      }
    });
  }

  /** @internal The incoming streams, made when first needed. */
  get incoming(): IncomingStreams {
    if (!this.streams) {
      const streams = new IncomingStreams();
      this.streams = streams;
      if (this.ending) streams.complete();
    }
    return this.streams;
  }

  /** @internal An in-dialog request or ACK routed here by the registry. */
  abstract receive(inbound: InboundRequest): void;

  /**
   * @internal RFC 3261 §12.2.2: requests must arrive with increasing CSeq; a lower one gets 500.
   * Returns false when it was answered so.
   */
  acceptCseq(inbound: InboundRequest): boolean {
    const message = inbound.message;
    if (message.cseq.seq <= this.remoteCseq && message.method !== 'CANCEL') {
      inbound.respond(createResponse(message, 500, { reason: 'CSeq Out Of Order' }));
      return false;
    }
    this.remoteCseq = message.cseq.seq;
    return true;
  }

  /** @internal RFC 3261 §12.2.1.1: a request in this dialog, with the next CSeq unless given. */
  build(options: RequestOptions, cseq = this.nextCseq()): SipRequest {
    const contentType =
      options.contentType ?? (SDP_METHODS.has(options.method) ? 'application/sdp' : undefined);
    const request = inDialogRequest(this.route, options.method, cseq, {
      headers: options.headers,
      body: options.body,
      contentType,
    });
    if (TARGET_METHODS.has(options.method) && !request.has('contact'))
      request.set('Contact', this.local.contact);
    return request;
  }

  /** @internal */
  nextCseq(): number {
    this.localCseq += 1;
    return this.localCseq;
  }

  /** @internal Keeps our CSeq ahead of what a digest retry sent (RFC 3261 §22.2: CSeq + 1). */
  track(event: OutboundEvent): void {
    if (event.kind === 'sent') this.localCseq = Math.max(this.localCseq, event.request.cseq.seq);
  }

  /** @internal RFC 3261 §12.2.1.2: a 481 or 408 to an in-dialog request ends the dialog. */
  checkFinal(response: SipResponse): void {
    if (response.status === 481 || response.status === 408)
      this.terminate('system-error-initiated-termination', 'remote', undefined, response);
  }

  /** @internal Sends a built request with the dialog's flow and credentials: responses up to the final one. */
  transmit$(request: SipRequest): Observable<SipResponse> {
    return withDigestAuth(request, (r) => this.ua.engine.send(r, { flowId: this.flowId }), this.auth).pipe(
      tap((e) => this.track(e)),
      filter((e) => e.kind === 'response'),
      map((e) => e.response),
      takeWhile((r) => r.status < 200, true),
    );
  }

  /** @internal The credentials in-dialog requests answer challenges with. */
  get credentials(): AuthProvider | undefined {
    return this.auth;
  }

  /** @internal RFC 3261 §12.2.2: a 2xx to a target refresh request updates the remote target. */
  setRemoteTarget(target: string): void {
    const uri = ownString(target);
    this.route.remoteTarget = uri;
    this.remote.uri = uri;
    this.remote.contact = `<${uri}>`;
  }

  /** @internal The dialog has been changed by `message` (the CDR of an end without a message uses it). */
  changedBy(message: SipMessage): void {
    this.lastMessage = messageSummary(message);
  }

  /** @internal An early dialog becomes confirmed (RFC 3261 §12.1, §13.2.2.4). */
  markConfirmed(): void {
    this.earlyInvite = undefined;
    this.stateNow = 'confirmed';
    this.stateSubject?.next('confirmed');
  }

  /**
   * @internal Ends the dialog: registry removal, `state$` terminated, `ended$`, every stream
   * complete, everything the lifetime owns released, and the CDR stop of a call.
   */
  terminate(
    reason: CdrReason | string,
    initiator: 'local' | 'remote',
    req?: SipRequest,
    msg?: SipMessage,
  ): void {
    if (this.ending) return;
    const ending: DialogEnd = req ? { reason, initiator, req } : { reason, initiator };
    this.ending = ending;
    this.ua.dialogs.remove(this);
    this.lifetime.unsubscribe();
    this.stateNow = 'terminated';
    this.stateSubject?.next('terminated');
    this.stateSubject?.complete();
    this.announceEnd(ending);
    this.streams?.complete();
    if (this.dialogType === 'INVITE')
      this.ua.cdr({
        type: 'stop',
        source: initiator === 'local' ? 'application' : 'network',
        time: new Date(this.ua.scheduler.now()),
        reason: reason as CdrReason,
        msg: msg ?? req ?? summaryMessage(this.lastMessage),
      });
  }

  private announceEnd(ending: DialogEnd): void {
    const listeners = this.endedListeners;
    this.endedListeners = undefined;
    listeners?.next('ended', ending);
    listeners?.complete();
  }

  /**
   * @internal Drops a dialog that turned out not to be one: an early dialog whose INVITE was
   * answered under another To tag. It ends without a call detail record of its own.
   */
  discard(): void {
    if (this.ending) return;
    this.ending = { reason: 'discarded', initiator: 'local' };
    this.ua.dialogs.remove(this);
    this.lifetime.unsubscribe();
    this.stateNow = 'terminated';
    this.stateSubject?.next('terminated');
    this.stateSubject?.complete();
    this.announceEnd(this.ending);
    this.streams?.complete();
  }

  /** @internal The stack is shutting down. */
  shutDown(): void {
    this.terminate('system-initiated-termination', 'local');
  }

  /** The dialog's identity and endpoints, as drachtio-srf serializes them. */
  toJSON(): object {
    return { id: this.id, type: this.type, sip: this.sip, local: this.local, remote: this.remote };
  }
}
