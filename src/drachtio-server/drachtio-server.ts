import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { pino } from 'pino';
import { asyncScheduler, type Subscription } from 'rxjs';
import { UserAgent } from '../dialogs/user-agent.js';
import { formatHostPorts } from '../drachtio-wire/hostports.js';
import { startEmbeddedEngine } from '../engine/embedded-engine.js';
import type { Engine, InboundRequest } from '../engine/engine.js';
import { type AppConnection, AppRegistry } from './app-connection.js';
import { AppRequests } from './app-requests.js';
import { AppSessions } from './app-sessions.js';
import { CdrEmitter } from './cdr-emitter.js';
import { NetworkRequests } from './network-requests.js';
import type { IncomingTransaction, ServerCore } from './server-core.js';
import { ServerDialogs } from './server-dialogs.js';
import {
  DEFAULT_DRACHTIO_SERVER_LIMITS,
  type DrachtioOutboundOptions,
  type DrachtioServerOptions,
  validateDrachtioServerOptions,
} from './server-options.js';

/** The version rxsip's server announces: drachtio-srf pings servers at v0.8.2 or later. */
export const DRACHTIO_SERVER_VERSION = 'v0.9.0-rxsip';

/**
 * rxsip serving the drachtio wire protocol: unmodified drachtio-srf applications connect to its
 * admin port (`srf.connect`), or are dialled when they listen (`srf.listen`), and run on rxsip's
 * embedded engine instead of the C++ drachtio-server. Start one with {@link startDrachtioServer}.
 *
 * @example
 * ```ts
 * const server = await startDrachtioServer({
 *   sip: { listen: ['127.0.0.1:5060'] },
 *   admin: { host: '127.0.0.1', port: 9022 },
 *   secret: 'cymru',
 * });
 * // a drachtio-srf app: new Srf().connect({ host: '127.0.0.1', port: 9022, secret: 'cymru' })
 * await server.close();
 * ```
 */
export class DrachtioServer {
  private readonly apps = new AppRegistry();
  private readonly sessions: AppSessions;
  private readonly subscription: Subscription;
  private readonly core: ServerCore;

  /** @internal Use {@link startDrachtioServer}. */
  constructor(
    /** The SIP engine the apps' calls run on. */
    readonly engine: Engine,
    private readonly admin: Server | undefined,
    private readonly ownsEngine: boolean,
    options: DrachtioServerOptions,
  ) {
    const log = options.logger ?? pino({ name: 'rxsip-drachtio', level: 'warn' });
    const scheduler = options.scheduler ?? asyncScheduler;
    const ua = new UserAgent(engine, scheduler, log, { t1: 500, t2: 4000, ...options.timers });
    const released = (app: AppConnection) => this.sessions.released(app);
    this.core = {
      engine,
      scheduler,
      log,
      ua,
      apps: this.apps,
      dialogs: new ServerDialogs((dialog) => released(dialog.owner)),
      incoming: new Map<string, IncomingTransaction>(),
      cdr: new CdrEmitter(this.apps, scheduler),
      limits: Object.assign({}, DEFAULT_DRACHTIO_SERVER_LIMITS, options.limits),
    };
    const points = () => engine.listeningPoints;
    this.sessions = new AppSessions(this.core, new AppRequests(this.core, released), {
      secret: options.secret,
      version: DRACHTIO_SERVER_VERSION,
      hostports: () =>
        formatHostPorts(
          points().map((p) => ({ protocol: p.protocol, host: p.advertised.host, port: p.advertised.port })),
        ),
      localHostports: () =>
        formatHostPorts(points().map((p) => ({ protocol: p.protocol, host: p.address, port: p.port }))),
    });
    const outbound = options.outbound;
    const network = new NetworkRequests(
      this.core,
      outbound ? (inbound) => this.dial(outbound, inbound) : undefined,
      released,
    );
    this.subscription = engine.requests$.subscribe((inbound) => {
      try {
        network.receive(inbound);
      } catch (err) {
        log.error({ err, method: inbound.message.method }, 'drachtio server: failed to take a request');
      }
    });
    // A TLS server also emits 'connection' for the raw socket: only the secure one is an app.
    admin?.on(options.admin?.tls ? 'secureConnection' : 'connection', (socket: Socket) =>
      this.sessions.attach(socket, false),
    );
  }

