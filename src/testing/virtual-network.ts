import type { SchedulerLike } from 'rxjs';
import type { Endpoint, Protocol, Source } from '../transport/types.js';

/** A message as it crossed the virtual network, for assertions on the wire. */
export interface WirePacket {
  /** Virtual time it was sent (ms). */
  time: number;
  /** The transport it went over. */
  protocol: Protocol;
  /** The sender, `address:port` (IPv6 in brackets). */
  from: string;
  /** The destination, `address:port` (IPv6 in brackets). */
  to: string;
  /** The message's bytes as sent. */
  data: Buffer;
  /** Whether the network dropped it (see {@link NetworkConditions.drop}). */
  dropped: boolean;
}

/** How the virtual network behaves: delay, loss, DNS time. */
export interface NetworkConditions {
  /** One-way delay in ms (default 1). */
  latency?: number;
  /** Return true to lose a packet (UDP only; stream protocols are reliable). */
  drop?: (packet: WirePacket) => boolean;
  /** How long resolving a host name takes, in ms (default 0: at once). */
  dnsLatency?: number;
}

type Receiver = (data: Buffer, source: Source) => void;

function key(protocol: Protocol, address: string, port: number): string {
  return `${protocol}|${address}|${port}`;
}

export function addressOf(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/**
 * A network of in-memory endpoints driven by an RxJS scheduler: with a `TestScheduler`,
 * retransmission and timeout tests run in virtual time. Every packet is recorded in
 * {@link VirtualNetwork.packets}; `drop` simulates loss. Stream protocols get a flow per
 * endpoint pair.
 *
 * @example
 * ```ts
 * import { Srf } from 'rxsip';
 * import { MemoryEngine, VirtualNetwork } from 'rxsip/testing';
 * import { TestScheduler } from 'rxjs/testing';
 *
 * const scheduler = new TestScheduler(() => undefined);
 * // Every INVITE lost the first time it is sent: Timer A's retransmission gets through.
 * const network = new VirtualNetwork(scheduler, {
 *   latency: 5,
 *   drop: (p) => p.data.toString().startsWith('INVITE') && !network.packets.some((q) => q !== p && q.data.equals(p.data)),
 * });
 * const srf = new Srf({ scheduler }).attach(new MemoryEngine(network, { address: '10.0.0.2' }));
 * ```
 */
export class VirtualNetwork {
  /** Every packet sent, dropped ones included, in order: what a test asserts on the wire. */
  readonly packets: WirePacket[] = [];
  private readonly receivers = new Map<string, Receiver>();
  /** Host name → addresses, for RFC 3263 resolution without real DNS. */
  readonly hosts = new Map<string, string[]>();

  /**
   * @param scheduler - the clock deliveries run on: a `TestScheduler` for virtual time
   * @param conditions - latency, loss and DNS delay; 1 ms each way and no loss when omitted
   */
  constructor(
    /** The clock deliveries run on. */
    readonly scheduler: SchedulerLike,
    /** Latency, loss and DNS delay, read on every packet: a test may change them as it goes. */
    readonly conditions: NetworkConditions = {},
  ) {}

  /**
   * Attaches a receiver to an endpoint, as a socket binds: packets to it are delivered there.
   *
   * @param endpoint - protocol, address and port to receive on
   * @param receiver - called with each packet's bytes and where it came from
   * @returns a function that unbinds the endpoint
   * @throws `Error` when the endpoint is already bound
   */
  bind(endpoint: Endpoint, receiver: Receiver): () => void {
    const k = key(endpoint.protocol, endpoint.address, endpoint.port);
    if (this.receivers.has(k)) throw new Error(`virtual network: ${k} is already bound`);
    this.receivers.set(k, receiver);
    return () => this.receivers.delete(k);
  }

  /**
   * Flow id shared by both directions of a stream between two endpoints.
   *
   * @param protocol - the stream protocol
   * @param a - one endpoint
   * @param b - the other endpoint
   * @returns the id, the same whichever endpoint is `a`
   */
  flowId(
    protocol: Protocol,
    a: { address: string; port: number },
    b: { address: string; port: number },
  ): string {
    const [x, y] = [addressOf(a), addressOf(b)].sort();
    return `mem-${protocol}|${x}|${y}`;
  }

  /**
   * Sends bytes from `from` to `to`. Unbound destinations lose UDP silently and fail stream
   * protocols through `onError` (connection refused), after the latency.
   *
   * @param from - the sending endpoint; its protocol is the packet's
   * @param to - the destination address and port
   * @param data - the bytes
   * @param onError - told when a stream destination is not bound (connection refused)
   */
  send(
    from: Endpoint,
    to: { address: string; port: number },
    data: Buffer,
    onError?: (err: Error) => void,
  ): void {
    const protocol = from.protocol;
    const packet: WirePacket = {
      time: this.scheduler.now(),
      protocol,
      from: addressOf(from),
      to: addressOf(to),
      data,
      dropped: false,
    };
    packet.dropped = protocol === 'udp' && (this.conditions.drop?.(packet) ?? false);
    this.packets.push(packet);
    if (packet.dropped) return;
    const receiver = this.receivers.get(key(protocol, to.address, to.port));
    const latency = this.conditions.latency ?? 1;
    this.scheduler.schedule(() => {
      if (!receiver) {
        if (protocol !== 'udp') onError?.(new Error(`connection refused by ${packet.to}`));
        return;
      }
      const source: Source = {
        protocol,
        address: from.address,
        port: from.port,
        local: { protocol, address: to.address, port: to.port },
      };
      if (protocol !== 'udp') source.flowId = this.flowId(protocol, from, to);
      receiver(data, source);
    }, latency);
  }

  /**
   * Packets as text, optionally only those between two addresses (`host:port`).
   *
   * @param filter - `from` and `to` as `address:port`, either or both
   * @returns each packet's bytes as UTF-8 text, in order
   */
  wire(filter?: { from?: string; to?: string }): string[] {
    return this.packets
      .filter((p) => (!filter?.from || p.from === filter.from) && (!filter?.to || p.to === filter.to))
      .map((p) => p.data.toString('utf8'));
  }
}
