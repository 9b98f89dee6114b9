// A hand-driven TCP or TLS peer on 127.0.0.x, for the tests of slow, foreign and oversized
// connections: what it received, whether and how the server closed it, with bounded waits.
import { type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawPeer {
  socket: Socket;
  /** Everything received so far, as latin1 text. */
  readonly received: string;
  /** Resolves once the socket has closed (server FIN or reset, or our own destroy). */
  readonly closed: Promise<void>;
  /** Whether the socket has closed. */
  readonly isClosed: boolean;
  /** Resolves true when `pattern` is in what was received within `ms`, false otherwise. */
  waitFor(pattern: string | RegExp, ms?: number): Promise<boolean>;
  /** Resolves true when the socket closes within `ms`, false otherwise. */
  closedWithin(ms: number): Promise<boolean>;
  /** Writes `data` one byte every `everyMs` until it is all written or the socket closes. */
  dribble(data: string, everyMs: number): Promise<void>;
  destroy(): void;
}

export interface PeerOptions {
  port: number;
  /** The peer's own address (127.0.0.1 unless given): per-source limits see it. */
  from?: string;
  tls?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects, resolving once TCP (or the TLS handshake) is up. */
export async function rawPeer(options: PeerOptions): Promise<RawPeer> {
  const common = { host: '127.0.0.1', port: options.port, localAddress: options.from ?? '127.0.0.1' };
  const socket: Socket = options.tls
    ? tlsConnect({ ...common, rejectUnauthorized: false })
    : tcpConnect(common);
  let received = '';
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
  const peer: RawPeer = {
    socket,
    get received() {
      return received;
    },
    closed,
    get isClosed() {
      return isClosed;
    },
    async waitFor(pattern, ms = 5000) {
      const matches = () =>
        typeof pattern === 'string' ? received.includes(pattern) : pattern.test(received);
      for (const end = Date.now() + ms; !matches() && Date.now() < end; ) await sleep(10);
      return matches();
    },
    closedWithin: (ms) => Promise.race([closed.then(() => true), sleep(ms).then(() => false)]),
    async dribble(data, everyMs) {
      for (const byte of data) {
        if (isClosed || socket.destroyed) return;
        socket.write(byte);
        await sleep(everyMs);
      }
    },
    destroy: () => socket.destroy(),
  };
  return peer;
}

/** An OPTIONS request from `from`, over `transport`, with extra header lines. */
export function options(callId: string, transport = 'TCP', extra: string[] = []): string {
  return [
    'OPTIONS sip:rxsip@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/${transport} 127.0.0.1:9;branch=z9hG4bK${callId}`,
    'Max-Forwards: 70',
    'To: <sip:rxsip@127.0.0.1>',
    'From: <sip:peer@127.0.0.1>;tag=peer',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
