import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { firstValueFrom, map, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type InboundRequest, type SipResponse, Srf, startEmbeddedEngine } from '../../src/index.js';
import { createRequest, createResponse, parseMessage } from '../../src/sip.js';
import { selfSignedCertificate, type TestCertificate } from '../support/certificate.js';
import { freePort } from '../support/ports.js';

const silent = pino({ level: 'silent' });

function options(uri: string, via: string, callId: string): string {
  return [
    `OPTIONS ${uri} SIP/2.0`,
    `Via: ${via};branch=z9hG4bK${callId}`,
    'Max-Forwards: 70',
    `To: <${uri}>`,
    'From: <sip:peer@example.com>;tag=peer',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('TLS and WebSocket carry full transactions', () => {
  let cert: TestCertificate;
  let srf: Srf;
  const ports = { tls: 0, ws: 0, wss: 0 };
  const seen: InboundRequest[] = [];

  beforeAll(async () => {
    cert = selfSignedCertificate();
    ports.tls = await freePort();
    ports.ws = await freePort();
    ports.wss = await freePort();
    srf = new Srf({ logger: silent });
    await srf.start({
      listen: [`tls:127.0.0.1:${ports.tls}`, `ws:127.0.0.1:${ports.ws}`, `wss:127.0.0.1:${ports.wss}`],
      tls: { cert: cert.cert, key: cert.key },
    });
    srf.engine.requests$.subscribe((r) => seen.push(r));
  });

  afterAll(() => srf.close());

  it('answers OPTIONS over TLS to openssl s_client (a peer that is not rxsip)', async () => {
    const child = spawn(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${ports.tls}`, '-quiet', '-verify_quiet'],
      {
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    let out = '';
    const answered = new Promise<string>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\r\n\r\n')) resolve(out);
      });
    });
    child.stdin.write(
      options(`sip:rxsip@127.0.0.1:${ports.tls};transport=tls`, 'SIP/2.0/TLS 127.0.0.1:5999', 'tls-openssl'),
    );
    const text = await answered;
    child.kill();
    const response = parseMessage(text) as SipResponse;
    expect(response.status).toBe(200);
    expect(response.callId).toBe('tls-openssl');
    // It came back over the connection: the Via names port 5999, where nothing listens.
    expect(response.topVia.port).toBe(5999);
  });

  it('answers OPTIONS over WebSocket (RFC 7118, subprotocol "sip") and WSS', async () => {
    for (const [scheme, port] of [
      ['ws', ports.ws],
      ['wss', ports.wss],
    ] as const) {
      const socket = new WebSocket(`${scheme}://127.0.0.1:${port}`, 'sip', { rejectUnauthorized: false });
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const reply = new Promise<string>((resolve) => socket.once('message', (d) => resolve(d.toString())));
      socket.send(
        options(
          `sip:rxsip@127.0.0.1:${port};transport=${scheme}`,
          `SIP/2.0/${scheme.toUpperCase()} df7jal23ls0d.invalid`,
          `${scheme}-1`,
        ),
      );
      const response = parseMessage(await reply) as SipResponse;
      socket.close();
      expect(response.status).toBe(200);
      expect(response.callId).toBe(`${scheme}-1`);
      expect(response.topVia.transport).toBe(scheme.toUpperCase());
    }
  });

  it('refuses a WebSocket without the "sip" subprotocol', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${ports.ws}`);
    const outcome = await new Promise<string>((resolve) => {
      socket.once('error', () => resolve('refused'));
      socket.once('close', () => resolve('closed'));
      socket.once('open', () =>
        setImmediate(() => resolve(socket.readyState === WebSocket.OPEN ? 'open' : 'closed')),
      );
    });
    expect(outcome).not.toBe('open');
  });

  it('rxsip to rxsip over TLS: the request back to the peer reuses the connection it opened', async () => {
    const clientPort = await freePort();
    const client = await startEmbeddedEngine({
      listen: [`tls:127.0.0.1:${clientPort}`],
      tls: { cert: cert.cert, key: cert.key },
      tlsClient: { ca: cert.cert },
      logger: silent,
    });
    try {
      const clientInbound = firstValueFrom(client.requests$);
      const request = createRequest({
        method: 'OPTIONS',
        uri: `sip:rxsip@127.0.0.1:${ports.tls};transport=tls`,
        from: `<sip:client@127.0.0.1:${clientPort}>`,
      });
      const before = seen.length;
      const statuses = await firstValueFrom(
        client.send(request).pipe(
          take(2),
          map((e) => (e.kind === 'response' ? e.response.status : 'sent')),
          toArray(),
        ),
      );
      expect(statuses).toEqual(['sent', 200]);
      const arrived = seen[before];
      expect(arrived?.source.protocol).toBe('tls');
      expect(arrived?.source.flowId).toBeDefined();
      // The server now sends a request to the client over that flow, not a new connection.
      const back = createRequest({
        method: 'OPTIONS',
        uri: `sip:client@127.0.0.1:${clientPort};transport=tls`,
        from: '<sip:rxsip@127.0.0.1>',
      });
      const reply = firstValueFrom(
        srf.engine.send(back, { flowId: arrived?.source.flowId }).pipe(take(2), toArray()),
      );
      const inbound = await clientInbound;
      expect(inbound.message.callId).toBe(back.callId);
      // Over the client's own connection, whose far end is the server's listening port; a new
      // connection from the server would come from an ephemeral port.
      expect(inbound.source.port).toBe(ports.tls);
      inbound.respond(createResponse(inbound.message, 200));
      const events = await reply;
      expect(events.map((e) => (e.kind === 'response' ? e.response.status : e.kind))).toEqual(['sent', 200]);
    } finally {
      await client.close();
    }
  });
});
