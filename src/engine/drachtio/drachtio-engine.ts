import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { type Logger, pino } from 'pino';
import { asyncScheduler, type Observable, type SchedulerLike, Subject } from 'rxjs';
import type { SipMeta } from '../../drachtio-wire/sip-meta.js';
import { createResponse } from '../../sip/build.js';
import type { SipRequest, SipResponse } from '../../sip/message.js';
import { hostPort, type ListeningPoint, PROTOCOLS, type Protocol } from '../../transport/types.js';
import type { Engine, InboundRequest, LostDialog, OutboundEvent, SendOptions } from '../engine.js';
import type { DrachtioCdr, DrachtioConnectionEvent } from './connection-event.js';
import { DialogIds } from './dialog-ids.js';
import {
  DEFAULT_DRACHTIO_LIMITS,
  DRACHTIO_METHODS,
  type DrachtioConnectOptions,
  type DrachtioEngineOptions,
  type DrachtioLimits,
  type DrachtioListenOptions,
  validateConnectOptions,
  validateListenOptions,
} from './drachtio-options.js';
import { DrachtioInbound, sourceOf } from './inbound-request.js';
import { type ResponseHandlers, sendOverLink } from './outbound-request.js';
import { Reconnector } from './reconnector.js';
import { DrachtioAuthError, ServerLink } from './server-link.js';

const CDR_VERBS = ['cdr:attempt', 'cdr:start', 'cdr:stop'];

/**
 * The engine boundary over the drachtio wire protocol: rxsip attached to drachtio-servers
 * instead of its own sockets. `connect` dials a server's admin port (reconnecting with back-off,
 * TLS kept); `listen` takes the servers' outbound connections, several at once. New requests
 * arrive on `requests$`, requests go out through the server that owns their dialog (or the
 * first connected), pings find a dead connection, and when a connection is lost its dialogs are
 * reported on `dialogLost$` and its transactions answered 503.
 *
 * @example
 * ```ts
 * const engine = new DrachtioEngine();
 * engine.events$.subscribe((e) => console.log(e.type));
 * await engine.connect({ host: '127.0.0.1', port: 9022, secret: 'cymru' });
 * const srf = new Srf().attach(engine);
 * ```
 */
export class DrachtioEngine implements Engine {
  private readonly inbound = new Subject<InboundRequest>();
  private readonly lost = new Subject<LostDialog>();
  private readonly events = new Subject<DrachtioConnectionEvent>();
  private readonly flows = new Subject<string>();
  private readonly cdrs = new Subject<DrachtioCdr>();
  private readonly links = new Map<string, ServerLink>();
  private readonly dialogs: DialogIds;
  private readonly waiting = new Map<string, ResponseHandlers>();
  private readonly pending = new Map<ServerLink, Set<DrachtioInbound>>();
  private readonly reconnectors = new Set<Reconnector>();
  private readonly servers = new Set<Server>();
  private readonly limits: DrachtioLimits;
  private readonly methods: readonly string[];
  private readonly log: Logger;
  private readonly scheduler: SchedulerLike;
  private count = 0;
  private cdrWanted = false;
  private closing = false;

  /** New requests and ACKs for 2xx from every connected server. */
  readonly requests$: Observable<InboundRequest> = this.inbound.asObservable();
  /** Dialogs whose server connection was lost: the layer above ends them with the reason. */
  readonly dialogLost$: Observable<LostDialog> = this.lost.asObservable();
  /** Connections made, lost, retried, refused. */
  readonly events$: Observable<DrachtioConnectionEvent> = this.events.asObservable();
  /** Flow ids (`drachtio:<n>`) of connections as they close. */
  readonly flowClosed$: Observable<string> = this.flows.asObservable();

