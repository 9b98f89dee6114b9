// A message too large for a stream connection, over real TCP and TLS sockets: answered 513 Message
// Too Large when its start line and Via can be read (RFC 3261 §21.5.14), then closed, because the
// stream cannot be resynchronised; closed without an answer when nothing names its sender.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Srf } from '../../src/index.js';
import { parseMessage } from '../../src/sip/parser.js';
import { selfSignedCertificate } from '../support/certificate.js';
import { freePort } from '../support/ports.js';
import { options, type RawPeer, rawPeer } from './raw-peer.js';

const BOUND = 10_000;
const MAX_HEADER = 4096;

/** The responses received, parsed. */
function responses(peer: RawPeer): string[] {
  return peer.received
    .split(/(?=SIP\/2\.0 \d{3} )/)
    .filter((m) => m.startsWith('SIP/2.0'))
    .map((m) => {
      const message = parseMessage(Buffer.from(m, 'latin1'));
      return `${m.slice(8, 11)} ${message.get('call-id')} ${message.get('via')}`;
    });
}

describe('a message over the limits on a stream', () => {
  let srf: Srf;
  const ports = { tcp: 0, tls: 0 };

  beforeAll(async () => {
    ports.tcp = await freePort();
    ports.tls = await freePort();
    srf = new Srf({ logger: pino({ level: 'silent' }) });
    await srf.start({
      listen: [`tcp:127.0.0.1:${ports.tcp}`, `tls:127.0.0.1:${ports.tls}`],
      tls: selfSignedCertificate(),
      limits: { maxHeaderBytes: MAX_HEADER, maxMessageBytes: 8192 },
    });
  });

  afterAll(() => srf.close());

  it('answers a header section over the limit with 513, then closes the connection', async () => {
    const peer = await rawPeer({ port: ports.tcp });
    peer.socket.write(options('huge-head', 'TCP', [`X-Padding: ${'p'.repeat(MAX_HEADER * 2)}`]));
    expect(await peer.closedWithin(BOUND)).toBe(true);
    expect(responses(peer)).toEqual(['513 huge-head SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKhuge-head']);
  });

  it('tls: the same, over TLS', async () => {
    const peer = await rawPeer({ port: ports.tls, tls: true });
    peer.socket.write(options('huge-head-tls', 'TLS', [`X-Padding: ${'p'.repeat(MAX_HEADER * 2)}`]));
    expect(await peer.closedWithin(BOUND)).toBe(true);
    expect(responses(peer)).toEqual([
      '513 huge-head-tls SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bKhuge-head-tls',
    ]);
  });

  it('answers the oversized message, not the one before it, when it arrives in pieces after a served one', async () => {
    const peer = await rawPeer({ port: ports.tcp });
    peer.socket.write(options('served-first'));
    expect(await peer.waitFor('Call-ID: served-first')).toBe(true);
    const big = options('in-pieces', 'TCP', [`X-Padding: ${'p'.repeat(MAX_HEADER * 2)}`]);
    // The start line and Via in one write, the rest in several: the 513 is built from bytes the
    // framer held across reads.
    for (let at = 0; at < big.length && !peer.isClosed; at += 1000) {
      peer.socket.write(big.slice(at, at + 1000));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await peer.closedWithin(BOUND)).toBe(true);
    expect(responses(peer)).toEqual([
      '200 served-first SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKserved-first',
      '513 in-pieces SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKin-pieces',
    ]);
  });

  it('answers a Content-Length over the message limit with 513, then closes', async () => {
    const peer = await rawPeer({ port: ports.tcp });
    peer.socket.write(options('huge-body').replace('Content-Length: 0', 'Content-Length: 100000'));
    expect(await peer.closedWithin(BOUND)).toBe(true);
    expect(responses(peer)).toEqual(['513 huge-body SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKhuge-body']);
  });

  it('closes without an answer when the Via is beyond the limit', async () => {
    const peer = await rawPeer({ port: ports.tcp });
    const message = options('via-too-far').replace(
      'OPTIONS sip:rxsip@127.0.0.1 SIP/2.0\r\n',
      `OPTIONS sip:rxsip@127.0.0.1 SIP/2.0\r\nX-Padding: ${'p'.repeat(MAX_HEADER * 2)}\r\n`,
    );
    peer.socket.write(message);
    expect(await peer.closedWithin(BOUND)).toBe(true);
    expect(peer.received).toBe('');
  });
});
