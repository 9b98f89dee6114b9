import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackEngine } from '../../src/engine/stack-engine.js';
import { Srf } from '../../src/index.js';
import { rfc4475, rfc4475Names } from '../sip/corpus.js';
import { freePort } from '../support/ports.js';
import { startSipp } from '../support/sipp.js';

// Garbage and torture messages over UDP and TCP while SIPp sends valid OPTIONS: every valid
// request is answered, bad connections are closed, and the stack's tables stay bounded.
describe('a flood of malformed input', () => {
  let srf: Srf;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    srf = new Srf({ logger: pino({ level: 'silent' }) });
    await srf.start({
      listen: [`127.0.0.1:${port}`],
      limits: { maxHeaderBytes: 8 * 1024, maxMessageBytes: 32 * 1024 },
    });
  });

  afterAll(() => srf.close());

  function mutations(count: number): Buffer[] {
    const corpus = rfc4475Names().map(rfc4475);
    const mutate = fc.tuple(
      fc.constantFrom(...corpus),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(),
    );
    return fc.sample(mutate, { numRuns: count, seed: 4475 }).map(([message, flips, cut]) => {
      const copy = Buffer.from(message);
      for (const [at, byte] of flips) copy[at % copy.length] = byte;
      return copy.subarray(0, Math.max(1, copy.length - (cut % 64)));
    });
  }

  it('keeps answering valid OPTIONS from SIPp over UDP and TCP; closes unframeable connections', async () => {
    const udpRun = startSipp({
      scenario: 'options',
      target: `127.0.0.1:${port}`,
      transport: 'u1',
      calls: 200,
      rate: 100,
      localPort: await freePort(),
    });
    const tcpRun = startSipp({
      scenario: 'options',
      target: `127.0.0.1:${port}`,
      transport: 't1',
      calls: 100,
      rate: 50,
      localPort: await freePort(),
    });

    // UDP: random bytes and mutated torture messages.
    const udp = createSocket('udp4');
    const garbage = [
      ...fc
        .sample(fc.uint8Array({ minLength: 1, maxLength: 1500 }), { numRuns: 1500, seed: 1 })
        .map((a) => Buffer.from(a)),
      ...mutations(1500),
    ];
    for (let i = 0; i < garbage.length; i++) {
      udp.send(garbage[i] as Buffer, port, '127.0.0.1');
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }

    // TCP: connections that send garbage, an endless header section, and an oversized body.
    const closedByServer = await Promise.all([
      tcpAbuse(port, Buffer.from(`OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nX-Long: ${'a'.repeat(20_000)}`)),
      tcpAbuse(port, Buffer.from('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: 999999\r\n\r\n')),
      tcpAbuse(port, Buffer.from('INVITE sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: -5\r\n\r\n')),
      ...mutations(30).map((m) =>
        tcpAbuse(port, Buffer.concat([m, Buffer.from('\r\n\r\nContent-Length: x\r\n\r\n')])),
      ),
    ]);
    udp.close();

    const [udpResult, tcpResult] = await Promise.all([udpRun.done, tcpRun.done]);
    expect(udpResult.failed).toBe(0);
    expect(udpResult.successful).toBe(200);
    expect(tcpResult.failed).toBe(0);
    expect(tcpResult.successful).toBe(100);
    // The three framing violations are closed by the server.
    expect(closedByServer.slice(0, 3)).toEqual([true, true, true]);
    // Tables stay bounded: mutated requests that still parse make a transaction each, nothing more.
    const engine = srf.engine as StackEngine;
    const { client, server } = engine.layer.counts;
    expect(client).toBe(0);
    expect(server).toBeLessThanOrEqual(200 + 100 + garbage.length);
  }, 60_000);
});

/** Sends `data` on a new connection; resolves true if the server closes it within a second. */
function tcpAbuse(port: number, data: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(data));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 1000);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