  /** Where apps connect, once listening; undefined without an admin port. */
  get adminAddress(): { host: string; port: number } | undefined {
    const address = this.admin?.address();
    return address && typeof address === 'object' ? { host: address.address, port: address.port } : undefined;
  }

  /** App connections open now. */
  get connections(): number {
    return this.apps.size;
  }

  /** Dialogs the server keeps for its apps now. */
  get dialogCount(): number {
    return this.core.dialogs.size;
  }

  // Outbound mode: a connection to the listening app for one request, once it has authenticated.
  private dial(target: DrachtioOutboundOptions, inbound: InboundRequest): Promise<AppConnection | undefined> {
    return new Promise((resolve) => {
      const { log } = this.core;
      const socket = target.tls
        ? tlsConnect({ host: target.host, port: target.port, ...target.tls })
        : netConnect({ host: target.host, port: target.port });
      const failed = (err: Error) => {
        log.warn(
          { err, target, method: inbound.message.method },
          'drachtio server: cannot reach the listening app',
        );
        resolve(undefined);
      };
      socket.once('error', failed);
      socket.once(target.tls ? 'secureConnect' : 'connect', () => {
        socket.off('error', failed);
        const app = this.sessions.attach(socket, true);
        if (!app) resolve(undefined);
        else void this.sessions.authenticated(app).then((ok) => resolve(ok ? app : undefined));
      });
    });
  }

  /**
   * Closes the admin port and every app connection, and the engine when the server started it.
   *
   * @returns once closed
   */
  async close(): Promise<void> {
    this.subscription.unsubscribe();
    for (const app of this.apps.all()) app.wire.close('server closing');
    if (this.admin) await new Promise<void>((resolve) => this.admin?.close(() => resolve()));
    if (this.ownsEngine) await this.engine.close();
  }
}

/**
 * Starts rxsip's drachtio server: the SIP side on the embedded engine (or the engine given), the
 * admin port apps connect to, and the app dialled for requests no connected app routes.
 *
 * @param options - SIP listening points, admin port, secret, outbound app, limits
 * @returns the server, listening
 * @example
 * ```ts
 * const server = await startDrachtioServer({ sip: { listen: ['127.0.0.1:5060'] }, admin: { port: 9022 }, secret: 'cymru' });
 * console.log(server.adminAddress); // { host: '127.0.0.1', port: 9022 }
 * ```
 */
export async function startDrachtioServer(options: DrachtioServerOptions): Promise<DrachtioServer> {
  validateDrachtioServerOptions(options);
  const logger = options.logger ?? pino({ name: 'rxsip-drachtio', level: 'warn' });
  const engine =
    options.engine ??
    (await startEmbeddedEngine({
      logger,
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      ...(options.sip ?? { listen: [] }),
      // drachtio-server answers an INVITE 100 Trying at once: the app is a round trip away.
      timers: { tryingDelay: 0, ...options.sip?.timers },
    }));
  let admin: Server | undefined;
  if (options.admin) {
    const { host = '127.0.0.1', port = 9022, tls } = options.admin;
    admin = tls ? createTlsServer(tls) : createServer();
    const server = admin;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      if (!options.engine) await engine.close();
      throw err;
    }
    server.on('error', (err) => logger.error({ err }, 'drachtio server: admin port error'));
  }
  return new DrachtioServer(
    engine,
    admin,
    options.engine === undefined,
    Object.assign({}, options, { logger }),
  );
}
