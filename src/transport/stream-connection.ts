import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { SipParseError } from '../sip/errors.js';
import { type FramerLimits, StreamFramer } from '../sip/stream-framer.js';
import { type Connection, newFlowId } from './connection.js';
import type { Endpoint, Protocol, Source } from './types.js';

const PONG = Buffer.from('\r\n');

export interface ConnectionEvents {
  onMessage(data: Buffer, source: Source): void;
  onClose(connection: Connection): void;
  now(): number;
}

/** A TCP or TLS connection: framed by Content-Length, CRLF keep-alives answered (RFC 5626 §4.4.1). */
export class StreamConnection implements Connection {
  readonly flowId: string;
  readonly remote: { address: string; port: number };
  lastActivity: number;
  private readonly framer: StreamFramer;
  private readonly source: Source;
  private closed = false;

  constructor(
    readonly protocol: Protocol,
    private readonly socket: Socket,
    readonly local: Endpoint,
    remote: { address: string; port: number },
    limits: FramerLimits,
    private readonly events: ConnectionEvents,
    private readonly log: Logger,
  ) {
    this.flowId = newFlowId(protocol);
    this.remote = remote;
    this.lastActivity = events.now();
    this.framer = new StreamFramer(limits);
    this.source = { protocol, address: remote.address, port: remote.port, local, flowId: this.flowId };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.log.debug({ err, flow: this.flowId }, 'connection error'));
    socket.on('close', () => this.onClosed());
  }

  private receive(chunk: Buffer): void {
    this.lastActivity = this.events.now();
    let frames: ReturnType<StreamFramer['push']>;
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      const reason = err instanceof SipParseError ? err.message : String(err);
      this.log.warn(
        { flow: this.flowId, remote: this.remote, reason },
        'closing connection: unframeable stream',
      );
      this.close();
      return;
    }
    for (const frame of frames) {
      if (frame.kind === 'ping') this.send(PONG);
      else {
        try {
          this.events.onMessage(frame.data, this.source);
        } catch (err) {
          this.log.error({ err, flow: this.flowId }, 'unexpected error handling a message');
        }
      }
    }
  }

  send(data: Buffer, onError?: (err: Error) => void): void {
    if (this.closed) {
      onError?.(new Error(`connection ${this.flowId} is closed`));
      return;
    }
    this.lastActivity = this.events.now();
    this.socket.write(data, (err) => {
      if (err) onError?.(err);
    });
  }

  close(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.onClosed();
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.onClose(this);
  }
}
