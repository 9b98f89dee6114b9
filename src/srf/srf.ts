import { type Logger, pino } from 'pino';
import {
  asyncScheduler,
  filter,
  firstValueFrom,
  map,
  type Observable,
  type SchedulerLike,
  Subject,
  type Subscription,
  takeWhile,
} from 'rxjs';
import type { CdrEvent } from '../dialogs/cdr.js';
import type { Dialog } from '../dialogs/dialog.js';
import { DialogCore } from '../dialogs/dialog-core.js';
import { DEFAULT_SESSION_TIMERS, type SessionTimerConfig } from '../dialogs/session-timer-terms.js';
import { uac$ } from '../dialogs/uac.js';
import type { UacOptions, UacProgress } from '../dialogs/uac-options.js';
import { acceptInvite } from '../dialogs/uas-invite.js';
import { UserAgent, type UserAgentTimers } from '../dialogs/user-agent.js';
import { recordAttempt, recordRejection } from './call-records.js';
import { Drain, type DrainOptions, type DrainResult } from './drain.js';
import { type SrfOptions, validateSrfOptions } from './srf-options.js';

export type { SrfOptions } from './srf-options.js';

import type { DrachtioConnectionEvent } from '../engine/drachtio/connection-event.js';
import { DrachtioEngine } from '../engine/drachtio/drachtio-engine.js';
import type {
  DrachtioConnectOptions,
  DrachtioEngineOptions,
  DrachtioListenOptions,
} from '../engine/drachtio/drachtio-options.js';
import { type EmbeddedEngineOptions, startEmbeddedEngine } from '../engine/embedded-engine.js';
import type { Engine, InboundRequest, LostDialog } from '../engine/engine.js';
import { forwardRouted } from '../proxy/route-forwarding.js';
import { withDigestAuth } from '../requests/digest-client.js';
import { buildRequest, type RequestOptions } from '../requests/out-of-dialog-request.js';
import { RequestRouter } from '../requests/request-router.js';
import type { RequestEvent } from '../requests/srf-request.js';
import { createResponse } from '../sip/build.js';
import type { SipResponse } from '../sip/message.js';

/**
 * The application's handle on SIP, reactive: new requests as streams (all of them on
 * `requests$`, one method on `invite$`, `register$`, ...), calls placed with `call$`, requests
 * outside a dialog with `send$`, call detail records on `cdr$`, over an engine (the embedded one
 * by default). drachtio-srf's callback and middleware forms are on `rxsip/drachtio`'s Srf.
 *
 * @example
 * ```ts
 * import { Srf } from 'rxsip';
 *
 * const srf = new Srf();
 * await srf.start({ listen: ['127.0.0.1:5060'] });
 * srf.options$.subscribe(({ res }) => res.send(200));
 * srf.cdr$.subscribe((cdr) => console.log(cdr.type, cdr.time));
 * ```
 */
export class Srf {
  private engineRef: Engine | undefined;
  private ua: UserAgent | undefined;
  private readonly scheduler: SchedulerLike;
  private readonly timers: UserAgentTimers;
  private readonly random: (() => number) | undefined;
  private readonly sessionTimers: SessionTimerConfig;
  private subscription: Subscription | undefined;
  private drainer: Drain | undefined;
  private drachtio: DrachtioEngine | undefined;
  private readonly connections = new Subject<DrachtioConnectionEvent>();
  /** @internal Routes new requests by method. */
  protected readonly router: RequestRouter;
  /** The logger. */
  readonly log: Logger;
  /** Every new request outside a dialog, as `{req, res}`: whoever subscribes answers all of them. */
  readonly requests$: Observable<RequestEvent>;
  /** New INVITEs. While subscribed, other methods keep the stack's default answers. */
  readonly invite$: Observable<RequestEvent>;
  /** REGISTER requests. */
  readonly register$: Observable<RequestEvent>;
  /** OPTIONS outside a dialog (answered 200 with Allow when nobody subscribes). */
  readonly options$: Observable<RequestEvent>;
  /** SUBSCRIBE requests that create a subscription. */
  readonly subscribe$: Observable<RequestEvent>;
  /** NOTIFY requests outside a dialog. */
  readonly notify$: Observable<RequestEvent>;
  /** REFER requests outside a dialog. */
  readonly refer$: Observable<RequestEvent>;
  /** MESSAGE requests (RFC 3428) outside a dialog. */
  readonly message$: Observable<RequestEvent>;
  /** PUBLISH requests (RFC 3903). */
  readonly publish$: Observable<RequestEvent>;
  /** INFO outside a dialog (answered 481 when nobody subscribes). */
  readonly info$: Observable<RequestEvent>;
  /** UPDATE outside a dialog (answered 481 when nobody subscribes). */
  readonly update$: Observable<RequestEvent>;
  /** BYE outside a dialog (answered 481 when nobody subscribes). */
  readonly bye$: Observable<RequestEvent>;
  /** PRACK outside a dialog (answered 481 when nobody subscribes). */
  readonly prack$: Observable<RequestEvent>;

