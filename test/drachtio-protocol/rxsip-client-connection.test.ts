// The drachtio engine's connection to a server: dead connections found by pings, a server's
// unknown messages and oversized frames, TLS kept on reconnection, the server's CDRs. Peers:
// rxsip's drachtio server (TLS admin port) and a scripted server on a bare TCP socket.
import { createServer, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { firstValueFrom, mergeMap, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from '../../src/drachtio-wire/frame-decoder.js';
import {
  formatWireMessage,
  parseWireMessage,
  type WireMessage,
} from '../../src/drachtio-wire/wire-message.js';
import {
  type DrachtioCdr,
  type DrachtioConnectionEvent,
  DrachtioEngine,
  Srf,
  uas$,
} from '../../src/index.js';
import { selfSignedCertificate } from '../support/certificate.js';
import { freePort } from '../support/ports.js';
import { expectClean } from '../support/sipp-parties.js';
import { APP_SDP, capturingLogger, drachtioParties, eventually, SECRET } from './harness.js';

const { server, caller, onCleanup } = drachtioParties();

/** A scripted drachtio-server: accepts the secret, then does what the test says with each message. */
async function scriptedServer(onMessage: (message: WireMessage, reply: (text: string) => void) => void) {
  const port = await freePort();
  const received: WireMessage[] = [];
  const sockets: Socket[] = [];
  const tcp: Server = createServer((socket) => {
    sockets.push(socket);
    const decoder = new FrameDecoder(1_000_000);
    const write = (text: string) => socket.write(encodeFrame(text));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const payload of decoder.push(chunk)) {
        const message = parseWireMessage(payload);
        received.push(message);
        if (message.type === 'authenticate')
          write(
            formatWireMessage({
              id: 's1',
              type: 'response',
              args: [message.id, 'OK', 'udp/192.0.2.1:5060', 'v0.9.0'],
            }),
          );
        else onMessage(message, write);
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
  onCleanup(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => tcp.close(() => resolve()));
  });
  return { port, received, send: (text: string) => sockets.at(-1)?.write(text) };
}

function engineWith(options: ConstructorParameters<typeof DrachtioEngine>[0] = {}) {
  const { logger, lines } = capturingLogger();
  const engine = new DrachtioEngine({ logger, ...options });
  const events: DrachtioConnectionEvent[] = [];
  engine.events$.subscribe((e) => events.push(e));
  onCleanup(() => engine.close());
  return { engine, events, logs: lines };
}

describe('the drachtio engine finds a dead connection', () => {
  it('a server that stops answering pings is disconnected, saying why', async () => {
    const fake = await scriptedServer(() => undefined);
    const { engine, events, logs } = engineWith();
    await engine.connect({
      host: '127.0.0.1',
      port: fake.port,
      secret: SECRET,
      ping: { interval: 100 },
      reconnect: { maxAttempts: 0 },
    });
    await eventually('the disconnection', () => events.some((e) => e.type === 'disconnected'));
    expect(events[1]).toEqual({
      type: 'disconnected',
      server: `127.0.0.1:${fake.port}`,
      flowId: 'drachtio:1',
      reason: 'no reply to ping within 100 ms',
    });
    expect(
      logs.some(
        (l) => l.msg === 'drachtio: closing connection' && l.reason === 'no reply to ping within 100 ms',
      ),
    ).toBe(true);
    // It asked for every method it takes, then pinged once.
    expect(fake.received.filter((m) => m.type === 'route').map((m) => m.args[0])).toContain('invite');
    expect(fake.received.filter((m) => m.type === 'ping')).toHaveLength(1);
  });

  it('a server that answers pings stays connected', async () => {
    const fake = await scriptedServer((message, reply) => {
      if (message.type === 'ping')
        reply(formatWireMessage({ id: 'p', type: 'response', args: [message.id, 'OK', 'pong'] }));
    });
    const { engine, events } = engineWith();
    await engine.connect({ host: '127.0.0.1', port: fake.port, secret: SECRET, ping: { interval: 50 } });
    await eventually('four pings answered', () => fake.received.filter((m) => m.type === 'ping').length >= 4);
    expect(events.map((e) => e.type)).toEqual(['connected']);
    expect(engine.connections).toBe(1);
  });

  it('unknown message types are logged and ignored; an oversized frame drops the connection', async () => {
    const fake = await scriptedServer(() => undefined);
    const { engine, events, logs } = engineWith({ limits: { maxFrameBytes: 1000 } });
    await engine.connect({
      host: '127.0.0.1',
      port: fake.port,
      secret: SECRET,
      reconnect: { maxAttempts: 0 },
    });
    fake.send(encodeFrame('x1|frobnicate|a|b'));
    await eventually('the unknown type logged', () =>
      logs.some((l) => l.msg === 'drachtio: unknown message type ignored'),
    );
    expect(engine.connections).toBe(1);
    fake.send('5000#');
    await eventually('the disconnection', () => events.some((e) => e.type === 'disconnected'));
    expect(events[1]).toMatchObject({
      reason: 'oversized frame: frame of 5000 bytes is over the limit of 1000',
    });
  });
});

describe('reconnection', () => {
  it('keeps TLS: the server comes back on its TLS admin port and the engine connects again', async () => {
    const certificate = selfSignedCertificate();
    const adminPort = await freePort();
    const tls = { cert: certificate.cert, key: certificate.key };
    const first = await server({ admin: { host: '127.0.0.1', port: adminPort, tls } });
    const { engine, events } = engineWith();
    await engine.connect({
      host: '127.0.0.1',
      port: adminPort,
      secret: SECRET,
      tls: { ca: certificate.cert },
      reconnect: { initialDelay: 100, factor: 1.5, maxDelay: 400 },
    });
    await first.server.close();
    await eventually('the disconnection', () => events.some((e) => e.type === 'disconnected'));
    // Only a TLS client gets through this port: a plain reconnection would never authenticate.
    const second = await server({ admin: { host: '127.0.0.1', port: adminPort, tls } });
    await eventually('connected again', () => events.filter((e) => e.type === 'connected').length === 2);
    const connected = events.filter((e) => e.type === 'connected');
    expect(connected[1]).toMatchObject({ flowId: expect.not.stringMatching(/^drachtio:1$/) });
    expect(connected[1]?.type === 'connected' && connected[1].hostports).toContain(`:${second.sipPort}`);
    const delays = events.flatMap((e) => (e.type === 'reconnecting' ? [e.delay] : []));
    // 100 ms, then 1.5 times longer each time, never more than 400 ms.
    expect(delays.length).toBeGreaterThan(0);
    expect(delays).toEqual([100, 150, 225, 338, 400, 400, 400, 400, 400, 400].slice(0, delays.length));
  });
});

describe("the server's call detail records", () => {
  it('cdr$ asks for them and emits the attempt, start and stop of a call', async () => {
    const { sipPort, adminPort } = await server();
    const srf = new Srf({ logger: pino({ level: 'silent' }) });
    onCleanup(() => srf.close());
    await srf.connect({ host: '127.0.0.1', port: adminPort, secret: SECRET });
    const engine = srf.engine as DrachtioEngine;
    const cdrs = firstValueFrom(engine.cdr$.pipe(take(3), toArray()));
    srf.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: APP_SDP }))).subscribe();
    expectClean(await caller('uas-caller-hangs-up', sipPort));
    const records: DrachtioCdr[] = await cdrs;
    expect(records.map((r) => [r.type, r.source, r.role ?? r.reason ?? ''])).toEqual([
      ['attempt', 'network', ''],
      ['start', 'application', 'uas'],
      ['stop', 'network', 'normal-release'],
    ]);
    expect(records[0]?.msg.toString()).toMatch(/^INVITE /);
  });
});
