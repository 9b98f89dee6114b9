import type { Logger } from 'pino';
import { EMPTY, Observable, of, type SchedulerLike, Subject, type Subscription } from 'rxjs';
import { createResponse } from '../sip/build.js';
import type { RequestPolicy } from '../sip/check-request.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import { isSipUri, parseUri, type SipUri } from '../sip/uri.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { TransactionTimers } from '../transaction/timer-config.js';
import {
  type ClientHandle,
  TransactionLayer,
  type TransactionLimits,
  type TransactionUser,
} from '../transaction/transaction-layer.js';
import type { TransportLayer } from '../transport/transport-layer.js';
import {
  hostPort,
  type ListeningPoint,
  type Protocol,
  type Source,
  type Target,
} from '../transport/types.js';
import type { Engine, InboundRequest, OutboundEvent, SendOptions } from './engine.js';

export interface StackEngineOptions {
  timers: TransactionTimers;
  limits: TransactionLimits;
  policy: RequestPolicy;
  scheduler: SchedulerLike;
  logger: Logger;
}

// Requests that establish a dialog or refresh its target carry a Contact (RFC 3261 §8.1.1.8, RFC 6665, RFC 3515).
const NEEDS_CONTACT = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY', 'UPDATE']);

class ServerRequest implements InboundRequest {
  constructor(
    readonly message: SipRequest,
    readonly source: Source,
    private readonly transaction: ServerTransaction | undefined,
    private readonly engine: StackEngine,
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

  respond(response: SipResponse): boolean {
    if (!this.transaction) return false;
    const status = response.status;
    if (status > 100 && status < 300 && NEEDS_CONTACT.has(this.message.method) && !response.has('contact')) {
      response.set('Contact', `<${this.engine.contactUri(this.source.local.protocol)}>`);
    }
    return this.transaction.respond(response);
  }
}

function isFinal(event: OutboundEvent): boolean {
  return event.kind === 'response' && event.response.status >= 200;
}

/**
 * The engine over the RFC 3261 transaction layer and any {@link TransportLayer}: sockets for
 * the embedded engine, a virtual network for the in-memory test engine.
 */
export class StackEngine implements Engine, TransactionUser {
  private readonly inbound = new Subject<InboundRequest>();
  readonly requests$ = this.inbound.asObservable();
  readonly layer: TransactionLayer;
  protected readonly log: Logger;

  constructor(
    protected readonly transport: TransportLayer,
    protected readonly options: StackEngineOptions,
  ) {
    this.log = options.logger;
    this.layer = new TransactionLayer(transport, this, options);
  }

  get listeningPoints(): readonly ListeningPoint[] {
    return this.transport.points;
  }

  get flowClosed$(): Observable<string> {
    return this.transport.flowClosed$;
  }

  onRequest(request: SipRequest, transaction: ServerTransaction, source: Source): void {
    this.inbound.next(new ServerRequest(request, source, transaction, this));
  }

  onAck(ack: SipRequest, source: Source): void {
    this.inbound.next(new ServerRequest(ack, source, undefined, this));
  }

  onStrayResponse(response: SipResponse, source: Source): void {
    this.log.debug(
      { status: response.status, callId: response.get('call-id'), source },
      'response matches no transaction',
    );
  }

  contactUri(protocol: Protocol = 'udp', user?: string): string {
    const point = this.transport.localPoint(protocol);
    const host = point ? hostPort(point.advertised.host, point.advertised.port) : '127.0.0.1';
    const transport = point && point.protocol !== 'udp' ? `;transport=${point.protocol}` : '';
    return `sip:${user ? `${user}@` : ''}${host}${transport}`;
  }

  private nextHop(request: SipRequest, proxy: string | undefined): SipUri | undefined {
    let text = proxy ?? request.getParsedHeader('route')?.[0]?.uri ?? request.uri;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(text) || /^[^:]+:\d+$/.test(text)) text = `sip:${text}`;
    try {
      const uri = parseUri(text);
      return isSipUri(uri) ? uri : undefined;
    } catch {
      return undefined;
    }
  }

