import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { SipParseError } from '../sip/errors.js';
import { type FramerLimits, StreamFramer } from '../sip/stream-framer.js';
import type { Admission } from './admissions.js';
import { PendingMessage } from './pending-message.js';
import { type ConnectionEvents, SocketConnection } from './socket-connection.js';
import { isSizeRefusal, tooLargeResponse } from './too-large.js';
import type { Endpoint, Protocol } from './types.js';

const PONG = Buffer.from('\r\n');

/**
 * A TCP or TLS connection: framed by Content-Length, CRLF keep-alives answered (RFC 5626 §4.4.1).
 * The message being received is followed, for the message deadline and for a 513.
 */
export class StreamConnection extends SocketConnection {
  private readonly framer: StreamFramer;
  private readonly pending: PendingMessage;

  constructor(
    protocol: Protocol,
    private readonly socket: Socket,
    local: Endpoint,
    remote: { address: string; port: number },
    limits: FramerLimits,
    events: ConnectionEvents,
    log: Logger,
    admission?: Admission,
  ) {
    super(protocol, local, remote, events, log, admission);
    this.framer = new StreamFramer(limits);
    this.pending = new PendingMessage(limits.maxHeaderBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.log.debug({ err, flow: this.flowId }, 'connection error'));
    socket.on('close', () => this.onClosed());
  }

  get messageStartedAt(): number | undefined {
    return this.pending.startedAt;
  }

  private receive(chunk: Buffer): void {
    if (this.draining) return;
    const now = this.events.now();
    this.lastActivity = now;
    const before = this.framer.pendingBytes;
    let frames: ReturnType<StreamFramer['push']>;
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      // The refused message is the framer's held bytes from the error's offset on.
      const length = this.framer.pendingBytes - (err instanceof SipParseError ? (err.offset ?? 0) : 0);
      this.refuse(err, this.pending.refused(chunk, before, length));
      return;
    }
    this.pending.update(chunk, before, this.framer.pendingBytes, now);
    for (const frame of frames) {
      if (frame.kind === 'ping') this.send(PONG);
      else this.deliver(frame.data);
    }
  }

  // The stream cannot be resynchronised: answer 513 when a message too large names its sender
  // (RFC 3261 §21.5.14), then close.
  private refuse(err: unknown, head: Buffer): void {
    const reason = err instanceof SipParseError ? err.message : String(err);
    const response = isSizeRefusal(err) ? tooLargeResponse(head) : undefined;
    this.log.warn(
      { flow: this.flowId, remote: this.remote, reason, answered: response ? 513 : undefined },
      'closing connection: unframeable stream',
    );
    if (!response) {
      this.close();
      return;
    }
    this.finish(response);
  }

  // Writes the last bytes and half-closes; what the peer still sends is read and dropped (a
  // close with unread bytes would reset the connection and could lose the response), until it
  // closes or the message deadline passes.
  private finish(data: Buffer): void {
    this.draining = true;
    this.pending.restart(this.events.now());
    this.socket.end(data);
  }

  protected write(data: Buffer, done: (err?: Error | null) => void): void {
    this.socket.write(data, done);
  }

  protected destroy(): void {
    this.socket.destroy();
  }
}