  /** @param options - methods routed, limits, logger, scheduler */
  constructor(options: DrachtioEngineOptions = {}) {
    this.limits = Object.assign({}, DEFAULT_DRACHTIO_LIMITS, options.limits);
    this.methods = (options.methods ?? DRACHTIO_METHODS).map((m) => m.toLowerCase());
    this.log = options.logger ?? pino({ name: 'rxsip', level: 'warn' });
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.dialogs = new DialogIds(this.limits.maxDialogs);
  }

  /** Call detail records from the servers; subscribing routes `cdr:attempt`, `cdr:start`, `cdr:stop`. */
  get cdr$(): Observable<DrachtioCdr> {
    if (!this.cdrWanted) {
      this.cdrWanted = true;
      for (const link of this.links.values()) link.route(CDR_VERBS);
    }
    return this.cdrs.asObservable();
  }

  /** Servers connected and authenticated now. */
  get connections(): number {
    return [...this.links.values()].filter((l) => l.ready).length;
  }

  /**
   * Dials a drachtio-server's admin port (`srf.connect`). Resolves once authenticated; rejects
   * when the first attempt fails or the secret is refused. A connection lost later is dialled
   * again with back-off, with the same TLS options.
   *
   * @param options - host, port, secret, tags, TLS, reconnection, pings
   * @returns once connected
   */
  connect(options: DrachtioConnectOptions): Promise<void> {
    validateConnectOptions(options);
    const server = hostPort(options.host, options.port ?? 9022);
    const dial = (): Socket =>
      options.tls
        ? tlsConnect({ host: options.host, port: options.port ?? 9022, ...options.tls })
        : netConnect({ host: options.host, port: options.port ?? 9022 });
    const reconnector = new Reconnector(server, options.reconnect ?? {}, this.scheduler, {
      dial: () => this.adopt(dial(), server, options, options.tls ? 'secureConnect' : 'connect'),
      event: (event) => this.events.next(event),
      stopped: () => this.reconnectors.delete(reconnector),
    });
    this.reconnectors.add(reconnector);
    return reconnector.start();
  }

