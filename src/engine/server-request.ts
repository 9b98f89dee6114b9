import { EMPTY, type Observable } from 'rxjs';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { Protocol, Source } from '../transport/types.js';
import type { InboundRequest, RespondOptions } from './engine.js';

/** What answering a request needs of the engine: its identity, and a Contact for a protocol. */
export interface ResponderHost {
  readonly identity: { server?: string };
  contactUri(protocol: Protocol): string;
}

// Requests that establish a dialog or refresh its target carry a Contact (RFC 3261 §8.1.1.8, RFC 6665, RFC 3515).
export const NEEDS_CONTACT = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY', 'UPDATE']);

/** A request the embedded engine received, with its server transaction (none for an ACK). */
export class ServerRequest implements InboundRequest {
  constructor(
    readonly message: SipRequest,
    readonly source: Source,
    private readonly transaction: ServerTransaction | undefined,
    private readonly engine: ResponderHost,
  ) {}

  get finalSent(): boolean {
    return this.transaction?.finalSent ?? true;
  }

  get cancel$(): Observable<SipRequest> {
    return this.transaction?.cancel$ ?? EMPTY;
  }

  get canceled(): boolean {
    return this.transaction?.canceled ?? false;
  }

  get final$(): Observable<SipResponse> {
    return this.transaction?.final$ ?? EMPTY;
  }

  respond(response: SipResponse, options?: RespondOptions): boolean {
    return respondOn(
      this.transaction,
      this.engine,
      this.message.method,
      this.source.local.protocol,
      response,
      options,
    );
  }

  responder(): (response: SipResponse, options?: RespondOptions) => boolean {
    return responderOf(this.transaction, this.engine, this.message.method, this.source.local.protocol);
  }
}

// A function of what responding reads, so that a responder keeps no more than that.
function respondOn(
  transaction: ServerTransaction | undefined,
  engine: ResponderHost,
  method: string,
  protocol: Protocol,
  response: SipResponse,
  options: RespondOptions | undefined,
): boolean {
  if (!transaction) return false;
  const status = response.status;
  // RFC 3261 §20.35: Server names the software of the UAS (or proxy) answering; a response
  // relayed from downstream names the downstream's, if anything.
  const server = engine.identity.server;
  if (server && !options?.relayed && !response.has('server')) response.set('Server', server);
  if (status > 100 && status < 300 && NEEDS_CONTACT.has(method) && !response.has('contact')) {
    response.set('Contact', `<${engine.contactUri(protocol)}>`);
  }
  return transaction.respond(response);
}

function responderOf(
  transaction: ServerTransaction | undefined,
  engine: ResponderHost,
  method: string,
  protocol: Protocol,
): (response: SipResponse, options?: RespondOptions) => boolean {
  return (response, options) => respondOn(transaction, engine, method, protocol, response, options);
}
