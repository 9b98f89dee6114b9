import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { Admission } from './admissions.js';
import { type ConnectionEvents, SocketConnection } from './socket-connection.js';
import type { Endpoint, Protocol } from './types.js';

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** A WebSocket connection (RFC 7118): each WebSocket message carries one SIP message. */
export class WsConnection extends SocketConnection {
  constructor(
    protocol: Protocol,
    private readonly socket: WebSocket,
    local: Endpoint,
    remote: { address: string; port: number },
    private readonly maxMessageBytes: number,
    events: ConnectionEvents,
    log: Logger,
    admission?: Admission,
  ) {
    super(protocol, local, remote, events, log, admission);
    socket.on('message', (data) => this.receive(toBuffer(data)));
    socket.on('error', (err) => this.log.debug({ err, flow: this.flowId }, 'websocket error'));
    socket.on('close', () => this.onClosed());
  }

  private receive(data: Buffer): void {
    this.lastActivity = this.events.now();
    if (data.length > this.maxMessageBytes) {
      this.log.warn(
        { flow: this.flowId, bytes: data.length },
        'closing websocket: message over the size limit',
      );
      this.close();
      return;
    }
    // RFC 7118 has no keep-alive of its own; tolerate RFC 5626 CRLFs anyway.
    if (data.length <= 4 && data.toString('latin1').trim() === '') return;
    this.deliver(data);
  }

  protected write(data: Buffer, done: (err?: Error | null) => void): void {
    this.socket.send(data.toString('utf8'), done);
  }

  protected destroy(): void {
    this.socket.terminate();
  }
}
