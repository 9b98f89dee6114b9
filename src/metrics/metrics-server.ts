// The optional HTTP listener for Prometheus: GET /metrics, node's own http, nothing else.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Registry, type RegistryContentType, register } from 'prom-client';
import { z } from 'zod';
import { describeIssue } from '../engine/embedded-engine.js';

/** Where {@link startMetricsServer} listens, and what it serves. */
export interface MetricsServerOptions {
  /** The TCP port; 0 takes a free one (the server's `port` tells which). */
  port: number;
  /** The address to listen on (default `127.0.0.1`: metrics are for the operator's scraper, not the world). */
  host?: string;
  /** The registry served (prom-client's default `register` when omitted). */
  registry?: Registry<RegistryContentType>;
  /** Scrapes served at once at most; more connections wait in the kernel's queue (default 16). */
  maxConnections?: number;
}

/** A running metrics listener. */
export interface MetricsServer {
  /** The address it listens on. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /**
   * Stops listening and closes open connections.
   *
   * @returns resolves once closed
   */
  close(): Promise<void>;
}

const schema = z.strictObject({
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1).optional(),
  registry: z
    .custom<Registry>((v) => typeof v === 'object' && v !== null && 'metrics' in v, 'a prom-client Registry')
    .optional(),
  maxConnections: z.number().int().positive().optional(),
});

// A scraper that does not finish its request in this long is cut off.
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Serves a prom-client registry at `http://host:port/metrics` for Prometheus: GET and HEAD, in
 * the registry's content type. Other paths get 404, other methods 405; a registry that fails to
 * collect, 500.
 *
 * @param options - port, host (127.0.0.1 by default), registry; a bad field is a `TypeError`
 * @returns the server, once listening; rejects when the port cannot be bound
 * @example
 * ```ts
 * import { startMetricsServer } from 'rxsip';
 *
 * const server = await startMetricsServer({ port: 9464 });
 * console.log(`scrape http://${server.host}:${server.port}/metrics`);
 * ```
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const checked = schema.safeParse(options);
  if (!checked.success) throw new TypeError(describeIssue('metrics server options', checked.error.issues[0]));
  const registry = options.registry ?? register;
  const server = createServer((req, res) => void serve(registry, req, res));
  server.maxConnections = options.maxConnections ?? 16;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  registry: Registry<RegistryContentType>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: metrics are at /metrics\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  try {
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics collection failed: ${String(err)}\n`);
  }
}
