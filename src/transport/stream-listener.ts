import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { AcceptedSockets, type Gate } from './accepted-sockets.js';
import type { Admission } from './admissions.js';
import { listenServer } from './listen-server.js';
import type { ListeningPoint, ListenOptions } from './types.js';

/**
 * A TCP or TLS listening point. Each socket is admitted (`gate`) as TCP accepts it, before the
 * TLS handshake; once it is ready it is handed to `onSocket` with its admission, and the
 * transport layer wraps it in a connection.
 */
export class StreamListener {
  private server: Server | undefined;
  point: ListeningPoint | undefined;

  constructor(
    private readonly options: ListenOptions,
    private readonly gate: Gate,
    private readonly onSocket: (socket: Socket, point: ListeningPoint, admission: Admission) => void,
  ) {}

  listen(): Promise<ListeningPoint> {
    const { protocol } = this.options;
    if (protocol === 'tls' && !this.options.tls)
      return Promise.reject(new Error('listen: a tls listening point needs tls.cert and tls.key'));
    const accepted = new AcceptedSockets(this.gate);
    const server = protocol === 'tls' ? createTlsServer(this.options.tls ?? {}) : createTcpServer();
    server.on('connection', (socket: Socket) => {
      if (!this.point) {
        socket.destroy();
        return;
      }
      if (accepted.accept(socket) && protocol === 'tcp') this.ready(socket, accepted);
    });
    if (protocol === 'tls') server.on('secureConnection', (socket: Socket) => this.ready(socket, accepted));
    this.server = server;
    return listenServer(server, this.options).then((point) => {
      this.point = point;
      return point;
    });
  }

  private ready(socket: Socket, accepted: AcceptedSockets): void {
    const admission = accepted.take(socket);
    if (!this.point || !admission) {
      socket.destroy();
      return;
    }
    admission.attach();
    this.onSocket(socket, this.point, admission);
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