  /** @param options - logger, scheduler, timers */
  constructor(options: SrfOptions = {}) {
    validateSrfOptions(options);
    this.log = options.logger ?? pino({ name: 'rxsip', level: 'warn' });
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.timers = { t1: 500, t2: 4000, ...options.timers };
    this.random = options.random;
    this.sessionTimers = Object.assign({}, DEFAULT_SESSION_TIMERS, options.sessionTimers);
    this.router = new RequestRouter(this.log, {
      context: () => this.ua,
      channelFor: (req) => (this.ua && req.method === 'INVITE' ? acceptInvite(this.ua, req) : undefined),
      received: (req) => recordAttempt(this.ua, req),
      finalSent: (req, response) => recordRejection(this.ua, req, response),
    });
    const r = this.router;
    this.requests$ = r.all$;
    this.invite$ = r.forMethods(['INVITE']);
    this.register$ = r.forMethods(['REGISTER']);
    this.options$ = r.forMethods(['OPTIONS']);
    this.subscribe$ = r.forMethods(['SUBSCRIBE']);
    this.notify$ = r.forMethods(['NOTIFY']);
    this.refer$ = r.forMethods(['REFER']);
    this.message$ = r.forMethods(['MESSAGE']);
    this.publish$ = r.forMethods(['PUBLISH']);
    this.info$ = r.forMethods(['INFO']);
    this.update$ = r.forMethods(['UPDATE']);
    this.bye$ = r.forMethods(['BYE']);
    this.prack$ = r.forMethods(['PRACK']);
  }

  /**
   * Starts the embedded engine on the given listening points and attaches to it.
   *
   * @param options - listening points, TLS, limits, timers
   * @returns this Srf, once listening
   */
  async start(options: EmbeddedEngineOptions): Promise<this> {
    return this.attach(await startEmbeddedEngine({ logger: this.log, ...options }));
  }

  /**
   * Uses an engine already running (the in-memory engine in tests).
   *
   * @param engine - the engine
   * @returns this Srf
   */
  attach(engine: Engine): this {
    if (this.engineRef) throw new Error('srf: already attached to an engine');
    this.engineRef = engine;
    this.ua = new UserAgent(engine, this.scheduler, this.log, this.timers, this.random, this.sessionTimers);
    this.subscription = engine.requests$.subscribe((inbound) => this.dispatch(inbound));
    const lost = engine.dialogLost$?.subscribe((dialog) => this.lose(dialog));
    if (lost) this.subscription.add(lost);
    return this;
  }

  /**
   * Attaches to a drachtio-server (drachtio-srf's `connect`): dials its admin port, authenticates
   * with the secret and tags, and announces the methods. A connection lost later is dialled again
   * with back-off (TLS kept); its calls end with a reason that says so. Called again, it adds
   * another server.
   *
   * @param options - host, port, secret, tags, TLS, methods, reconnection, pings, limits
   * @returns this Srf, once authenticated; rejects when the server cannot be reached or refuses the secret
   * @example
   * ```ts
   * const srf = new Srf();
   * srf.connection$.subscribe((e) => console.log(e.type));
   * await srf.connect({ host: '127.0.0.1', port: 9022, secret: 'cymru' });
   * ```
   */
  connect(options: DrachtioConnectOptions): Promise<this> {
    return this.overDrachtio(options, (engine) => engine.connect(options));
  }

