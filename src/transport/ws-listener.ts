import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { AcceptedSockets, type Gate } from './accepted-sockets.js';
import type { Admission } from './admissions.js';
import { listenServer } from './listen-server.js';
import type { ListeningPoint, ListenOptions } from './types.js';

// RFC 7118 §4.1: the client offers the "sip" subprotocol in the handshake, and the server takes it.
function offersSip(request: IncomingMessage): boolean {
  const offered = request.headers['sec-websocket-protocol'];
  return offered?.split(',').some((p) => p.trim() === 'sip') ?? false;
}

// Ends a handshake with an HTTP error before any upgrade, and closes the socket once it is written.
function refuseHandshake(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

// A plain HTTP request (not an upgrade) on a SIP WebSocket port: 426 (RFC 9110 §15.5.22), closed.
function refuseRequest(response: ServerResponse): void {
  const body = 'This is a SIP WebSocket server (RFC 7118): upgrade to websocket with subprotocol "sip"\n';
  response.writeHead(426, {
    Upgrade: 'websocket',
    Connection: 'close',
    'Content-Type': 'text/plain',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

/**
 * A WebSocket (ws/wss) listening point (RFC 7118). Each socket is admitted (`gate`) as TCP
 * accepts it: a handshake counts toward the connection limits and must end before the message
 * deadline. Only an upgrade offering the `sip` subprotocol is accepted (else 400); any other HTTP
 * request is answered 426 and closed.
 */
export class WsListener {
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  point: ListeningPoint | undefined;

  constructor(
    private readonly options: ListenOptions,
    private readonly maxMessageBytes: number,
    private readonly gate: Gate,
    private readonly onSocket: (
      socket: WebSocket,
      request: IncomingMessage,
      point: ListeningPoint,
      admission: Admission,
    ) => void,
  ) {}

  listen(): Promise<ListeningPoint> {
    const { protocol } = this.options;
    if (protocol === 'wss' && !this.options.tls)
      return Promise.reject(new Error('listen: a wss listening point needs tls.cert and tls.key'));
    const http = protocol === 'wss' ? createHttpsServer(this.options.tls ?? {}) : createHttpServer();
    this.http = http;
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.maxMessageBytes,
      ...(this.options.path ? { path: this.options.path } : {}),
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
    this.wss = wss;
    const accepted = new AcceptedSockets(this.gate);
    http.on('connection', (socket: Socket) => {
      if (this.point) accepted.accept(socket);
      else socket.destroy();
    });
    http.on('request', (_request, response: ServerResponse) => refuseRequest(response));
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const admission = accepted.take(request.socket);
      if (!admission || !this.point) {
        socket.destroy();
        return;
      }
      if (!offersSip(request)) {
        refuseHandshake(socket, 400, 'SIP WebSocket (RFC 7118): the "sip" subprotocol is required');
        return;
      }
      // ws checks the rest of the handshake (and the path), answering 400 itself.
      wss.handleUpgrade(request, socket, head, (ws) => {
        const point = this.point;
        if (!point || ws.protocol !== 'sip') {
          ws.terminate();
          return;
        }
        admission.attach();
        this.onSocket(ws, request, point, admission);
      });
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
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeAllConnections();
    return closed;
  }
}
