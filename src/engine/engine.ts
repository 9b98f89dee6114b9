import type { Observable } from 'rxjs';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import type { ClientFailure } from '../transaction/transaction-context.js';
import type {
  ResponseClass,
  TransactionCount,
  TransactionMethod,
  TransactionSide,
} from '../transaction/transaction-stats.js';
import type { ListeningPoint, Protocol, Source, Target } from '../transport/types.js';

/**
 * A request that reached the engine: a new request with its server transaction, or an ACK
 * for a 2xx (which has none). Retransmissions, CANCEL matching and ACKs for non-2xx finals
 * never get here: the engine answers them.
 */
export interface InboundRequest {
  /** The request as received, Via stamped with `received` and `rport` (RFC 3261 §18.2.1, RFC 3581). */
  readonly message: SipRequest;
  /** Where it came from: the peer's address, our listening point, and the connection it arrived on. */
  readonly source: Source;
  /**
   * Sends a response on the server transaction. Returns false when it can no longer be sent
   * (final already sent, cancelled, transaction over, or an ACK).
   *
   * @param response - a response to `message`, e.g. from `createResponse(message, 180)`
   * @param options - `relayed` for a response a proxy passes on from downstream
   * @returns `true` when the transaction took the response, `false` when it can no longer send one
   */
  respond(response: SipResponse, options?: RespondOptions): boolean;
  /**
   * `respond` as a function that keeps the server transaction and nothing else of this request
   * (its message, its source): what a proxy holds to relay a branch's later 2xx for RFC 6026's
   * 32 s (the `later2xx` option of `Engine.send`), in place of the request.
   *
   * @returns a function that sends a response as `respond` does
   */
  responder(): (response: SipResponse, options?: RespondOptions) => boolean;
  /** True once a final response went out (or for an ACK). */
  readonly finalSent: boolean;
  /** INVITE: emits the CANCEL when the caller cancels (200 and 487 already sent), then completes. */
  readonly cancel$: Observable<SipRequest>;
  /** INVITE: true once a CANCEL matched it (the stack has answered 200 and 487). */
  readonly canceled: boolean;
  /** Emits the final response once sent, whoever sent it (the application, a CANCEL, a deadline), then completes; subscribed after the final, it only completes. */
  readonly final$: Observable<SipResponse>;
}

/** How a response is sent with {@link InboundRequest.respond}. */
export interface RespondOptions {
  /**
   * The response is a downstream element's, passed on by a proxy (RFC 3261 §16.7): the engine
   * adds nothing of its own identity (no `Server`).
   */
  relayed?: boolean;
}

/** What happens to a request sent with {@link Engine.send}. */
export type OutboundEvent =
  /** The request left, with our Via, towards `target` (again after each failover). */
  | { kind: 'sent'; request: SipRequest; target: Target }
  /**
   * A response. A `failure` marks a response the engine made itself because none came:
   * 408 after Timer B/F, 503 for a transport error or an unresolvable target.
   */
  | { kind: 'response'; response: SipResponse; failure?: ClientFailure | 'unresolvable' };

/** How {@link Engine.send} and {@link Engine.sendAck} route a request. */
export interface SendOptions {
  /** Next hop instead of the first Route or the Request-URI (an outbound proxy URI). */
  proxy?: string;
  /** Use this connection while it is open (in-dialog requests to a peer that connected to us). */
  flowId?: string;
  /** INVITE: when this emits, CANCEL is sent with these headers (Reason, ...). */
  cancel$?: Observable<HeaderInit>;
  /**
   * INVITE: takes the 2xx responses that follow the first one — retransmissions (the ACK was
   * lost) and other forks' answers — while RFC 6026 §7.2's Accepted state lasts (Timer M,
   * 32 s). Given, the events complete at the first 2xx, and this function is all the engine
   * keeps of the sender for those 32 s: make it close over no more than re-ACKing or relaying
   * needs. Without it, those 2xx are emitted and the events complete at Timer M. Unsubscribing
   * before the first 2xx drops it too. An engine whose server answers retransmitted 2xx itself
   * (a drachtio-server) never calls it.
   */
  later2xx?: (response: SipResponse) => void;
}

