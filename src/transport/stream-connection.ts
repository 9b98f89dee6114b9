import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { SipParseError } from '../sip/errors.js';
import { type FramerLimits, StreamFramer } from '../sip/stream-framer.js';
import { type ConnectionEvents, SocketConnection } from './socket-connection.js';
import type { Endpoint, Protocol } from './types.js';

const PONG = Buffer.from('\r\n');

/** A TCP or TLS connection: framed by Content-Length, CRLF keep-alives answered (RFC 5626 §4.4.1). */
export class StreamConnection extends SocketConnection {
  private readonly framer: StreamFramer;

  constructor(
    protocol: Protocol,
    private readonly socket: Socket,
    local: Endpoint,
    remote: { address: string; port: number },
    limits: FramerLimits,
    events: ConnectionEvents,
    log: Logger,
  ) {
    super(protocol, local, remote, events, log);
    this.framer = new StreamFramer(limits);
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
      else this.deliver(frame.data);
    }
  }

  protected write(data: Buffer, done: (err?: Error | null) => void): void {
    this.socket.write(data, done);
  }

  protected destroy(): void {
    this.socket.destroy();
  }
}
