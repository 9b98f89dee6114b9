import type { Logger } from 'pino';
import type { Admission } from './admissions.js';
import { type Connection, newFlowId } from './connection.js';
import type { Endpoint, Protocol, Source } from './types.js';

export interface ConnectionEvents {
  /** Hands a framed message up; true when it was SIP (parsed as a request or a response). */
  onMessage(data: Buffer, source: Source): boolean;
  onClose(connection: Connection): void;
  now(): number;
}

/**
 * What TCP, TLS and WebSocket connections share: the flow identity, activity clock, delivery of
 * whole messages to the transport layer and the close protocol. Subclasses frame and write.
 */
export abstract class SocketConnection implements Connection {
  readonly flowId: string;
  readonly remote: { address: string; port: number };
  lastActivity: number;
  protected readonly source: Source;
  private closed = false;
  /** Set once the last bytes are written: nothing more is sent or read. */
  protected draining = false;

  constructor(
    readonly protocol: Protocol,
    readonly local: Endpoint,
    remote: { address: string; port: number },
    protected readonly events: ConnectionEvents,
    protected readonly log: Logger,
    /** An inbound connection's admission, released by its first SIP message. */
    private admission?: Admission,
  ) {
    this.flowId = newFlowId(protocol);
    this.remote = remote;
    this.lastActivity = events.now();
    this.source = { protocol, address: remote.address, port: remote.port, local, flowId: this.flowId };
  }

  /** Writes to the socket; `done` gets the socket's error, if any. */
  protected abstract write(data: Buffer, done: (err?: Error | null) => void): void;
  /** Tears the socket down at once. */
  protected abstract destroy(): void;

  protected deliver(data: Buffer): void {
    try {
      if (this.events.onMessage(data, this.source) && this.admission) {
        this.admission.release();
        this.admission = undefined;
      }
    } catch (err) {
      this.log.error({ err, flow: this.flowId }, 'unexpected error handling a message');
    }
  }

  send(data: Buffer, onError?: (err: Error) => void): void {
    if (this.closed || this.draining) {
      onError?.(new Error(`connection ${this.flowId} is closed`));
      return;
    }
    this.lastActivity = this.events.now();
    this.write(data, (err) => {
      if (err) onError?.(err);
    });
  }

  close(): void {
    if (this.closed) return;
    this.destroy();
    this.onClosed();
  }

  protected onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.admission?.release();
    this.events.onClose(this);
  }
}