  /**
   * Takes drachtio-servers' outbound connections (drachtio-srf's `listen`), several at once.
   *
   * @param options - port, host, secret, tags, TLS
   * @returns this Srf, once listening
   * @example
   * ```ts
   * await new Srf().listen({ port: 4000, secret: 'cymru' });
   * ```
   */
  listen(options: DrachtioListenOptions): Promise<this> {
    return this.overDrachtio(options, (engine) => engine.listen(options));
  }

  /** Connections to drachtio-servers: connected, disconnected (with the reason), reconnecting, error. */
  get connection$(): Observable<DrachtioConnectionEvent> {
    return this.connections.asObservable();
  }

  private async overDrachtio(
    options: DrachtioEngineOptions,
    open: (engine: DrachtioEngine) => Promise<unknown>,
  ) {
    if (this.drachtio) {
      await open(this.drachtio);
      return this;
    }
    if (this.engineRef)
      throw new Error('srf: already attached to an engine; connect and listen need an Srf of their own');
    const engine = new DrachtioEngine({
      logger: this.log,
      scheduler: this.scheduler,
      ...(options.methods ? { methods: options.methods } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
    engine.events$.subscribe((event) => this.connections.next(event));
    try {
      await open(engine);
    } catch (err) {
      await engine.close();
      throw err;
    }
    this.drachtio = engine;
    return this.attach(engine);
  }

  // The engine lost the connection a dialog was on: the dialog ends with that reason.
  private lose(lost: LostDialog): void {
    const dialog = this.ua?.dialogs.find(lost.callId, lost.localTag, lost.remoteTag);
    if (dialog instanceof DialogCore) dialog.terminate(lost.reason, 'remote');
  }

  /** @internal The user agent, once attached. */
  protected get agent(): UserAgent {
    if (!this.ua) throw new Error('srf: not started; call srf.start({listen}) or srf.attach(engine) first');
    return this.ua;
  }

  /** Call detail records: attempt, start and stop, as drachtio-srf's cdr events. */
  get cdr$(): Observable<CdrEvent> {
    return this.agent.cdrs.asObservable();
  }

  /** Dialogs alive now. */
  get dialogCount(): number {
    return this.ua?.dialogs.size ?? 0;
  }

  /** The engine, once started or attached. */
  get engine(): Engine {
    if (!this.engineRef)
      throw new Error('srf: not started; call srf.start({listen}) or srf.attach(engine) first');
    return this.engineRef;
  }

  private dispatch(inbound: InboundRequest): void {
    const message = inbound.message;
    try {
      // Requests our Record-Route brought back go on (RFC 3261 §16.4).
      if (this.ua && message.has('route') && forwardRouted(this.ua, inbound)) return;
      if (message.method === 'ACK') {
        this.ua?.route(inbound);
        return;
      }
      if (message.toTag !== undefined) {
        // RFC 3261 §12.2.2: an in-dialog request for no dialog we know gets 481.
        if (!this.ua?.route(inbound)) inbound.respond(createResponse(message, 481));
        return;
      }
      if (this.drainer?.refuses(inbound)) return;
      this.router.route(inbound);
    } catch (err) {
      this.log.error({ err, method: message.method }, 'failed to dispatch a request');
      if (!inbound.finalSent) inbound.respond(createResponse(message, 500));
    }
  }

  /** @internal The host in a From we make up. */
  protected localHost(): string {
    return this.engine.listeningPoints[0]?.advertised.host ?? 'localhost';
  }

  /**
   * Sends a request outside a dialog (cold: on subscribe). Emits every response and completes
   * after the final one; a 401/407 is answered once when `auth` is given. Unsubscribing before
   * the final response CANCELs an INVITE.
   *
   * @param uri - the Request-URI (`host[:port]` gets `sip:`)
   * @param options - method, headers, body, auth, proxy
   * @returns the responses
   * @example
   * ```ts
   * import type { Srf } from 'rxsip';
   *
   * declare const srf: Srf;
   * srf.send$('sip:192.0.2.4', { method: 'OPTIONS' }).subscribe((res) => console.log(res.status));
   * ```
   */
  send$(uri: string, options: RequestOptions): Observable<SipResponse> {
    const request = buildRequest(uri, options, this.localHost());
    return withDigestAuth(request, (r) => this.engine.send(r, { proxy: options.proxy }), options.auth).pipe(
      filter((e) => e.kind === 'response'),
      map((e) => e.response),
      takeWhile((r) => r.status < 200, true),
    );
  }

  /**
   * Sends a request outside a dialog and resolves with its final response, whatever its status.
   *
   * @param uri - the Request-URI
   * @param options - method, headers, body, auth, proxy
   * @returns the final response
   */
  send(uri: string, options: RequestOptions): Promise<SipResponse> {
    return firstValueFrom(this.send$(uri, options).pipe(filter((r) => r.status >= 200)));
  }

  /**
   * Places a call (cold): progress (`request`, each `provisional`), then the `dialog`.
   * Unsubscribing before the answer sends CANCEL. The call is the application's: a non-2xx final
   * errors with SipError.
   *
   * @param uri - who to call
   * @param options - SDP, headers, auth, proxy, redirects, 100rel, session timer
   * @returns the call's progress, ending with the dialog
   * @example
   * ```ts
   * import type { Srf } from 'rxsip';
   *
   * declare const srf: Srf;
   * declare const localSdp: string;
   * srf.call$('sip:bob@192.0.2.4', { localSdp }).subscribe({
   *   next: (p) => {
   *     if (p.type === 'provisional') console.log('ringing', p.response.status);
   *     if (p.type === 'dialog') console.log('answered', p.dialog.id);
   *   },
   *   error: (err) => console.log('not answered', err),
   * });
   * ```
   */
  call$(uri: string, options: UacOptions = {}): Observable<UacProgress> {
    return uac$(this.agent, uri, options);
  }

  /**
   * Places a call and resolves with the dialog once answered; rejects with SipError otherwise.
   *
   * @param uri - who to call
   * @param options - as for `call$`: SDP, headers, auth, proxy, redirects, 100rel, session timer
   * @returns the UAC dialog
   */
  call(uri: string, options: UacOptions = {}): Promise<Dialog> {
    return firstValueFrom(
      this.call$(uri, options).pipe(
        filter(
          (p): p is Extract<UacProgress, { dialog: Dialog }> => p.type === 'dialog' || p.type === 'offer',
        ),
        map((p) => p.dialog),
      ),
    );
  }

  /**
   * Drains before a stop: new INVITE, SUBSCRIBE, REFER and OPTIONS requests get 503 with
   * Retry-After (a dispatcher's probes see the node down), dialogs go on until they end or the
   * deadline, when those left are ended with BYE. Call `close()` once it resolves.
   *
   * @param options - `deadline` (ms, default 30 000), `retryAfter` (s, default 30)
   * @returns resolves once no dialog or call being set up is left
   * @example
   * ```ts
   * process.once('SIGTERM', () => srf.drain({ deadline: 60_000 }).then(() => srf.close()));
   * ```
   */
  drain(options: DrainOptions = {}): Promise<DrainResult> {
    this.drainer ??= new Drain(this.agent);
    return this.drainer.start(options);
  }

  /** True once `drain()` was called. */
  get draining(): boolean {
    return this.drainer?.active ?? false;
  }

  /**
   * Stops the engine and completes every stream; dialogs end (system-initiated).
   *
   * @returns a promise that resolves once the engine has closed its sockets
   */
  async close(): Promise<void> {
    this.ua?.close();
    this.subscription?.unsubscribe();
    this.router.complete();
    await this.engineRef?.close();
  }
}
