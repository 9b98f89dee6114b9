import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type WebSocket, WebSocketServer } from 'ws';
import { listenServer } from './listen-server.js';
import type { ListeningPoint, ListenOptions } from './types.js';

/** A WebSocket (ws/wss) listening point; only the `sip` subprotocol is accepted (RFC 7118 §4.1). */
export class WsListener {
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  point: ListeningPoint | undefined;

  constructor(
    private readonly options: ListenOptions,
    private readonly maxMessageBytes: number,
    private readonly onSocket: (socket: WebSocket, request: IncomingMessage, point: ListeningPoint) => void,
  ) {}

  listen(): Promise<ListeningPoint> {
    const { protocol } = this.options;
    if (protocol === 'wss' && !this.options.tls)
      return Promise.reject(new Error('listen: a wss listening point needs tls.cert and tls.key'));
    const http = protocol === 'wss' ? createHttpsServer(this.options.tls ?? {}) : createHttpServer();
    this.http = http;
    const wss = new WebSocketServer({
      server: http,
      maxPayload: this.maxMessageBytes,
      ...(this.options.path ? { path: this.options.path } : {}),
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
    this.wss = wss;
    wss.on('connection', (socket, request) => {
      if (!this.point || socket.protocol !== 'sip') {
        socket.close(1002, 'SIP subprotocol required');
        return;
      }
      this.onSocket(socket, request, this.point);
    });
    return listenServer(http, this.options).then((point) => {
      this.point = point;
      return point;
    });
  }

  close(): Promise<void> {
    const { http, wss } = this;
    this.http = undefined;
    this.wss = undefined;
    if (!http) return Promise.resolve();
    for (const client of wss?.clients ?? []) client.terminate();
    wss?.close();
    return new Promise((resolve) => http.close(() => resolve()));
  }
}
