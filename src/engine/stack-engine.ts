import type { Logger } from 'pino';
import {
  EMPTY,
  Observable,
  of,
  type SchedulerLike,
  Subject,
  type Subscriber,
  type Subscription,
  type TeardownLogic,
} from 'rxjs';
import { createResponse } from '../sip/build.js';
import type { RequestPolicy } from '../sip/check-request.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { TransactionTimers } from '../transaction/timer-config.js';
import {
  type ClientHandle,
  TransactionLayer,
  type TransactionLimits,
  type TransactionUser,
} from '../transaction/transaction-layer.js';
import { RESPONSE_CLASSES, type ResponseClass } from '../transaction/transaction-stats.js';
import type { TransportLayer } from '../transport/transport-layer.js';
import {
  hostPort,
  type ListeningPoint,
  type Protocol,
  type Source,
  type Target,
} from '../transport/types.js';
import type { Engine, EngineStats, InboundRequest, OutboundEvent, SendOptions } from './engine.js';
import { nextHop } from './next-hop.js';
import { NEEDS_CONTACT, ServerRequest } from './server-request.js';

export interface StackEngineOptions {
  timers: TransactionTimers;
  limits: TransactionLimits;
  policy: RequestPolicy;
  scheduler: SchedulerLike;
  logger: Logger;
  /** The User-Agent of the requests this engine's user makes (RFC 3261 §20.41). */
  userAgent?: string;
  /** The Server of the responses this engine's user sends (RFC 3261 §20.35). */
  server?: string;
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
  /** New requests and ACKs for 2xx, hot (see `Engine.requests$`). */
  readonly requests$ = this.inbound.asObservable();
  /** The RFC 3261 §17 transaction layer the engine runs on: plumbing, for tests and diagnostics. */
  readonly layer: TransactionLayer;
  /** The engine's logger. */
  protected readonly log: Logger;

  /**
   * @param transport - the transport layer: sockets, or the virtual network
   * @param options - timers, limits, policy, scheduler and logger of the transaction layer
   */
  constructor(
    /** The transport layer the engine sends and receives through. */
    protected readonly transport: TransportLayer,
    /** What the engine was made with. */
    protected readonly options: StackEngineOptions,
  ) {
    this.log = options.logger;
    this.layer = new TransactionLayer(transport, this, options);
  }

  /** @internal The User-Agent and Server this engine adds to what it sends (`userAgent`, `server`). */
  get identity(): { userAgent?: string; server?: string } {
    return { userAgent: this.options.userAgent, server: this.options.server };
  }

  // RFC 3261 §20.41: User-Agent names the software of the UAC. A request given without a Via
  // is one rxsip makes; one with Vias is being forwarded (a proxy's) and keeps what it carries.
  private stampUserAgent(request: SipRequest): void {
    const userAgent = this.options.userAgent;
    if (userAgent && !request.has('via') && !request.has('user-agent')) request.set('User-Agent', userAgent);
  }

  /** The listening points, open, with the addresses they advertise. */
  get listeningPoints(): readonly ListeningPoint[] {
    return this.transport.points;
  }

  /** Flow ids of connections as they close. */
  get flowClosed$(): Observable<string> {
    return this.transport.flowClosed$;
  }

  /**
   * Counters and tables for metrics (see `Engine.stats`): read on each scrape, never on the
   * hot path, where only plain counters are incremented.
   *
   * @returns the counters since start, and the transactions and connections now
   */
  stats(): EngineStats {
    const { stats } = this.layer;
    const byClass = (counts: Float64Array) =>
      Object.fromEntries(RESPONSE_CLASSES.map((c, i) => [c, counts[i + 1] ?? 0])) as Record<
        ResponseClass,
        number
      >;
    const [clientInvite, clientOther, serverInvite, serverOther] = stats.created;
    return {
      transactions: this.layer.census(),
      transactionsCreated: [
        { side: 'client', method: 'INVITE', count: clientInvite ?? 0 },
        { side: 'client', method: 'non-INVITE', count: clientOther ?? 0 },
        { side: 'server', method: 'INVITE', count: serverInvite ?? 0 },
        { side: 'server', method: 'non-INVITE', count: serverOther ?? 0 },
      ],
      responsesSent: byClass(stats.responsesSent),
      responsesReceived: byClass(stats.responsesReceived),
      retransmissions: { requests: stats.requestRetransmissions, responses: stats.responseRetransmissions },
      connections: this.transport.connectionCounts?.() ?? {},
    };
  }

