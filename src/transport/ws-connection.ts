import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { type Connection, newFlowId } from './connection.js';
import type { ConnectionEvents } from './stream-connection.js';
import type { Endpoint, Protocol, Source } from './types.js';

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** A WebSocket connection (RFC 7118): each WebSocket message carries one SIP message. */
export class WsConnection implements Connection {
  readonly flowId: string;
  readonly remote: { address: string; port: number };
  lastActivity: number;
  private readonly source: Source;
  private closed = false;

  constructor(
    readonly protocol: Protocol,
    private readonly socket: WebSocket,
    readonly local: Endpoint,
    remote: { address: string; port: number },
    private readonly maxMessageBytes: number,
    private readonly events: ConnectionEvents,
    private readonly log: Logger,
  ) {
    this.flowId = newFlowId(protocol);
    this.remote = remote;
    this.lastActivity = events.now();
    this.source = { protocol, address: remote.address, port: remote.port, local, flowId: this.flowId };
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
    try {
      this.events.onMessage(data, this.source);
    } catch (err) {
      this.log.error({ err, flow: this.flowId }, 'unexpected error handling a message');
    }
  }

  send(data: Buffer, onError?: (err: Error) => void): void {
    if (this.closed) {
      onError?.(new Error(`connection ${this.flowId} is closed`));
      return;
    }
    this.lastActivity = this.events.now();
    this.socket.send(data.toString('utf8'), (err) => {
      if (err) onError?.(err);
    });
  }

  close(): void {
    if (this.closed) return;
    this.socket.terminate();
    this.onClosed();
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.onClose(this);
  }
}
