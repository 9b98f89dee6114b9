import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { map, type Observable, of, Subject, timer } from 'rxjs';
import { bareHost, type SipUri } from '../sip/uri.js';
import { decodeMessage } from '../transport/decode.js';
import { uriProtocol } from '../transport/resolver.js';
import type { InboundHandler, TransportLayer } from '../transport/transport-layer.js';
import {
  defaultPort,
  type Endpoint,
  type ListeningPoint,
  type Protocol,
  type Target,
} from '../transport/types.js';
import type { VirtualNetwork } from './virtual-network.js';

/** The transport layer of an in-memory endpoint on a {@link VirtualNetwork}. */
export class MemoryTransportLayer implements TransportLayer {
  private handler: InboundHandler | undefined;
  private readonly unbind: Array<() => void> = [];
  private readonly closed = new Subject<string>();
  /** Flow ids of connections as they close (`closeFlow` simulates it). */
  readonly flowClosed$ = this.closed.asObservable();
  /** One listening point per protocol, at the engine's address and port. */
  readonly points: ListeningPoint[];
  /** The protocols it listens and sends on. */
  readonly protocols: Protocol[];

  /**
   * @param network - the virtual network to bind on
   * @param address - the endpoint's address
   * @param port - its port, for every protocol
   * @param protocols - the protocols to listen on
   * @param log - where undecodable packets are logged
   */
  constructor(
    private readonly network: VirtualNetwork,
    address: string,
    port: number,
    protocols: readonly Protocol[],
    private readonly log: Logger,
  ) {
    this.protocols = [...protocols];
    this.points = protocols.map((protocol) => ({
      protocol,
      address,
      port,
      advertised: { host: address, port },
    }));
    for (const point of this.points) {
      this.unbind.push(
        network.bind(point, (data, source) => {
          if (this.handler) decodeMessage(data, source, this.handler, this.log);
        }),
      );
    }
  }

  /**
   * Sets who receives the decoded messages: the transaction layer.
   *
   * @param handler - the receiver of requests and responses
   */
  setHandler(handler: InboundHandler): void {
    this.handler = handler;
  }

  /**
   * Sends bytes to a target over the virtual network, from this endpoint's point for its protocol.
   *
   * @param data - the message's bytes
   * @param target - where to
   * @param onError - told when they cannot go (no such listening point, connection refused)
   */
  send(data: Buffer, target: Target, onError?: (err: Error) => void): void {
    const point = this.localPoint(target.protocol);
    if (!point || point.protocol !== target.protocol) {
      onError?.(new Error(`no ${target.protocol} listening point`));
      return;
    }
    this.network.send(point, target, data, onError);
  }

  /**
   * The listening point to write into Via and Contact for a protocol.
   *
   * @param protocol - the protocol
   * @returns its point, or the first one when there is none for it
   */
  localPoint(protocol: Protocol): ListeningPoint | undefined {
    return this.points.find((p) => p.protocol === protocol) ?? this.points[0];
  }

  /**
   * The peer of a virtual connection.
   *
   * @param flowId - a flow id, as the network makes it
   * @returns the peer's protocol, address and port, or `undefined` for an id it cannot read
   */
  flow(flowId: string): Endpoint | undefined {
    const match = /^mem-([a-z]+)\|/.exec(flowId);
    if (!match) return undefined;
    const protocol = match[1] as Protocol;
    const me = this.localPoint(protocol);
    const peers = flowId.split('|').slice(1);
    const other = peers.find((p) => me && p !== `${me.address}:${me.port}`) ?? peers[0];
    const m = other ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(other) : null;
    return m ? { protocol, address: m[1] ?? '', port: Number(m[2]) } : undefined;
  }

  /**
   * RFC 3263 without DNS: the targets of a URI, host names looked up in the network's `hosts`.
   *
   * @param uri - the next hop's URI
   * @returns the targets, after the network's `dnsLatency`; none for an unknown name
   */
  resolve(uri: SipUri): Observable<Target[]> {
    const host = bareHost(uri.params.maddr ?? uri.host);
    // RFC 3263 without DNS: the transport as the socket resolver would choose it.
    const protocol = uriProtocol(uri, this.protocols);
    if (!protocol) return of([]);
    // A name the network does not know resolves to nothing, as NXDOMAIN would.
    const addresses = this.network.hosts.get(host.toLowerCase()) ?? (isIP(host) ? [host] : []);
    const targets = addresses.map((address) => ({
      protocol,
      address,
      port: uri.port ?? defaultPort(protocol),
    }));
    const latency = this.network.conditions.dnsLatency ?? 0;
    return latency > 0 ? timer(latency, this.network.scheduler).pipe(map(() => targets)) : of(targets);
  }

  /**
   * Simulates the peer closing a connection.
   *
   * @param flowId - the connection's flow id
   */
  closeFlow(flowId: string): void {
    this.closed.next(flowId);
  }

  /**
   * Unbinds every listening point and completes `flowClosed$`.
   *
   * @returns a promise that resolves at once
   */
  async close(): Promise<void> {
    for (const unbind of this.unbind) unbind();
    this.closed.complete();
  }
}