  /**
   * Takes drachtio-servers' outbound connections (`srf.listen`), several at once: each sends
   * `authenticate` with the secret and tags once connected.
   *
   * @param options - port, host, secret, tags, TLS
   * @returns the address listened on
   */
  async listen(options: DrachtioListenOptions): Promise<{ host: string; port: number }> {
    validateListenOptions(options);
    const server = options.tls ? createTlsServer(options.tls) : createServer();
    server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      const remote = hostPort(socket.remoteAddress ?? '', socket.remotePort ?? 0);
      if (this.links.size >= this.limits.maxConnections) {
        this.log.warn(
          { remote, limit: this.limits.maxConnections },
          'drachtio: connection refused: maxConnections',
        );
        socket.destroy();
        return;
      }
      this.adopt(socket, remote, options).catch((error: unknown) =>
        this.log.warn({ err: error, remote }, 'drachtio: server connection failed'),
      );
    });
    server.on('error', (err) => this.log.error({ err }, 'drachtio: listening socket error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.servers.add(server);
    const address = server.address();
    return typeof address === 'object' && address
      ? { host: address.address, port: address.port }
      : { host: options.host ?? '127.0.0.1', port: options.port };
  }

  /**
   * A socket to a server becomes a link: authenticated, routed, pinged. Resolves with the link
   * once ready, after which its close is reported; rejects when it fails before.
   */
  private adopt(
    socket: Socket,
    server: string,
    options: DrachtioConnectOptions | DrachtioListenOptions,
    waitFor?: 'connect' | 'secureConnect',
  ): Promise<ServerLink> {
    return new Promise<ServerLink>((resolve, reject) => {
      const start = () => {
        socket.off('error', early);
        const link = new ServerLink(
          `drachtio:${++this.count}`,
          server,
          socket,
          this.limits,
          this.log,
          this.scheduler,
          {
            sip: (l, meta, message) => this.received(l, meta, message),
            cdr: (l, record, msg) => this.cdrs.next(Object.assign({}, record, { msg, flowId: l.id })),
            closed: (l, reason) => {
              if (l.ready) this.linkClosed(l, reason);
              else reject(new Error(`drachtio-server ${server}: ${reason}`));
            },
          },
        );
        // The server may hand over a request right behind its reply: the link is ready at once.
        const ready = () => {
          this.links.set(link.id, link);
          this.pending.set(link, new Set());
          // drachtio-srf routes in connect mode only; a server's outbound connection takes all.
          if (waitFor) link.route(this.methods);
          if (this.cdrWanted) link.route(CDR_VERBS);
          link.startPings(options.ping?.interval ?? 15_000);
          this.log.info({ server, flowId: link.id, version: link.version }, 'drachtio: connected');
          this.events.next({
            type: 'connected',
            server,
            flowId: link.id,
            hostports: link.points.map((p) => `${p.protocol}/${hostPort(p.host, p.port)}`).join(','),
            version: link.version,
          });
        };
        link.authenticate(options.secret, options.tags ?? [], ready).then(
          () => resolve(link),
          (error: Error) => {
            if (error instanceof DrachtioAuthError) this.events.next({ type: 'error', server, error });
            reject(error);
          },
        );
      };
      const early = (err: Error) => {
        this.events.next({ type: 'error', server, error: err });
        reject(err);
      };
      socket.once('error', early);
      if (waitFor) socket.once(waitFor, start);
      else start();
    });
  }

  private linkClosed(link: ServerLink, reason: string): void {
    this.links.delete(link.id);
    const why = `drachtio-server connection lost: ${reason}`;
    for (const [key, handlers] of [...this.waiting]) {
      if (!key.startsWith(`${link.id}|`)) continue;
      this.waiting.delete(key);
      handlers.lost(reason);
    }
    for (const inbound of [...(this.pending.get(link) ?? [])]) inbound.lose();
    this.pending.delete(link);
    for (const d of this.dialogs.takeLink(link.id))
      this.lost.next({ callId: d.callId, localTag: d.localTag, remoteTag: d.remoteTag, reason: why });
    this.log[this.closing ? 'info' : 'warn'](
      { server: link.server, flowId: link.id, reason },
      'drachtio: disconnected',
    );
    this.events.next({ type: 'disconnected', server: link.server, flowId: link.id, reason });
    this.flows.next(link.id);
  }

  private received(link: ServerLink, meta: SipMeta, message: SipRequest | SipResponse): void {
    if (message.type === 'response') {
      const handlers = this.waiting.get(`${link.id}|${meta.txnId}`);
      if (handlers) handlers.response(message, meta);
      else
        this.log.debug(
          { txnId: meta.txnId, status: message.status },
          'drachtio: response for no transaction',
        );
      return;
    }
    const pending = this.pending.get(link);
    if (!pending) return;
    if (message.method === 'CANCEL') {
      const invite = [...pending].find(
        (p) =>
          p.txnId === meta.txnId || (p.message.method === 'INVITE' && p.message.callId === message.callId),
      );
      invite?.cancel(message);
      return;
    }
    const source = sourceOf(meta, link.id);
    if (meta.dialogId) this.dialogs.receivedIn(message, meta.dialogId, link.id);
    const isAck = message.method === 'ACK';
    const inbound = new DrachtioInbound(message, source, link, isAck ? '' : meta.txnId, {
      answered: (request, response, dialogId, l) => this.dialogs.answered(request, response, dialogId, l.id),
      done: (done) => this.pending.get(done.link)?.delete(done),
    });
    if (!isAck) {
      if (pending.size >= this.limits.maxPendingRequests) {
        this.log.warn(
          { method: message.method, pending: pending.size },
          'drachtio: too many requests unanswered: 503',
        );
        inbound.respond(createResponse(message, 503));
        return;
      }
      pending.add(inbound);
    }
    // A BYE ends the dialog for the server as it arrives.
    if (message.method === 'BYE' && message.toTag)
      this.dialogs.forget(message.callId, message.toTag, message.fromTag ?? '');
    this.inbound.next(inbound);
  }

  private route(request: SipRequest, options: SendOptions | undefined) {
    const toTag = request.has('to') ? request.toTag : undefined;
    const dialog = toTag ? this.dialogs.find(request.callId, request.fromTag ?? '', toTag) : undefined;
    const link =
      (options?.flowId ? this.links.get(options.flowId) : undefined) ??
      (dialog ? this.links.get(dialog.link) : undefined) ??
      [...this.links.values()].find((l) => l.ready);
    if (!link) return undefined;
    return dialog && dialog.link === link.id ? { link, dialog } : { link };
  }

  /**
   * Sends a request through the server that owns its dialog (or, outside a dialog, the first
   * connected); see {@link Engine.send}. The server adds Via; a NOK from it, or a lost
   * connection, is a 481 or 503 the engine makes.
   *
   * @param request - the request, built by the layers above
   * @param options - the connection (`flowId`), an outbound proxy, when to CANCEL
   * @returns a cold Observable of `sent` and each response
   */
  send(request: SipRequest, options?: SendOptions): Observable<OutboundEvent> {
    return sendOverLink(
      {
        route: (r, o) => this.route(r, o),
        expect: (link, txnId, handlers) => {
          const key = `${link.id}|${txnId}`;
          this.waiting.set(key, handlers);
          return () => this.waiting.delete(key);
        },
        responded: (r, response, meta, link) => this.dialogs.responded(r, response, meta.dialogId, link.id),
      },
      request,
      options,
    );
  }

  /**
   * Sends the ACK for a 2xx in the dialog the server named in that 2xx.
   *
   * @param ack - the ACK the dialog layer built
   * @param options - the connection to use
   */
  sendAck(ack: SipRequest, options?: SendOptions): void {
    const routed = this.route(ack, options);
    if (!routed?.dialog) {
      this.log.warn({ callId: ack.callId }, 'drachtio: ACK for a dialog the server did not name: not sent');
      return;
    }
    routed.link.wire.send('sip', ['', routed.dialog.dialogId], ack.toString());
  }

  /** The first connected server's listening points: where SIP reaches this engine. */
  get listeningPoints(): readonly ListeningPoint[] {
    const link = [...this.links.values()].find((l) => l.ready);
    return (link?.points ?? [])
      .filter((p) => (PROTOCOLS as readonly string[]).includes(p.protocol))
      .map((p) => ({
        protocol: p.protocol as Protocol,
        address: p.host,
        port: p.port,
        advertised: { host: p.host, port: p.port },
      }));
  }

  /**
   * A Contact URI on the server's listening point for `protocol` (SIP reaches rxsip through it).
   *
   * @param protocol - the transport; UDP when omitted
   * @param user - the user part
   * @returns the URI
   */
  contactUri(protocol: Protocol = 'udp', user?: string): string {
    const points = this.listeningPoints;
    const point = points.find((p) => p.protocol === protocol) ?? points[0];
    const host = point ? hostPort(point.advertised.host, point.advertised.port) : '127.0.0.1';
    const transport = point && point.protocol !== 'udp' ? `;transport=${point.protocol}` : '';
    return `sip:${user ? `${user}@` : ''}${host}${transport}`;
  }

  /**
   * Closes every connection (no reconnection) and the listening sockets; completes the streams.
   *
   * @returns once the listening sockets are closed
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const reconnector of [...this.reconnectors]) reconnector.stop();
    for (const link of [...this.links.values()]) link.wire.close('engine closing');
    await Promise.all([...this.servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers.clear();
    this.inbound.complete();
    this.lost.complete();
    this.events.complete();
    this.flows.complete();
    this.cdrs.complete();
  }
}
