import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { pino } from 'pino';
import { TestScheduler } from 'rxjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Srf } from '../../src/index.js';
import type { Connection } from '../../src/transport/connection.js';
import { ConnectionTable } from '../../src/transport/connection-table.js';
import { freePort } from '../support/ports.js';

function options(callId: string, extra = ''): string {
  return [
    'OPTIONS sip:x@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK${callId};rport`,
    'Max-Forwards: 70',
    'To: <sip:x@127.0.0.1>',
    'From: <sip:t@127.0.0.1>;tag=t',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    extra,
    'Content-Length: 0',
    '',
    '',
  ]
    .filter((l, i, all) => l !== '' || i >= all.length - 2)
    .join('\r\n');
}

describe('transport limits over real sockets', () => {
  let srf: Srf;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    srf = new Srf({ logger: pino({ level: 'silent' }) });
    await srf.start({ listen: [`127.0.0.1:${port}`], limits: { maxRequestBytes: 2000 } });
  });

  afterAll(() => srf.close());

  it('answers a request larger than the limit with 513 Message Too Large', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const reply = new Promise<string>((resolve) => socket.once('message', (d) => resolve(d.toString())));
    socket.send(options('big-1', `X-Padding: ${'p'.repeat(3000)}`), port, '127.0.0.1');
    expect((await reply).split('\r\n')[0]).toBe('SIP/2.0 513 Message Too Large');
    socket.close();
  });

  it('answers an RFC 5626 CRLFCRLF keep-alive on TCP with CRLF, and keeps serving the connection', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let received = '';
    socket.on('data', (d) => (received += d.toString()));
    socket.write('\r\n\r\n');
    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received).toBe('\r\n');
    socket.write(options('tcp-after-ping').replace('SIP/2.0/UDP', 'SIP/2.0/TCP'));
    for (let i = 0; i < 100 && !received.includes('200 OK'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(received).toContain('SIP/2.0 200 OK');
    socket.destroy();
  });
});

describe('ConnectionTable (virtual time)', () => {
  function fake(
    flowId: string,
    table: ConnectionTable,
    lastActivity: () => number,
  ): Connection & { closed: boolean } {
    const connection = {
      flowId,
      protocol: 'tcp' as const,
      remote: { address: '192.0.2.1', port: Number(flowId.replace(/\D/g, '')) },
      local: { protocol: 'tcp' as const, address: '127.0.0.1', port: 5060 },
      get lastActivity() {
        return lastActivity();
      },
      set lastActivity(_v: number) {},
      closed: false,
      send: () => undefined,
      close() {
        this.closed = true;
        table.remove(this);
      },
    };
    return connection;
  }

  it('closes connections idle longer than idleTimeoutMs and reports their flows closing', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const closedFlows: Array<[number, string]> = [];
    scheduler.run(() => {
      const table = new ConnectionTable(
        {
          maxConnections: 10,
          idleTimeoutMs: 60_000,
          messageTimeoutMs: 0,
          maxPendingConnectionsPerAddress: 10,
        },
        scheduler,
        pino({ level: 'silent' }),
      );
      table.flowClosed$.subscribe((flow) => closedFlows.push([scheduler.now(), flow]));
      const idle = fake('tcp-1', table, () => 0);
      let busyAt = 0;
      const busy = fake('tcp-2', table, () => busyAt);
      table.add(idle);
      table.add(busy);
      // busy keeps talking every 10 s for two minutes.
      for (let t = 10_000; t <= 120_000; t += 10_000) scheduler.schedule(() => (busyAt = t), t);
      scheduler.schedule(() => table.closeAll(), 150_000);
    });
    // The sweep runs every idleTimeout/4 = 15 s: the idle one goes at the first sweep past 60 s.
    expect(closedFlows[0]).toEqual([75_000, 'tcp-1']);
    expect(closedFlows.map(([, f]) => f)).toEqual(['tcp-1', 'tcp-2']);
  });

  it('refuses connections beyond maxConnections', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(() => {
      const table = new ConnectionTable(
        { maxConnections: 2, idleTimeoutMs: 0, messageTimeoutMs: 0, maxPendingConnectionsPerAddress: 10 },
        scheduler,
        pino({ level: 'silent' }),
      );
      table.add(fake('tcp-1', table, () => 0));
      expect(table.hasRoom()).toBe(true);
      table.add(fake('tcp-2', table, () => 0));
      expect(table.hasRoom()).toBe(false);
    });
  });
});