  /**
   * The transaction layer's callback for a new request and its server transaction: emits it on
   * `requests$`. Plumbing, not for applications.
   *
   * @param request - the request
   * @param transaction - its server transaction
   * @param source - where it came from
   */
  onRequest(request: SipRequest, transaction: ServerTransaction, source: Source): void {
    this.inbound.next(new ServerRequest(request, source, transaction, this));
  }

  /**
   * The transaction layer's callback for an ACK to a 2xx, which has no transaction (RFC 3261
   * §17.2.1): emits it on `requests$`. Plumbing, not for applications.
   *
   * @param ack - the ACK
   * @param source - where it came from
   */
  onAck(ack: SipRequest, source: Source): void {
    this.inbound.next(new ServerRequest(ack, source, undefined, this));
  }

  /**
   * The transaction layer's callback for a response that matches no transaction (RFC 3261
   * §18.1.2): logged at debug level and dropped. Plumbing, not for applications.
   *
   * @param response - the response
   * @param source - where it came from
   */
  onStrayResponse(response: SipResponse, source: Source): void {
    this.log.debug(
      { status: response.status, callId: response.get('call-id'), source },
      'response matches no transaction',
    );
  }

  /**
   * A Contact URI reaching this engine over `protocol` (see `Engine.contactUri`).
   *
   * @param protocol - the transport the peer should use; UDP when omitted
   * @param user - the user part
   * @returns the URI, with `transport=` for protocols other than UDP
   */
  contactUri(protocol: Protocol = 'udp', user?: string): string {
    const point = this.transport.localPoint(protocol);
    const host = point ? hostPort(point.advertised.host, point.advertised.port) : '127.0.0.1';
    const transport = point && point.protocol !== 'udp' ? `;transport=${point.protocol}` : '';
    return `sip:${user ? `${user}@` : ''}${host}${transport}`;
  }

  private targetsFor(request: SipRequest, options: SendOptions | undefined): Observable<Target[]> {
    const flow = options?.flowId !== undefined ? this.transport.flow(options.flowId) : undefined;
    if (flow && options?.flowId !== undefined)
      return of([Object.assign({}, flow, { flowId: options.flowId })]);
    const hop = nextHop(request, options?.proxy);
    return hop ? this.transport.resolve(hop) : (EMPTY as Observable<Target[]>);
  }

  /**
   * Sends a request in a client transaction, cold (see `Engine.send`).
   *
   * @param request - the request; the engine adds Via (and Contact where needed)
   * @param options - an outbound proxy, a connection to use, and for INVITE when to CANCEL
   * @returns `sent`, then each response
   */
  send(request: SipRequest, options?: SendOptions): Observable<OutboundEvent> {
    return new Observable<OutboundEvent>((subscriber) => this.sendNow(subscriber, request, options));
  }

