import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { encodeFrame, FrameDecoder, FrameError } from '../../drachtio-wire/frame-decoder.js';
import {
  formatWireMessage,
  parseWireMessage,
  readReply,
  replyArgs,
  type WireMessage,
  type WireReply,
} from '../../drachtio-wire/wire-message.js';

/** What one connection of the drachtio wire protocol is allowed to hold. */
export interface WireLimits {
  /** The largest frame read or written, in bytes. */
  maxFrameBytes: number;
  /** Messages sent and waiting for their reply at once. */
  maxPendingRequests: number;
}

/** What a connection tells its owner. */
export interface WireEvents {
  /** A message that is not the reply to one of ours (a reply nobody waits for too). */
  message(message: WireMessage): void;
  /** The connection closed, with why; pending replies have been failed before. */
  closed(reason: string): void;
}

/** A reply handler: returns true to keep waiting for more replies (a proxy's `continue`). */
export type ReplyHandler = (reply: WireReply) => boolean;

/** The reply a pending request gets when its connection closes before the answer. */
export function connectionLostReply(rid: string, reason: string): WireReply {
  return { rid, status: 'NOK', values: [`connection closed: ${reason}`] };
}

/**
 * One TCP or TLS connection speaking the drachtio wire protocol, either side: frames read and
 * written, replies matched to the messages they answer, limits kept. A malformed or oversized
 * frame closes it (logged). Used by the engine attached to a drachtio-server and by rxsip's own
 * drachtio server.
 */
export class WireConnection {
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<string, ReplyHandler>();
  private reason: string | undefined;
  private done = false;

  /**
   * @param id - the connection's name in logs and flow ids
   * @param socket - a connected socket
   * @param limits - frame size and pending replies
   * @param log - the logger
   * @param events - where messages and the close go
   */
  constructor(
    readonly id: string,
    readonly socket: Socket,
    private readonly limits: WireLimits,
    private readonly log: Logger,
    private readonly events: WireEvents,
  ) {
    this.decoder = new FrameDecoder(limits.maxFrameBytes);
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => {
      this.reason ??= err.message;
      this.log.debug({ err, connection: id }, 'drachtio connection error');
    });
    socket.on('close', () => this.onClose());
  }

  /** True once the connection has closed (or is closing). */
  get closed(): boolean {
    return this.done || this.reason !== undefined;
  }

  /** Messages sent and waiting for their reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The remote address and port. */
  get remote(): { address: string; port: number } {
    return { address: this.socket.remoteAddress ?? '', port: this.socket.remotePort ?? 0 };
  }

  /**
   * Sends a message with a fresh id.
   *
   * @returns the id, or undefined when the frame is over the size limit or the connection closed
   */
  send(type: string, args: readonly string[], sip?: string): string | undefined {
    const id = randomUUID();
    return this.write({ id, type, args: [...args], ...(sip === undefined ? {} : { sip }) }) ? id : undefined;
  }

  /**
   * Sends a message and waits for its reply. Returns the id, or undefined when it cannot be sent:
   * too many replies pending, the frame too large, or the connection closed.
   */
  request(
    type: string,
    args: readonly string[],
    sip: string | undefined,
    onReply: ReplyHandler,
  ): string | undefined {
    if (this.pending.size >= this.limits.maxPendingRequests) {
      this.log.warn(
        { connection: this.id, pending: this.pending.size, type },
        'drachtio: too many requests waiting for a reply (maxPendingRequests)',
      );
      return undefined;
    }
    const id = this.send(type, args, sip);
    if (id !== undefined) this.pending.set(id, onReply);
    return id;
  }

  /** Answers a message: `response|<rid>|<status>|<values...>`, with a SIP message when given. */
  reply(reply: WireReply): boolean {
    return this.send('response', replyArgs(reply), reply.sip) !== undefined;
  }

  /** Stops waiting for a reply. */
  forget(id: string): void {
    this.pending.delete(id);
  }

  /** Closes the connection, logging why (once). */
  close(reason: string, level: 'info' | 'warn' | 'debug' = 'debug'): void {
    if (this.closed) return;
    this.reason = reason;
    this.log[level]({ connection: this.id, remote: this.remote, reason }, 'drachtio: closing connection');
    // What was written (a refusal's reply) goes out first; then the socket is gone either way.
    this.socket.end(() => this.socket.destroy());
  }

  private write(message: WireMessage): boolean {
    if (this.closed || this.socket.destroyed) return false;
    const frame = encodeFrame(formatWireMessage(message));
    const bytes = Buffer.byteLength(frame) - frame.indexOf('#') - 1;
    if (bytes > this.limits.maxFrameBytes) {
      this.log.warn(
        { connection: this.id, type: message.type, bytes, limit: this.limits.maxFrameBytes },
        'drachtio: message not sent: frame over maxFrameBytes',
      );
      return false;
    }
    this.socket.write(frame);
    return true;
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    let payloads: string[];
    try {
      payloads = this.decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.close(`${err.kind} frame: ${err.message}`, 'warn');
      return;
    }
    for (const payload of payloads) {
      if (this.closed) return;
      let message: WireMessage;
      try {
        message = parseWireMessage(payload);
      } catch (err) {
        this.close(`malformed message: ${(err as Error).message}`, 'warn');
        return;
      }
      try {
        this.dispatch(message);
      } catch (err) {
        // A handler's failure is logged; it never escapes the socket callback.
        this.log.error(
          { err, connection: this.id, type: message.type },
          'drachtio: failed to handle a message',
        );
      }
    }
  }

  private dispatch(message: WireMessage): void {
    if (message.type === 'response') {
      const reply = readReply(message);
      const handler = this.pending.get(reply.rid);
      if (handler) {
        if (!handler(reply)) this.pending.delete(reply.rid);
        return;
      }
    }
    this.events.message(message);
  }

  private onClose(): void {
    if (this.done) return;
    this.done = true;
    const reason = this.reason ?? 'closed by the peer';
    this.reason = reason;
    const pending = [...this.pending];
    this.pending.clear();
    for (const [rid, handler] of pending) {
      try {
        handler(connectionLostReply(rid, reason));
      } catch (err) {
        this.log.error({ err, connection: this.id }, 'drachtio: failed to fail a pending request');
      }
    }
    this.events.closed(reason);
  }
}