/**
 * A dialog the engine can no longer carry: the drachtio-server connection it was on is gone.
 * The dialog layer ends it with `reason` (its `ended$` says so).
 */
export interface LostDialog {
  /** The dialog's Call-ID. */
  callId: string;
  /** Our tag. */
  localTag: string;
  /** The peer's tag. */
  remoteTag: string;
  /** Why: `drachtio-server connection lost: <what happened>`. */
  reason: string;
}

/**
 * What an engine over the RFC 3261 transaction layer counts, for metrics: counters since it
 * started, and its transactions and connections counted at the moment of the call.
 */
export interface EngineStats {
  /** Live transactions by side (client, server), method (INVITE, non-INVITE) and state. */
  transactions: TransactionCount[];
  /** Transactions created since the engine started, by side and method. */
  transactionsCreated: { side: TransactionSide; method: TransactionMethod; count: number }[];
  /** Responses sent, by class; each once (its retransmissions are in `retransmissions`). */
  responsesSent: Record<ResponseClass, number>;
  /** Responses received from the network, by class (retransmitted ones included). */
  responsesReceived: Record<ResponseClass, number>;
  /** Requests and responses sent again by the transactions (RFC 3261 §17 timers, repeats). */
  retransmissions: { requests: number; responses: number };
  /** Open connections by transport (TCP, TLS, WS, WSS); UDP has none. */
  connections: Partial<Record<Protocol, number>>;
}

/**
 * The engine boundary (docs/architecture.md): transports and transactions below, dialogs and
 * applications above. The embedded engine, the in-memory test engine and the drachtio engine
 * (rxsip attached to drachtio-servers) all implement it.
 */
export interface Engine {
  /** New requests and ACKs for 2xx, hot. */
  readonly requests$: Observable<InboundRequest>;
  /**
   * Sends a request in a client transaction (cold: on subscribe). Emits `sent`, then each
   * response; completes after a non-2xx final, or for INVITE at the first 2xx when
   * `options.later2xx` takes the later ones, else after the 2xx retransmission window (RFC 6026
   * Timer M) so late 2xx can be ACKed. Unsubscribing before a final response
   * CANCELs an INVITE. Targets are resolved per RFC 3263 and tried in turn on 503, timeout or
   * transport error. A Contact is added to dialog-creating requests without one.
   *
   * @param request - the request to send; the engine adds Via (and Contact where needed)
   * @param options - an outbound proxy, a connection to use, and for INVITE when to CANCEL
   * @returns a cold Observable of `sent` and each response
   */
  send(request: SipRequest, options?: SendOptions): Observable<OutboundEvent>;
  /**
   * Sends an ACK for a 2xx (no transaction: RFC 3261 §13.2.2.4), with its own Via.
   *
   * @param ack - the ACK, built by the dialog with the INVITE's CSeq number
   * @param options - next hop or connection, as for `send`
   */
  sendAck(ack: SipRequest, options?: SendOptions): void;
  /**
   * A Contact URI reaching this engine over `protocol` (the listening point's advertised address).
   *
   * @param protocol - the transport the peer should use; UDP when omitted
   * @param user - the user part, e.g. the AOR's user for a REGISTER's Contact
   * @returns the URI, with `transport=` for protocols other than UDP
   */
  contactUri(protocol?: Protocol, user?: string): string;
  /** The listening points, open, with the addresses they advertise. */
  readonly listeningPoints: readonly ListeningPoint[];
  /** Flow ids of connections as they close. */
  readonly flowClosed$: Observable<string>;
  /**
   * Dialogs the engine can no longer carry (the drachtio engine, when a server connection is
   * lost); the layer above ends each with its reason. Engines over sockets have none.
   */
  readonly dialogLost$?: Observable<LostDialog>;
  /**
   * Counters and tables for metrics (the embedded and in-memory engines; a drachtio-server's
   * transactions are its own, so that engine has none).
   *
   * @returns the counters since start, and the transactions and connections now
   */
  stats?(): EngineStats;
  /**
   * Stops the engine: ends every transaction and its timers, completes `requests$`, and closes
   * the listening points and connections.
   *
   * @returns a promise that resolves once the sockets are closed
   */
  close(): Promise<void>;
}