  private targetsFor(request: SipRequest, options: SendOptions | undefined): Observable<Target[]> {
    const flow = options?.flowId !== undefined ? this.transport.flow(options.flowId) : undefined;
    if (flow && options?.flowId !== undefined) return of([{ ...flow, flowId: options.flowId }]);
    const hop = this.nextHop(request, options?.proxy);
    return hop ? this.transport.resolve(hop) : (EMPTY as Observable<Target[]>);
  }

  send(request: SipRequest, options?: SendOptions): Observable<OutboundEvent> {
    return new Observable<OutboundEvent>((subscriber) => {
      let handle: ClientHandle | undefined;
      // Once the user cancels or unsubscribes, no other target is tried (and a CANCEL asked
      // for before the request left is sent once it has).
      let cancel: { headers: HeaderInit | undefined } | undefined;
      let finalSeen = false;
      let resolved = false;
      let attempts = 0;
      const subscriptions: Subscription[] = [];
      const fail = (failure: 'unresolvable') => {
        finalSeen = true;
        const hop = this.nextHop(request, options?.proxy);
        const host = hop ? hop.host : (options?.proxy ?? request.uri);
        // A 503 the stack makes itself says why, and names what could not be reached.
        const reason = hop
          ? `No Route To Destination (${host} resolves to no address)`
          : `No Route To Destination (${host} is not a SIP URI)`;
        this.log.warn(
          { method: request.method, host, callId: request.get('call-id') },
          'no route: answering 503',
        );
        subscriber.next({
          kind: 'response',
          response: createResponse(request, 503, { reason }),
          failure,
        });
        subscriber.complete();
      };
      const attempt = (targets: Target[], index: number): void => {
        const target = targets[index];
        if (!target) return;
        if (index > 0) request.removeFirstValue('via');
        if (NEEDS_CONTACT.has(request.method) && !request.has('contact'))
          request.set('Contact', `<${this.contactUri(target.protocol)}>`);
        const attemptNo = ++attempts;
        const current = () => attemptNo === attempts;
        handle = this.layer.sendRequest(request, target, {
          onResponse: (response) => {
            if (!current()) return;
            // RFC 3263 §4.3: a 503 sends the request to the next target.
            if (response.status === 503 && failover(targets, index)) return;
            const event: OutboundEvent = { kind: 'response', response };
            if (response.status >= 200) finalSeen = true;
            subscriber.next(event);
            if (isFinal(event) && (request.method !== 'INVITE' || response.status >= 300))
              subscriber.complete();
          },
          onFailure: (failure, response) => {
            if (!current() || failover(targets, index)) return;
            finalSeen = true;
            subscriber.next({ kind: 'response', response, failure });
            subscriber.complete();
          },
          onTerminated: () => {
            if (finalSeen && current()) subscriber.complete();
          },
        });
        subscriber.next({ kind: 'sent', request, target });
        if (cancel) handle.cancel(cancel.headers);
      };
      const failover = (targets: Target[], index: number): boolean => {
        if (finalSeen || cancel || subscriber.closed || index + 1 >= targets.length) return false;
        attempt(targets, index + 1);
        return true;
      };
      subscriptions.push(
        this.targetsFor(request, options).subscribe({
          next: (targets) => {
            resolved = true;
            if (targets.length === 0) fail('unresolvable');
            else attempt(targets, 0);
          },
          complete: () => {
            if (!resolved) fail('unresolvable');
          },
        }),
      );
      if (options?.cancel$) {
        subscriptions.push(
          options.cancel$.subscribe((headers) => {
            cancel ??= { headers };
            handle?.cancel(headers);
          }),
        );
      }
      return () => {
        for (const s of subscriptions) s.unsubscribe();
        if (!finalSeen && request.method === 'INVITE') handle?.cancel();
      };
    });
  }

  sendAck(ack: SipRequest, options?: SendOptions): void {
    this.targetsFor(ack, options).subscribe((targets) => {
      const target = targets[0];
      if (target) this.layer.sendAck(ack, target);
      else this.log.warn({ callId: ack.get('call-id') }, 'no route for an ACK');
    });
  }

  async close(): Promise<void> {
    this.layer.close();
    this.inbound.complete();
    await this.transport.close();
  }
}
