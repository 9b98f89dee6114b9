import type { Socket } from 'node:net';
import type { Admission } from './admissions.js';

/** Admits a socket a server accepted, or refuses it (undefined: the caller destroys it). */
export type Gate = (socket: Socket) => Admission | undefined;

/** A socket's peer as rxsip names it: an IPv4-mapped IPv6 address as IPv4. */
export function peerOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): {
  address: string;
  port: number;
} {
  return { address: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''), port: socket.remotePort ?? 0 };
}

function peerKey(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/**
 * The sockets a listening point accepted, each admitted (counted, given a deadline) from the
 * moment TCP accepts it, before any TLS or WebSocket handshake: a handshake that never ends
 * counts and times out like a silent connection. When the handshake is done, the socket it
 * gave (a TLS socket, an HTTP upgrade's socket) finds its admission by its peer's address and port.
 */
export class AcceptedSockets {
  private readonly byPeer = new Map<string, Admission>();

  constructor(private readonly gate: Gate) {}

  /** For a server's `connection` event: admits the socket, or destroys it. */
  accept(socket: Socket): Admission | undefined {
    const admission = this.gate(socket);
    if (!admission) {
      socket.destroy();
      return undefined;
    }
    const key = peerKey(socket);
    this.byPeer.set(key, admission);
    socket.once('close', () => {
      if (this.byPeer.get(key) === admission) this.byPeer.delete(key);
      admission.release();
    });
    return admission;
  }

  /** The admission of an accepted socket's peer, no longer looked up after this. */
  take(socket: {
    remoteAddress?: string | undefined;
    remotePort?: number | undefined;
  }): Admission | undefined {
    const key = peerKey(socket);
    const admission = this.byPeer.get(key);
    this.byPeer.delete(key);
    return admission;
  }
}
