// Foreign sockets on a SIP WebSocket port (RFC 7118), over real sockets on 127.0.0.x: a plain
// HTTP request is answered 426 and closed, an upgrade without the "sip" subprotocol is refused
// (400), sockets not yet upgraded count toward the per-source limit and are closed at the message
// deadline, and a real SIP WebSocket client is still served.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Srf } from '../../src/index.js';
import { selfSignedCertificate } from '../support/certificate.js';
import { freePort } from '../support/ports.js';
import { options, type RawPeer, rawPeer } from './raw-peer.js';

const BOUND = 10_000;

/** The HTTP status a WebSocket handshake got when it was refused, or 101 when it opened. */
function handshake(url: string, protocols: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { rejectUnauthorized: false });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

describe('a SIP WebSocket listening point', () => {
  let srf: Srf;
  const ports = { ws: 0, wss: 0 };

  beforeAll(async () => {
    ports.ws = await freePort();
    ports.wss = await freePort();
    srf = new Srf({ logger: pino({ level: 'silent' }) });
    await srf.start({
      listen: [`ws:127.0.0.1:${ports.ws}`, `wss:127.0.0.1:${ports.wss}`],
      tls: selfSignedCertificate(),
      limits: { messageTimeoutMs: 800, maxPendingConnectionsPerAddress: 3 },
    });
  });

  afterAll(() => srf.close());

  for (const protocol of ['ws', 'wss'] as const) {
    it(`${protocol}: answers a plain GET with 426 Upgrade Required and closes`, async () => {
      const peer = await rawPeer({ port: ports[protocol], tls: protocol === 'wss' });
      peer.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      expect(await peer.closedWithin(BOUND)).toBe(true);
      expect(peer.received).toMatch(/^HTTP\/1\.1 426 Upgrade Required\r\n/);
      expect(peer.received).toMatch(/\r\nUpgrade: websocket\r\n/i);
    });

    it(`${protocol}: refuses an upgrade without the sip subprotocol or with another one`, async () => {
      const url = `${protocol}://127.0.0.1:${ports[protocol]}`;
      expect(await handshake(url, [])).toBe(400);
      expect(await handshake(url, ['foo'])).toBe(400);
      expect(await handshake(url, ['foo', 'sip'])).toBe(101);
    });

    it(`${protocol}: serves a SIP WebSocket client`, async () => {
      const ws = new WebSocket(`${protocol}://127.0.0.1:${ports[protocol]}`, 'sip', {
        rejectUnauthorized: false,
      });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      expect(ws.protocol).toBe('sip');
      const answer = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
      ws.send(options(`ws-client-${protocol}`, protocol.toUpperCase()));
      expect(await answer).toMatch(
        new RegExp(`^SIP/2\\.0 200 OK\r\n[\\s\\S]*Call-ID: ws-client-${protocol}\r\n`),
      );
      ws.close();
    });

    it(`${protocol}: closes a socket that dribbles its HTTP request past the deadline`, async () => {
      const peer = await rawPeer({ port: ports[protocol], tls: protocol === 'wss' });
      void peer.dribble(
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
        50,
      );
      expect(await peer.closedWithin(BOUND)).toBe(true);
      expect(peer.received).toBe('');
    });

    it(`${protocol}: closes an upgraded socket that sends no SIP message before the deadline`, async () => {
      const ws = new WebSocket(`${protocol}://127.0.0.1:${ports[protocol]}`, 'sip', {
        rejectUnauthorized: false,
      });
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const result = await Promise.race([closed, new Promise((r) => setTimeout(() => r('open'), BOUND))]);
      expect(result).not.toBe('open');
    });
  }

  it('counts sockets not yet upgraded toward the per-source limit', async () => {
    const held: RawPeer[] = [];
    for (let i = 0; i < 3; i++) held.push(await rawPeer({ port: ports.ws, from: '127.0.0.5' }));
    // The server accepts in the order the kernel queued the connections: this one is the fourth.
    const refused = await rawPeer({ port: ports.ws, from: '127.0.0.5' });
    refused.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await refused.closedWithin(BOUND)).toBe(true);
    expect(refused.received).toBe('');
    const other = await rawPeer({ port: ports.ws, from: '127.0.0.6' });
    other.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await other.waitFor('HTTP/1.1 426')).toBe(true);
    // The silent ones are still closed at the deadline.
    expect(await Promise.all(held.map((p) => p.closedWithin(BOUND)))).toEqual([true, true, true]);
  });
});
