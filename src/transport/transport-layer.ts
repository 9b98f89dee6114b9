import type { Observable } from 'rxjs';
import type { SipParseError } from '../sip/errors.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { SipUri } from '../sip/uri.js';
import type { Endpoint, ListeningPoint, Protocol, Source, Target } from './types.js';

/** What the transport layer hands up: parsed messages, and requests it could not parse. */
export interface InboundHandler {
  /** A request, its top Via already stamped with received/rport. `size` is its length in bytes. */
  onRequest(request: SipRequest, source: Source, size: number): void;
  onResponse(response: SipResponse, source: Source): void;
  /** Bytes that are not SIP; `error.partial` is set when enough was read to answer 400. */
  onMalformed(error: SipParseError, source: Source): void;
}

/**
 * The transport layer as the transaction layer sees it (RFC 3261 §18): sending bytes to a
 * target, the listening points for Via and Contact, RFC 3263 resolution, flows closing.
 * Implemented over sockets (the embedded engine) and over a virtual network (tests).
 */
export interface TransportLayer {
  setHandler(handler: InboundHandler): void;
  /** Sends bytes; `onError` is called when they cannot be (connection refused, closed flow, ...). */
  send(data: Buffer, target: Target, onError?: (err: Error) => void): void;
  /** The listening point to write into Via/Contact for a protocol and address family. */
  localPoint(protocol: Protocol, ipv6?: boolean): ListeningPoint | undefined;
  readonly points: readonly ListeningPoint[];
  /** Protocols that can be sent on. */
  readonly protocols: readonly Protocol[];
  /** RFC 3263: ordered targets for a URI. */
  resolve(uri: SipUri): Observable<Target[]>;
  /** The peer and protocol of an open connection, or undefined when it has closed. */
  flow(flowId: string): Endpoint | undefined;
  /** Flow ids of connections as they close. */
  readonly flowClosed$: Observable<string>;
  /** Open connections by transport, counted now (for metrics); transports without connections have none. */
  connectionCounts?(): Partial<Record<Protocol, number>>;
  close(): Promise<void>;
}
