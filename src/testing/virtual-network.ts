import type { SchedulerLike } from 'rxjs';
import type { Endpoint, Protocol, Source } from '../transport/types.js';

/** A message as it crossed the virtual network, for assertions on the wire. */
export interface WirePacket {
  /** Virtual time it was sent (ms). */
  time: number;
  protocol: Protocol;
  from: string;
  to: string;
  data: Buffer;
  /** Whether the network dropped it (see {@link NetworkConditions.drop}). */
  dropped: boolean;
}

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
 * {@link packets}; `drop` simulates loss. Stream protocols get a flow per endpoint pair.
 */
export class VirtualNetwork {
  readonly packets: WirePacket[] = [];
  private readonly receivers = new Map<string, Receiver>();
  /** Host name → addresses, for RFC 3263 resolution without real DNS. */
  readonly hosts = new Map<string, string[]>();

  constructor(
    readonly scheduler: SchedulerLike,
    readonly conditions: NetworkConditions = {},
  ) {}

  bind(endpoint: Endpoint, receiver: Receiver): () => void {
    const k = key(endpoint.protocol, endpoint.address, endpoint.port);
    if (this.receivers.has(k)) throw new Error(`virtual network: ${k} is already bound`);
    this.receivers.set(k, receiver);
    return () => this.receivers.delete(k);
  }

  /** Flow id shared by both directions of a stream between two endpoints. */
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

  /** Packets as text, optionally only those between two addresses (`host:port`). */
  wire(filter?: { from?: string; to?: string }): string[] {
    return this.packets
      .filter((p) => (!filter?.from || p.from === filter.from) && (!filter?.to || p.to === filter.to))
      .map((p) => p.data.toString('utf8'));
  }
}
