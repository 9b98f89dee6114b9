import { EMPTY, type Observable, of, Subject } from 'rxjs';
import { readSentValues, type SipMeta } from '../../drachtio-wire/sip-meta.js';
import { createResponse } from '../../sip/build.js';
import type { SipRequest, SipResponse } from '../../sip/message.js';
import { PROTOCOLS, type Protocol, type Source } from '../../transport/types.js';
import type { InboundRequest } from '../engine.js';
import type { ServerLink } from './server-link.js';

/** What an inbound request tells the engine about its responses. */
export interface InboundEvents {
  /** The server answered a response with the dialog id it belongs to. */
  answered(request: SipRequest, response: SipResponse, dialogId: string, link: ServerLink): void;
  /** The request is done with (final response, cancelled, or its connection lost). */
  done(inbound: DrachtioInbound): void;
}

/**
 * A request a drachtio-server handed over, as the engine boundary has it: responses go back as
 * `sip|<txnId>|` messages, the server's CANCEL marks it cancelled (the server has answered 200
 * and 487, as the embedded engine does), and an ACK has no transaction.
 */
export class DrachtioInbound implements InboundRequest {
  private finals: Subject<SipResponse> | undefined;
  private cancels: Subject<SipRequest> | undefined;
  private cancelRequest: SipRequest | undefined;
  private ended = false;

  /**
   * @param txnId - the server's transaction id; empty for an ACK
   */
  constructor(
    readonly message: SipRequest,
    readonly source: Source,
    readonly link: ServerLink,
    readonly txnId: string,
    private readonly events: InboundEvents,
  ) {
    this.ended = message.method === 'ACK';
  }

  get finalSent(): boolean {
    return this.ended;
  }

  /**
   * `respond` as a function (see `InboundRequest.responder`). It keeps this request: the
   * drachtio-server relays a branch's later 2xx itself, so nothing holds it long.
   *
   * @returns a function that sends a response as `respond` does
   */
  responder(): (response: SipResponse) => boolean {
    return (response) => this.respond(response);
  }

  get canceled(): boolean {
    return this.cancelRequest !== undefined;
  }

  get cancel$(): Observable<SipRequest> {
    if (this.cancelRequest) return of(this.cancelRequest);
    if (this.ended) return EMPTY;
    this.cancels ??= new Subject<SipRequest>();
    return this.cancels.asObservable();
  }

  get final$(): Observable<SipResponse> {
    if (this.ended) return EMPTY;
    this.finals ??= new Subject<SipResponse>();
    return this.finals.asObservable();
  }

  respond(response: SipResponse): boolean {
    if (this.ended || this.link.wire.closed) return false;
    const final = response.status >= 200;
    const sent = this.link.wire.request('sip', [this.txnId, ''], response.toString(), (reply) => {
      if (reply.status === 'OK') {
        const { dialogId } = readSentValues(reply.values);
        if (dialogId) this.events.answered(this.message, response, dialogId, this.link);
      }
      return false;
    });
    if (sent === undefined) return false;
    if (final) this.finish(response);
    return true;
  }

  /** The caller cancelled: the server has answered the CANCEL 200 and the INVITE 487. */
  cancel(cancel: SipRequest): void {
    if (this.ended) return;
    this.cancelRequest = cancel;
    this.cancels?.next(cancel);
    this.cancels?.complete();
    this.finish(createResponse(this.message, 487));
  }

  /** The connection is gone: no response can be sent any more. */
  lose(): void {
    if (this.ended) return;
    this.ended = true;
    this.cancels?.complete();
    this.finals?.complete();
    this.events.done(this);
  }

  private finish(response: SipResponse): void {
    this.ended = true;
    this.finals?.next(response);
    this.finals?.complete();
    this.cancels?.complete();
    this.events.done(this);
  }
}

function protocolOf(text: string): Protocol {
  return (PROTOCOLS as readonly string[]).includes(text) ? (text as Protocol) : 'udp';
}

/**
 * Where a request the server passes on came from, as the engine boundary says it: the peer's
 * address and transport, the server's listening point it arrived on, and the connection as flow.
 *
 * @param meta - the server's leader for the message
 * @param flowId - the connection's flow id
 * @returns the source
 */
export function sourceOf(meta: SipMeta, flowId: string): Source {
  const protocol = protocolOf(meta.protocol);
  return {
    protocol,
    address: meta.address,
    port: meta.port,
    local: { protocol, address: meta.destAddress ?? '', port: meta.destPort ?? 0 },
    flowId,
  };
}
