import { EMPTY, type Observable, Subject } from 'rxjs';
import type { InboundRequest } from '../engine/engine.js';
import { SipRequest } from '../sip/message.js';
import type { Source } from '../transport/types.js';
import type { RequestContext } from './request-context.js';
import type { SrfResponse } from './srf-response.js';

/** A new request and the means to answer it: what `srf.requests$` and `srf.invite$` emit. */
export interface RequestEvent {
  /** The request, with where it came from. */
  req: SrfRequest;
  /** Its response side: `res.send(status, ...)`. */
  res: SrfResponse;
}

/**
 * An incoming request as the application sees it: the SIP request, where it came from, and for
 * an INVITE `cancel$` and `prack$`. Field names follow drachtio-srf (`source_address`, ...).
 *
 * @example
 * ```ts
 * import type { Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * srf.invite$.subscribe(({ req, res }) => {
 *   console.log(req.method, req.uri, 'from', req.source_address);
 *   res.send(486);
 * });
 * ```
 */
export class SrfRequest extends SipRequest {
  /** Where the request came from: protocol, address, port, the listening point and the flow. */
  readonly source: Source;
  /** @internal The engine's view of the request and its server transaction. */
  readonly inbound: InboundRequest;
  /** @internal What the layer above attached: the dialog layer's user agent. */
  readonly context: RequestContext | undefined;
  /**
   * @internal What the layer above keeps with the request while it is answered (the dialog
   * layer's UAS state of an INVITE). A field rather than a WeakMap: V8's scavenger keeps a
   * WeakMap's young values alive, which promoted every call's objects to the old generation.
   */
  layerState: object | undefined;
  /** @internal The facade a layer above shows the request as (`rxsip/drachtio`'s Request), for the same reason. */
  view: object | undefined;
  private pracks: Subject<RequestEvent> | undefined;

  /**
   * @param inbound - the request as the engine delivered it
   * @param context - the user agent the request belongs to
   */
  constructor(inbound: InboundRequest, context?: RequestContext) {
    const m = inbound.message;
    super(m.method, m.uri, m.fields, m.payload, m.version);
    this.adoptParsed(m);
    this.inbound = inbound;
    this.source = inbound.source;
    this.context = context;
    this.layerState = undefined;
    this.view = undefined;
  }

  /**
   * INVITE: PRACKs for our reliable provisional responses (RFC 3262 §3), as `{req, res}`; when
   * nobody subscribes they are answered 200.
   */
  get prack$(): Observable<RequestEvent> {
    if (!this.pracks) this.pracks = new Subject<RequestEvent>();
    return this.pracks.asObservable();
  }

  /** @internal Offers a PRACK to `prack$` subscribers; false when there are none. */
  offerPrack(event: RequestEvent): boolean {
    if (!this.pracks?.observed) return false;
    this.pracks.next(event);
    return true;
  }

  /** True once the caller sent CANCEL (the stack has already answered 200 and 487, RFC 3261 §9.2). */
  get canceled(): boolean {
    return this.inbound.canceled;
  }

  /** INVITE: emits the CANCEL request when the caller cancels, then completes. */
  get cancel$(): Observable<SipRequest> {
    return this.method === 'INVITE' ? this.inbound.cancel$ : EMPTY;
  }

  /** The sender's address (drachtio-srf's name). */
  get source_address(): string {
    return this.source.address;
  }

  /** The sender's port (drachtio-srf's name). */
  get source_port(): number {
    return this.source.port;
  }

  /** The transport the request came over: udp, tcp, tls, ws or wss. */
  get protocol(): string {
    return this.source.protocol;
  }

  /** `address:port` of the listening point the request arrived on. */
  get receivedOn(): string {
    const { address, port } = this.source.local;
    return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }

  /** An INVITE outside any dialog: no To tag (RFC 3261 §12.1); one that can make a new dialog. */
  get isNewInvite(): boolean {
    return this.method === 'INVITE' && this.toTag === undefined;
  }
}
