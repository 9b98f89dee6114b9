import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { listenServer } from './listen-server.js';
import type { ListeningPoint, ListenOptions } from './types.js';

/**
 * A TCP or TLS listening point. Accepted sockets are handed to `onSocket`; the transport layer
 * wraps them in connections.
 */
export class StreamListener {
  private server: Server | undefined;
  point: ListeningPoint | undefined;

  constructor(
    private readonly options: ListenOptions,
    private readonly onSocket: (socket: Socket, point: ListeningPoint) => void,
  ) {}

  listen(): Promise<ListeningPoint> {
    const { protocol } = this.options;
    if (protocol === 'tls' && !this.options.tls)
      return Promise.reject(new Error('listen: a tls listening point needs tls.cert and tls.key'));
    const server =
      protocol === 'tls'
        ? createTlsServer(this.options.tls ?? {}).on('secureConnection', (s) => this.accept(s))
        : createTcpServer((s) => this.accept(s));
    this.server = server;
    return listenServer(server, this.options).then((point) => {
      this.point = point;
      return point;
    });
  }

  private accept(socket: Socket): void {
    if (!this.point) {
      socket.destroy();
      return;
    }
    this.onSocket(socket, this.point);
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
