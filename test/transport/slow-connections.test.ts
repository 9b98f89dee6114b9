// Slow and silent connections over real TCP and TLS sockets on 127.0.0.x: a message that does not
// arrive whole within the message deadline closes its connection however steadily its bytes
// come, a connection (or TLS handshake) that sends nothing is closed at the same deadline, and
// sockets without a complete message are limited per source address. The deadlines here are
// small (configured), and every wait is bounded: no assertion is on wall-clock timing.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Srf } from '../../src/index.js';
import { selfSignedCertificate } from '../support/certificate.js';
import { freePort } from '../support/ports.js';
import { startSipp } from '../support/sipp.js';
import { options, type RawPeer, rawPeer } from './raw-peer.js';

const silent = pino({ level: 'silent' });
// Well past any deadline configured below: the wait is bounded, its length asserted nowhere.
const BOUND = 10_000;

async function served(peer: RawPeer, callId: string): Promise<boolean> {
  peer.socket.write(options(callId));
  return peer.waitFor(new RegExp(`SIP/2\\.0 200 OK[\\s\\S]*Call-ID: ${callId}`));
}

describe('the message deadline over TCP and TLS', () => {
  let srf: Srf;
  const ports = { tcp: 0, tls: 0 };

  beforeAll(async () => {
    const cert = selfSignedCertificate();
    ports.tcp = await freePort();
    ports.tls = await freePort();
    srf = new Srf({ logger: silent });
    await srf.start({
      listen: [`tcp:127.0.0.1:${ports.tcp}`, `tls:127.0.0.1:${ports.tls}`],
      tls: cert,
      // The idle timeout stays at 5 minutes: only the message deadline can close these.
      limits: { messageTimeoutMs: 600 },
    });
  });

  afterAll(() => srf.close());

  for (const protocol of ['tcp', 'tls'] as const) {
    it(`${protocol}: closes a connection dribbling one byte at a time, though it never goes idle`, async () => {
      const peer = await rawPeer({ port: ports[protocol], tls: protocol === 'tls' });
      // Far longer to send whole than the deadline: a byte every 50 ms.
      void peer.dribble(options(`dribble-${protocol}`), 50);
      expect(await peer.closedWithin(BOUND)).toBe(true);
      expect(peer.received).not.toContain('SIP/2.0');
    });

    it(`${protocol}: closes a connection that has sent a message and then dribbles the next one`, async () => {
      const peer = await rawPeer({ port: ports[protocol], tls: protocol === 'tls' });
      expect(await served(peer, `first-${protocol}`)).toBe(true);
      void peer.dribble(options(`second-${protocol}`), 50);
      expect(await peer.closedWithin(BOUND)).toBe(true);
      expect(peer.received).not.toContain(`Call-ID: second-${protocol}`);
    });

    it(`${protocol}: closes a connection that sends nothing at all`, async () => {
      const peer = await rawPeer({ port: ports[protocol], tls: protocol === 'tls' });
      expect(await peer.closedWithin(BOUND)).toBe(true);
    });

    it(`${protocol}: keeps a connection whose whole messages come slower than the deadline`, async () => {
      const peer = await rawPeer({ port: ports[protocol], tls: protocol === 'tls' });
      for (let i = 0; i < 3; i++) {
        expect(await served(peer, `steady-${protocol}-${i}`)).toBe(true);
        // Longer than the deadline between messages: only the idle timeout applies there.
        await new Promise((r) => setTimeout(r, 900));
      }
      expect(await served(peer, `steady-${protocol}-last`)).toBe(true);
      expect(peer.isClosed).toBe(false);
      peer.destroy();
    });
  }

  it('tls: closes a TCP connection to the TLS port that never starts its handshake', async () => {
    const peer = await rawPeer({ port: ports.tls });
    expect(await peer.closedWithin(BOUND)).toBe(true);
  });
});

describe('sockets without a complete message, per source address', () => {
  let srf: Srf;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    srf = new Srf({ logger: silent });
    await srf.start({
      listen: [`tcp:127.0.0.1:${port}`],
      // A deadline long enough that nothing here reaches it.
      limits: { maxPendingConnectionsPerAddress: 3, messageTimeoutMs: 60_000 },
    });
  });

  afterAll(() => srf.close());

  /** A connection the server has taken (it answers an RFC 5626 ping), still without a message. */
  async function pending(from: string): Promise<RawPeer> {
    const peer = await rawPeer({ port, from });
    peer.socket.write('\r\n\r\n');
    expect(await peer.waitFor('\r\n')).toBe(true);
    return peer;
  }

  it('refuses a fourth silent connection from one address, serves another address, and admits again once one speaks', async () => {
    const held = [await pending('127.0.0.2'), await pending('127.0.0.2'), await pending('127.0.0.2')];
    const refused = await rawPeer({ port, from: '127.0.0.2' });
    refused.socket.write(options('refused'));
    expect(await refused.closedWithin(BOUND)).toBe(true);
    expect(refused.received).toBe('');

    const other = await rawPeer({ port, from: '127.0.0.3' });
    expect(await served(other, 'other-address')).toBe(true);

    // The held ones were kept open all along; the first one's message frees its place.
    expect(held.some((p) => p.isClosed)).toBe(false);
    expect(await served(held[0] as RawPeer, 'held-speaks')).toBe(true);
    const admitted = await rawPeer({ port, from: '127.0.0.2' });
    expect(await served(admitted, 'admitted-after')).toBe(true);

    for (const peer of [...held, other, admitted]) peer.destroy();
  });
});

describe('a legitimate client while slow connections are held', () => {
  let srf: Srf;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    srf = new Srf({ logger: silent });
    await srf.start({
      listen: [`127.0.0.1:${port}`],
      limits: { maxConnections: 12, maxPendingConnectionsPerAddress: 4, messageTimeoutMs: 4000 },
    });
  });

  afterAll(() => srf.close());

  it('serves SIPp over TCP while 127.0.0.2 and 127.0.0.3 try to hold 20 dribbling connections', async () => {
    const attackers: RawPeer[] = [];
    for (const from of ['127.0.0.2', '127.0.0.3'])
      for (let i = 0; i < 10; i++) {
        const peer = await rawPeer({ port, from }).catch(() => undefined);
        if (peer) attackers.push(peer);
      }
    const dribbling = attackers.map((a, i) => a.dribble(options(`slow-${i}`), 100));
    const sipp = startSipp({
      scenario: 'options',
      target: `127.0.0.1:${port}`,
      transport: 't1',
      calls: 50,
      rate: 50,
      localPort: await freePort(),
    });
    const result = await sipp.done;
    expect(result.errors, result.stdout).toBe('');
    expect(result.failed, result.stdout).toBe(0);
    expect(result.successful, result.stdout).toBe(50);
    // Every attacker is closed: refused beyond 4 per address, the others at the deadline.
    expect(await Promise.all(attackers.map((a) => a.closedWithin(BOUND)))).not.toContain(false);
    expect(attackers.some((a) => a.received.includes('SIP/2.0'))).toBe(false);
    await Promise.all(dribbling);
  }, 40_000);
});
