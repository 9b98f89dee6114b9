import type { Observable } from 'rxjs';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import type { ClientFailure } from '../transaction/transaction-context.js';
import type { ListeningPoint, Protocol, Source, Target } from '../transport/types.js';

/**
 * A request that reached the engine: a new request with its server transaction, or an ACK
 * for a 2xx (which has none). Retransmissions, CANCEL matching and ACKs for non-2xx finals
 * never get here: the engine answers them.
 */
export interface InboundRequest {
  readonly message: SipRequest;
  readonly source: Source;
  /**
   * Sends a response on the server transaction. Returns false when it can no longer be sent
   * (final already sent, cancelled, transaction over, or an ACK).
   */
  respond(response: SipResponse): boolean;
  /** True once a final response went out (or for an ACK). */
  readonly finalSent: boolean;
  /** INVITE: emits the CANCEL when the caller cancels (200 and 487 already sent), then completes. */
  readonly cancel$: Observable<SipRequest>;
  /** INVITE: true once a CANCEL matched it (the stack has answered 200 and 487). */
  readonly canceled: boolean;
  /** Emits the final response once sent, whoever sent it (the application, a CANCEL, a deadline), then completes; subscribed after the final, it only completes. */
  readonly final$: Observable<SipResponse>;
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

export interface SendOptions {
  /** Next hop instead of the first Route or the Request-URI (an outbound proxy URI). */
  proxy?: string;
  /** Use this connection while it is open (in-dialog requests to a peer that connected to us). */
  flowId?: string;
  /** INVITE: when this emits, CANCEL is sent with these headers (Reason, ...). */
  cancel$?: Observable<HeaderInit>;
}

/**
 * The engine boundary (docs/architecture.md): transports and transactions below, dialogs and
 * applications above. The embedded engine, the in-memory test engine and (later) a
 * drachtio-server connection all implement it.
 */
export interface Engine {
  /** New requests and ACKs for 2xx, hot. */
  readonly requests$: Observable<InboundRequest>;
  /**
   * Sends a request in a client transaction (cold: on subscribe). Emits `sent`, then each
   * response; completes after a non-2xx final, or for INVITE after the 2xx retransmission
   * window (RFC 6026 Timer M) so late 2xx can be ACKed. Unsubscribing before a final response
   * CANCELs an INVITE. Targets are resolved per RFC 3263 and tried in turn on 503, timeout or
   * transport error. A Contact is added to dialog-creating requests without one.
   */
  send(request: SipRequest, options?: SendOptions): Observable<OutboundEvent>;
  /** Sends an ACK for a 2xx (no transaction), with its own Via. */
  sendAck(ack: SipRequest, options?: SendOptions): void;
  /** A Contact URI reaching this engine over `protocol` (the listening point's advertised address). */
  contactUri(protocol?: Protocol, user?: string): string;
  readonly listeningPoints: readonly ListeningPoint[];
  /** Flow ids of connections as they close. */
  readonly flowClosed$: Observable<string>;
  close(): Promise<void>;
}
