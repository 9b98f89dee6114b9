import { EMPTY, type Observable, Subject } from 'rxjs';
import type { InboundRequest } from '../engine/engine.js';
import { SipRequest } from '../sip/message.js';
import type { Source } from '../transport/types.js';
import type { RequestEvent } from './request-router.js';

/**
 * An incoming request as handlers see it: the SIP request, where it came from, and (for an
 * INVITE) `cancel$`, which emits when the caller cancels. Field names follow drachtio-srf.
 */
export class SrfRequest extends SipRequest {
  readonly source: Source;
  /** @internal */
  readonly inbound: InboundRequest;
  /** @internal What created the request stream (the dialog layer's user agent). */
  readonly context: unknown;

  constructor(inbound: InboundRequest, context?: unknown) {
    const m = inbound.message;
    super(m.method, m.uri, m.fields, m.payload, m.version);
    this.adoptParsed(m);
    this.inbound = inbound;
    this.source = inbound.source;
    this.context = context;
  }

  private pracks: Subject<RequestEvent> | undefined;

  /**
   * INVITE: PRACKs for our reliable provisional responses (RFC 3262), as `{req, res}`; when
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

  /** INVITE: emits the CANCEL request when the caller cancels, then completes. */
  /** True once the caller sent CANCEL (the stack has already answered 200 and 487). */
  get canceled(): boolean {
    return this.inbound.canceled;
  }

  get cancel$(): Observable<SipRequest> {
    return this.method === 'INVITE' ? this.inbound.cancel$ : EMPTY;
  }

  get source_address(): string {
    return this.source.address;
  }

  get source_port(): number {
    return this.source.port;
  }

  get protocol(): string {
    return this.source.protocol;
  }

  /** `address:port` of the listening point the request arrived on. */
  get receivedOn(): string {
    const { address, port } = this.source.local;
    return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }

  /** An INVITE outside any dialog (no To tag). */
  get isNewInvite(): boolean {
    return this.method === 'INVITE' && this.toTag === undefined;
  }
}
