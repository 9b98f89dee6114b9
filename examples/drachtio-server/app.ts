// rxsip as a drachtio-server: unmodified drachtio-srf apps connect to the admin port (their
// srf.connect) or, when they listen (srf.listen), are dialled for each new call; their calls run
// on rxsip's embedded engine. index.ts is the command line.
import type { Logger } from 'pino';
import { type DrachtioServer, type EmbeddedEngineOptions, startDrachtioServer } from '../../src/index.js';

export interface DrachtioServerAppOptions {
  /** SIP listening points, `[protocol:]host:port`. */
  listen: string[];
  /** The embedded engine's other options (TLS, identity). */
  engine: Omit<EmbeddedEngineOptions, 'listen' | 'logger'>;
  /** Where apps connect. */
  admin: { host: string; port: number };
  /** The secret apps authenticate with. */
  secret: string;
  /** An app that listens, dialled for requests no connected app routes. */
  outbound?: { host: string; port: number };
  log: Logger;
}

/** `host:port` (IPv6 in brackets) as host and port, or undefined when it is not that. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const [, hostText = '', portText = ''] = match;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return { host: hostText.startsWith('[') ? hostText.slice(1, -1) : hostText, port };
}

/** Starts the server and logs the apps' connections and the SIP listening points. */
export async function drachtioServerApp(options: DrachtioServerAppOptions): Promise<DrachtioServer> {
  const server = await startDrachtioServer({
    sip: { listen: options.listen, ...options.engine },
    admin: options.admin,
    secret: options.secret,
    ...(options.outbound ? { outbound: options.outbound } : {}),
    logger: options.log,
  });
  options.log.info(
    {
      admin: server.adminAddress,
      sip: server.engine.listeningPoints.map((p) => `${p.protocol}/${p.address}:${p.port}`),
      outbound: options.outbound,
    },
    'drachtio server ready',
  );
  return server;
}