  // One subscription of `send`. A client transaction lets go of these callbacks at its final
  // response, or at an INVITE's first 2xx when `later2xx` was given; without it an INVITE's are
  // kept through RFC 6026's Timer M. So what they reach is let go as soon as it is no longer
  // needed: the request once a final response came, the subscriber once complete (a completed
  // subscriber still reaches everything downstream through its operators' closures).
  private sendNow(
    subscriber: Subscriber<OutboundEvent>,
    given: SipRequest,
    givenOptions: SendOptions | undefined,
  ): TeardownLogic {
    let sink: Subscriber<OutboundEvent> | undefined = subscriber;
    let request: SipRequest | undefined = given;
    let options: SendOptions | undefined = givenOptions;
    const isInvite = given.method === 'INVITE';
    // INVITE: with it, the events complete at the first 2xx and the transaction keeps only it.
    // Dropped when the subscriber goes before the answer: nothing is passed on for it then.
    let later2xx = isInvite ? givenOptions?.later2xx : undefined;
    const done = () => {
      const s = sink;
      sink = undefined;
      request = undefined;
      options = undefined;
      s?.complete();
    };
    const settled = () => {
      finalSeen = true;
      request = undefined;
      options = undefined;
      // Nothing left to resolve or cancel: the subscriptions (and what they reach) go now.
      for (const s of subscriptions) s.unsubscribe();
      subscriptions.length = 0;
    };
    this.stampUserAgent(given);
    let handle: ClientHandle | undefined;
    // Once the user cancels or unsubscribes, no other target is tried (and a CANCEL asked
    // for before the request left is sent once it has).
    let cancel: { headers: HeaderInit | undefined } | undefined;
    let finalSeen = false;
    let resolved = false;
    let attempts = 0;
    const subscriptions: Subscription[] = [];
    const fail = (failure: 'unresolvable') => {
      const req = request;
      if (!req) return;
      const proxy = options?.proxy;
      settled();
      const hop = nextHop(req, proxy);
      const host = hop ? hop.host : (proxy ?? req.uri);
      // A 503 the stack makes itself says why, and names what could not be reached.
      const reason = hop
        ? `No Route To Destination (${host} resolves to no address)`
        : `No Route To Destination (${host} is not a SIP URI)`;
      this.log.warn({ method: req.method, host, callId: req.get('call-id') }, 'no route: answering 503');
      sink?.next({ kind: 'response', response: createResponse(req, 503, { reason }), failure });
      done();
    };
    const attempt = (targets: Target[], index: number): void => {
      const target = targets[index];
      const req = request;
      if (!target || !req) return;
      if (index > 0) req.removeFirstValue('via');
      if (NEEDS_CONTACT.has(req.method) && !req.has('contact'))
        req.set('Contact', `<${this.contactUri(target.protocol)}>`);
      const attemptNo = ++attempts;
      const current = () => attemptNo === attempts;
      handle = this.layer.sendRequest(req, target, {
        onResponse: (response) => {
          if (!current()) return;
          // RFC 3263 §4.3: a 503 sends the request to the next target.
          if (response.status === 503 && failover(targets, index)) return;
          const event: OutboundEvent = { kind: 'response', response };
          if (response.status >= 200) settled();
          sink?.next(event);
          if (isFinal(event) && (!isInvite || response.status >= 300 || later2xx)) done();
        },
        onFailure: (failure, response) => {
          if (!current() || failover(targets, index)) return;
          settled();
          sink?.next({ kind: 'response', response, failure });
          done();
        },
        onTerminated: () => {
          if (finalSeen && current()) done();
        },
        // Read once, at the first 2xx.
        get later2xx() {
          return later2xx;
        },
      });
      sink?.next({ kind: 'sent', request: req, target });
      if (cancel) handle.cancel(cancel.headers);
    };
    const failover = (targets: Target[], index: number): boolean => {
      if (finalSeen || cancel || !sink || sink.closed || index + 1 >= targets.length) return false;
      attempt(targets, index + 1);
      return true;
    };
    subscriptions.push(
      this.targetsFor(given, givenOptions).subscribe({
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
    if (givenOptions?.cancel$) {
      subscriptions.push(
        givenOptions.cancel$.subscribe((headers) => {
          cancel ??= { headers };
          handle?.cancel(headers);
        }),
      );
    }
    return () => {
      for (const s of subscriptions) s.unsubscribe();
      subscriptions.length = 0;
      if (!finalSeen && isInvite) {
        later2xx = undefined;
        handle?.cancel();
      }
    };
  }

  /**
   * Sends an ACK for a 2xx, outside any transaction (see `Engine.sendAck`).
   *
   * @param ack - the ACK
   * @param options - next hop or connection
   */
  sendAck(ack: SipRequest, options?: SendOptions): void {
    this.stampUserAgent(ack);
    this.targetsFor(ack, options).subscribe((targets) => {
      const target = targets[0];
      if (target) this.layer.sendAck(ack, target);
      else this.log.warn({ callId: ack.get('call-id') }, 'no route for an ACK');
    });
  }

  /**
   * Stops the engine: every transaction, `requests$`, the listening points and connections.
   *
   * @returns a promise that resolves once the transport has closed
   */
  async close(): Promise<void> {
    this.layer.close();
    this.inbound.complete();
    await this.transport.close();
  }
}
