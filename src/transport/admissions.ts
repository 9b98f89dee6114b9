import type { Logger } from 'pino';

/**
 * An inbound socket from its acceptance until its first complete SIP message: a TCP connection,
 * or a TLS or WebSocket one still in its handshake. Until then it counts against the limit of
 * its source address and must send that message within the message deadline (as Kamailio's
 * `tcp_msg_data_timeout`).
 */
export interface Admission {
  /** The peer's address. */
  readonly address: string;
  /** When the socket was accepted (scheduler clock, ms). */
  readonly openedAt: number;
  /** The socket has become a connection (its TLS or WebSocket handshake is done). */
  attach(): void;
  /** A complete SIP message arrived, or the socket closed: it counts no more. Idempotent. */
  release(): void;
}

export interface AdmissionLimits {
  /** Sockets from one address that have not yet sent a complete SIP message. */
  maxPendingConnectionsPerAddress: number;
  /** A socket that has not sent its first complete message this long after opening is closed (ms; 0 never). */
  messageTimeoutMs: number;
}

interface Entry extends Admission {
  attached: boolean;
  released: boolean;
  close(): void;
}

// A refusal is logged at most once a second, with the number refused since the last log.
const LOG_INTERVAL_MS = 1000;

/**
 * The inbound sockets that have not yet sent a complete SIP message: counted per source address,
 * closed when they miss the deadline. The connection table consults it before admitting a socket.
 */
export class Admissions {
  private readonly entries = new Set<Entry>();
  private readonly perAddress = new Map<string, number>();
  private unattached = 0;
  private refused = 0;
  private lastLog = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  /** Sockets accepted that are not connections yet (in a TLS or WebSocket handshake). */
  get handshaking(): number {
    return this.unattached;
  }

  /** Sockets from `address` that have not yet sent a complete SIP message. */
  pending(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /**
   * Admits a socket from `address` unless that address has too many pending already; `close`
   * tears the socket down when it misses the deadline.
   */
  admit(address: string, close: () => void): Admission | undefined {
    if (this.pending(address) >= this.limits.maxPendingConnectionsPerAddress) {
      this.refuse(address, 'too many connections without a complete message from this address');
      return undefined;
    }
    const entry: Entry = {
      address,
      openedAt: this.now(),
      attached: false,
      released: false,
      close,
      attach: () => {
        if (entry.attached || entry.released) return;
        entry.attached = true;
        this.unattached--;
      },
      release: () => this.release(entry),
    };
    this.entries.add(entry);
    this.unattached++;
    this.perAddress.set(address, this.pending(address) + 1);
    return entry;
  }

  private release(entry: Entry): void {
    if (entry.released) return;
    entry.released = true;
    this.entries.delete(entry);
    if (!entry.attached) this.unattached--;
    const left = this.pending(entry.address) - 1;
    if (left > 0) this.perAddress.set(entry.address, left);
    else this.perAddress.delete(entry.address);
  }

  /** Logs a refused socket, at most once a second. */
  refuse(address: string, why: string): void {
    this.refused++;
    const now = this.now();
    if (now - this.lastLog < LOG_INTERVAL_MS) return;
    this.log.warn({ address, refused: this.refused }, `refusing connections: ${why}`);
    this.lastLog = now;
    this.refused = 0;
  }

  /** Closes the sockets that have not sent a complete message within the deadline. */
  closeLate(): void {
    const timeout = this.limits.messageTimeoutMs;
    if (timeout <= 0) return;
    const cutoff = this.now() - timeout;
    for (const entry of [...this.entries]) {
      if (entry.openedAt > cutoff) continue;
      this.log.info(
        { address: entry.address, timeoutMs: timeout },
        'closing a connection that sent no complete message in time',
      );
      this.release(entry);
      entry.close();
    }
  }

  /** Closes every socket still pending (shutdown). */
  closeAll(): void {
    for (const entry of [...this.entries]) {
      this.release(entry);
      entry.close();
    }
  }
}
