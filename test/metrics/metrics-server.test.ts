// The /metrics listener and the collector's life: what a scraper gets for each request, the
// errors a user can act on, and a collector that leaves its registry clean when closed.
import { connect } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsServer, Srf, SrfMetrics, startMetricsServer } from '../../src/index.js';
import { freePort } from '../support/ports.js';
import { fetchText, parseExposition, sampleValue } from './exposition.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function started(): Promise<Srf> {
  const srf = new Srf();
  await srf.start({ listen: [`udp:127.0.0.1:${await freePort()}`] });
  cleanups.push(() => srf.close());
  return srf;
}

async function serve(registry: Registry): Promise<MetricsServer> {
  const server = await startMetricsServer({ port: 0, registry });
  cleanups.push(() => server.close());
  return server;
}

describe('startMetricsServer', () => {
  it('serves GET and HEAD /metrics in the registry content type; 404 elsewhere, 405 for other methods', async () => {
    const registry = new Registry();
    const metrics = new SrfMetrics(await started(), { registry });
    cleanups.push(() => metrics.close());
    const server = await serve(registry);
    expect(server.host).toBe('127.0.0.1');
    const get = await fetchText(server.port, '/metrics?x=1');
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe(registry.contentType);
    expect(get.body).toContain('# TYPE rxsip_calls_total counter');
    expect(get.body).toContain('# TYPE rxsip_dialogs gauge');
    expect(sampleValue(parseExposition(get.body), 'rxsip_dialogs')).toBe(0);
    const head = await fetchText(server.port, '/metrics', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
    expect((await fetchText(server.port, '/')).status).toBe(404);
    const post = await fetchText(server.port, '/metrics', 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('answers 500 when the registry fails to collect', async () => {
    const registry = new Registry();
    const server = await serve(registry);
    registry.metrics = () => Promise.reject(new Error('boom'));
    const res = await fetchText(server.port, '/metrics');
    expect(res.status).toBe(500);
    expect(res.body).toContain('boom');
  });

  it('names a bad option, and rejects a port already taken', async () => {
    await expect(startMetricsServer({ port: 70000 })).rejects.toThrow(/metrics server options: port/);
    await expect(startMetricsServer({ port: 0, hots: 'x' } as never)).rejects.toThrow(
      /metrics server options: hots: unknown option/,
    );
    const first = await serve(new Registry());
    await expect(startMetricsServer({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('SrfMetrics', () => {
  it('refuses a registry that already has rxsip metrics, and leaves it empty once closed', async () => {
    const srf = await started();
    const registry = new Registry();
    const metrics = new SrfMetrics(srf, { registry });
    expect(() => new SrfMetrics(srf, { registry })).toThrow(/already has rxsip metrics/);
    expect(() => new SrfMetrics(srf, { registry: new Registry(), eventLoopResolution: 0 })).toThrow(
      /eventLoopResolution/,
    );
    expect(registry.getMetricsAsArray().length).toBe(12);
    metrics.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
    // The same registry takes a new collector once the first one is closed.
    new SrfMetrics(srf, { registry }).close();
  });

  it('needs a started Srf', () => {
    expect(() => new SrfMetrics(new Srf(), { registry: new Registry() })).toThrow(/not started/);
  });

  it('counts open connections by transport: a TCP client that sent an OPTIONS, until it leaves', async () => {
    const port = await freePort();
    const srf = new Srf();
    await srf.start({ listen: [`tcp:127.0.0.1:${port}`] });
    cleanups.push(() => srf.close());
    const registry = new Registry();
    const metrics = new SrfMetrics(srf, { registry });
    cleanups.push(() => metrics.close());
    const tcp = async () =>
      sampleValue(parseExposition(await registry.metrics()), 'rxsip_connections', { transport: 'tcp' });
    expect(await tcp()).toBe(0);
    const socket = connect(port, '127.0.0.1');
    const answered = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.write(
      [
        'OPTIONS sip:127.0.0.1 SIP/2.0',
        'Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-metrics-1',
        'From: <sip:probe@127.0.0.1>;tag=1',
        'To: <sip:127.0.0.1>',
        'Call-ID: metrics-tcp-1',
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    expect(await answered).toMatch(/^SIP\/2\.0 200/);
    expect(await tcp()).toBe(1);
    expect(
      sampleValue(parseExposition(await registry.metrics()), 'rxsip_connections', { transport: 'tls' }),
    ).toBe(0);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.end();
    await closed;
    for (let i = 0; i < 100 && (await tcp()) !== 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await tcp()).toBe(0);
  });

  it('shows the drain: rxsip_draining is 1 once srf.drain() is called', async () => {
    const srf = await started();
    const registry = new Registry();
    const metrics = new SrfMetrics(srf, { registry });
    cleanups.push(() => metrics.close());
    const draining = async () => sampleValue(parseExposition(await registry.metrics()), 'rxsip_draining');
    expect(await draining()).toBe(0);
    await srf.drain({ deadline: 0 });
    expect(await draining()).toBe(1);
  });
});
