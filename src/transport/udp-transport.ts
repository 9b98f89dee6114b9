import { createSocket, type Socket } from 'node:dgram';
import { type LookupOneOptions, lookup } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { ListeningPoint, ListenOptions, Source } from './types.js';

export interface UdpOptions {
  /** Kernel socket buffers; the defaults drop datagrams in bursts (docs/architecture.md). */
  recvBufferSize: number;
  sendBufferSize: number;
}

/** One UDP listening point. Received datagrams go to `onDatagram`; nothing thrown escapes. */
/**
 * Targets reach the socket already resolved (RFC 3263 happens above), so an IP literal is handed
 * straight back: dgram's default lookup defers every send by a tick to "resolve" an IP.
 */
function addressLookup(
  hostname: string,
  options: LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else lookup(hostname, options, callback);
}

export class UdpTransport {
  private socket: Socket | undefined;
  point: ListeningPoint | undefined;

  constructor(
    private readonly options: ListenOptions,
    private readonly udp: UdpOptions,
    private readonly onDatagram: (data: Buffer, source: Source) => void,
    private readonly log: Logger,
  ) {}

  listen(): Promise<ListeningPoint> {
    const ipv6 = isIPv6(this.options.host);
    const socket = createSocket({
      type: ipv6 ? 'udp6' : 'udp4',
      lookup: addressLookup,
      recvBufferSize: this.udp.recvBufferSize,
      sendBufferSize: this.udp.sendBufferSize,
      ipv6Only: ipv6,
    });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.host, () => {
        socket.off('error', reject);
        socket.on('error', (err) => this.log.error({ err }, 'UDP socket error'));
        const address = socket.address();
        const point: ListeningPoint = {
          protocol: 'udp',
          address: address.address,
          port: address.port,
          advertised: {
            host: this.options.advertisedHost ?? address.address,
            port: this.options.advertisedPort ?? address.port,
          },
        };
        this.point = point;
        const local = { protocol: 'udp' as const, address: point.address, port: point.port };
        // Node makes a new address string for every datagram; what a transaction keeps for 32 s
        // (its source, and the target answered there) shares one per peer in the common run of
        // datagrams from one address.
        let lastAddress = '';
        socket.on('message', (data, rinfo) => {
          try {
            if (rinfo.address !== lastAddress) lastAddress = rinfo.address;
            this.onDatagram(data, { protocol: 'udp', address: lastAddress, port: rinfo.port, local });
          } catch (err) {
            this.log.error({ err }, 'unexpected error handling a datagram');
          }
        });
        resolve(point);
      });
    });
  }

  send(data: Buffer, address: string, port: number, onError?: (err: Error) => void): void {
    const socket = this.socket;
    if (!socket) {
      onError?.(new Error('UDP transport is closed'));
      return;
    }
    const failed = (err: Error) => {
      this.log.debug({ err, address, port }, 'UDP send failed');
      onError?.(err);
    };
    try {
      socket.send(data, port, address, (err) => err && failed(err));
    } catch (err) {
      // A target the socket refuses at once (port 0 from a peer's Via, say) fails like a late
      // error: reported, never thrown into the timer or socket callback that sent it.
      queueMicrotask(() => failed(err as Error));
    }
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
