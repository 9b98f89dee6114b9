import { type Logger, pino } from 'pino';
import {
  asyncScheduler,
  filter,
  firstValueFrom,
  map,
  type Observable,
  type SchedulerLike,
  type Subscription,
  share,
  takeWhile,
} from 'rxjs';
import { type B2buaOptions, b2buaProgress$ } from './dialogs/b2bua.js';
import type { CdrEvent } from './dialogs/cdr.js';
import type { Dialog } from './dialogs/dialog.js';
import { DEFAULT_SESSION_TIMERS, type SessionTimerConfig } from './dialogs/session-timer.js';
import { type UacOptions, type UacProgress, uac$ } from './dialogs/uac.js';
import { type UasOptions, uas$ } from './dialogs/uas.js';
import { UserAgent, type UserAgentTimers } from './dialogs/user-agent.js';
import { type EmbeddedEngineOptions, startEmbeddedEngine } from './engine/embedded-engine.js';
import type { Engine, InboundRequest } from './engine/engine.js';
import { type ProxyOptions, type ProxyResult, proxyRequest } from './proxy/proxy-request.js';
import { forwardRouted } from './proxy/route-forwarding.js';
import { ackFor2xx } from './sip/ack-for-2xx.js';
import { createResponse } from './sip/build.js';
import type { SipResponse } from './sip/message.js';
import { withDigestAuth } from './streams/digest-auth.js';
import { buildRequest, type RequestOptions } from './streams/out-of-dialog-request.js';
import { type RequestEvent, type RequestHandler, RequestRouter } from './streams/request-router.js';
import { RequestStream } from './streams/request-stream.js';
import { type AckFunction, SentRequest } from './streams/sent-request.js';
import type { SrfRequest } from './streams/srf-request.js';
import type { SrfResponse } from './streams/srf-response.js';

export interface SrfOptions {
  logger?: Logger;
  /** The scheduler dialog timers run on (2xx retransmission, session timers); a TestScheduler in tests. */
  scheduler?: SchedulerLike;
  /** T1/T2 for the UA core's 2xx retransmission (RFC 3261 §13.3.1.4); defaults 500/4000 ms. */
  timers?: Partial<UserAgentTimers>;
  /** Random numbers in [0, 1) for RSeq starts and the 491 back-off; injectable for tests. */
  random?: () => number;
  /** Session timers (RFC 4028): the interval asked for (`expires`) and the smallest accepted (`minSE`), seconds. */
  sessionTimers?: Partial<SessionTimerConfig>;
}

export interface CreateUacOptions extends UacOptions {
  uri?: string;
}

/** drachtio-srf's progress callbacks for createUac/createB2BUA. */
export interface ProgressCallbacks {
  /** The INVITE was sent: `req.cancel()` cancels it. drachtio-srf's signature `(err, req)`. */
  cbRequest?: (err: Error | null, req: SentRequest) => void;
  /** Each provisional response (not 100). */
  cbProvisional?: (res: SipResponse) => void;
}

type DialogCallback = (err: Error | null, dialog?: Dialog | LateOffer) => void;

/** drachtio-srf's createB2BUA progress callbacks. */
export interface B2buaProgressCallbacks extends ProgressCallbacks {
  /** B answered (before A is answered). */
  cbFinalizedUac?: (uac: Dialog) => void;
}

/** createUac with `noAck` on a late offer (drachtio-srf's 3pcc shape). */
export interface LateOffer {
  /** The offer in the callee's 2xx. */
  sdp: string;
  res: SipResponse;
  /** Sends the ACK with our answer and resolves with the dialog. */
  ack(localSdp: string): Promise<Dialog>;
  /** ACKs with the offer itself, then hangs up. */
  destroy(): Promise<void>;
}

type RequestCallback = (err: Error | null, req?: SentRequest) => void;

/**
 * The application's handle on SIP: the request stream, drachtio-srf's method shortcuts and
 * requests outside a dialog, over an engine (the embedded one by default).
 *
 * @example
 * const srf = new Srf();
 * await srf.start({ listen: ['127.0.0.1:5060'] });
 * srf.requests$.pipe(filterMethod('OPTIONS')).subscribe(({ res }) => res.send(200));
 */
export class Srf {
  private engineRef: Engine | undefined;
  private ua: UserAgent | undefined;
  private readonly router: RequestRouter;
  private readonly scheduler: SchedulerLike;
  private readonly timers: UserAgentTimers;
  private readonly random: (() => number) | undefined;
  private readonly sessionTimers: SessionTimerConfig;
  private subscription: Subscription | undefined;
  readonly log: Logger;
  /** Every new request outside a dialog, as `{req, res}`. Pipe into `filterMethod` to take only some methods. */
  readonly requests$: RequestStream;

  constructor(options: SrfOptions = {}) {
    this.log = options.logger ?? pino({ name: 'rxsip' });
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.timers = { t1: 500, t2: 4000, ...options.timers };
    this.random = options.random;
    this.sessionTimers = { ...DEFAULT_SESSION_TIMERS, ...options.sessionTimers };
    this.router = new RequestRouter(this.log, () => this.ua, {
      request: (req, res) => this.recordAttempt(req, res),
      final: (req, response) => this.recordRejection(req, response),
    });
    this.requests$ = new RequestStream(this.router);
  }

  /** Starts the embedded engine on the given listening points and attaches to it. */
  async start(options: EmbeddedEngineOptions): Promise<this> {
    return this.attach(await startEmbeddedEngine({ logger: this.log, ...options }));
  }

  /** Uses an engine already running (the in-memory engine in tests). */
  attach(engine: Engine): this {
    if (this.engineRef) throw new Error('srf: already attached to an engine');
    this.engineRef = engine;
    this.ua = new UserAgent(engine, this.scheduler, this.log, this.timers, this.random, this.sessionTimers);
    this.subscription = engine.requests$.subscribe((inbound) => this.dispatch(inbound));
    return this;
  }

  private get agent(): UserAgent {
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

  private recordAttempt(req: SrfRequest, res: SrfResponse): void {
    const ua = this.ua;
    if (!ua || req.method !== 'INVITE') return;
    ua.trackInvite(req, res);
    ua.cdr({ type: 'attempt', source: 'network', time: new Date(this.scheduler.now()), msg: req });
  }

  private recordRejection(req: SrfRequest, response: SipResponse): void {
    if (req.method !== 'INVITE' || response.status < 300 || !this.ua) return;
    this.ua.cdr({
      type: 'stop',
      source: 'application',
      time: new Date(this.scheduler.now()),
      reason: 'call-rejected',
      msg: response,
    });
  }

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
      this.router.route(inbound);
    } catch (err) {
      this.log.error({ err, method: message.method }, 'failed to dispatch a request');
      if (!inbound.finalSent) inbound.respond(createResponse(message, 500));
    }
  }

  /** drachtio-srf middleware: `srf.use(fn)` for every method, `srf.use('invite', fn)` for one. */
  use(methodOrHandler: string | RequestHandler, ...handlers: RequestHandler[]): this {
    if (typeof methodOrHandler === 'string') this.router.use(methodOrHandler, handlers);
    else this.router.use(undefined, [methodOrHandler, ...handlers]);
    return this;
  }

  invite(...handlers: RequestHandler[]): this {
    return this.use('INVITE', ...handlers);
  }
  options(...handlers: RequestHandler[]): this {
    return this.use('OPTIONS', ...handlers);
  }
  register(...handlers: RequestHandler[]): this {
    return this.use('REGISTER', ...handlers);
  }
  subscribe(...handlers: RequestHandler[]): this {
    return this.use('SUBSCRIBE', ...handlers);
  }
  message(...handlers: RequestHandler[]): this {
    return this.use('MESSAGE', ...handlers);
  }
  notify(...handlers: RequestHandler[]): this {
    return this.use('NOTIFY', ...handlers);
  }
  info(...handlers: RequestHandler[]): this {
    return this.use('INFO', ...handlers);
  }
  refer(...handlers: RequestHandler[]): this {
    return this.use('REFER', ...handlers);
  }
  publish(...handlers: RequestHandler[]): this {
    return this.use('PUBLISH', ...handlers);
  }
  update(...handlers: RequestHandler[]): this {
    return this.use('UPDATE', ...handlers);
  }
  prack(...handlers: RequestHandler[]): this {
    return this.use('PRACK', ...handlers);
  }
  bye(...handlers: RequestHandler[]): this {
    return this.use('BYE', ...handlers);
  }

  private localHost(): string {
    return this.engine.listeningPoints[0]?.advertised.host ?? 'localhost';
  }

  /**
   * Sends a request outside a dialog (cold: on subscribe). Emits every response and completes
   * after the final one; a 401/407 is answered once when `auth` is given. Unsubscribing before
   * the final response CANCELs an INVITE.
   */
  request$(uri: string, options: RequestOptions): Observable<SipResponse> {
    const request = buildRequest(uri, options, this.localHost());
    return withDigestAuth(request, (r) => this.engine.send(r, { proxy: options.proxy }), options.auth).pipe(
      filter((e) => e.kind === 'response'),
      map((e) => e.response),
      takeWhile((r) => r.status < 200, true),
    );
  }

  /**
   * drachtio-srf's `request`: resolves (or calls back) with the request as sent; responses
   * arrive as `req.on('response', (res, ack) => ...)`, and `req.final` resolves with the final one.
   */
  request(uri: string, options: RequestOptions): Promise<SentRequest>;
  request(uri: string, options: RequestOptions, callback: RequestCallback): this;
  request(uri: string, options: RequestOptions, callback?: RequestCallback): Promise<SentRequest> | this {
    const promise = this.startRequest(uri, options);
    if (!callback) return promise;
    promise.then(
      (req) => callback(null, req),
      (err: Error) => callback(err),
    );
    return this;
  }

  private startRequest(uri: string, options: RequestOptions): Promise<SentRequest> {
    if (typeof options?.method !== 'string')
      return Promise.reject(new TypeError('srf.request: options.method is required'));
    let request = buildRequest(uri, options, this.localHost());
    const events = withDigestAuth(
      request,
      (r) => this.engine.send(r, { proxy: options.proxy }),
      options.auth,
    ).pipe(share());
    let settle!: (r: SipResponse) => void;
    const final = new Promise<SipResponse>((resolve) => (settle = resolve));
    return new Promise<SentRequest>((resolve) => {
      let sent: SentRequest | undefined;
      const subscription = events.subscribe((event) => {
        if (event.kind === 'sent') {
          request = event.request;
          if (!sent) {
            sent = new SentRequest(request, () => subscription.unsubscribe(), final);
            resolve(sent);
          }
          return;
        }
        const response = event.response;
        let ack: AckFunction | undefined;
        if (request.method === 'INVITE' && response.status >= 200 && response.status < 300) {
          const invite = request;
          ack = (opts) => {
            const message = ackFor2xx(
              invite,
              response,
              opts?.body ? { contentType: 'application/sdp', body: opts.body } : undefined,
            );
            if (opts?.headers) message.set(opts.headers);
            this.engine.sendAck(message);
          };
        }
        if (response.status >= 200) settle(response);
        sent?.emit('response', response, ack);
      });
    });
  }

  /**
   * Answers an INVITE with 200 (or a SUBSCRIBE with 202) and resolves with the UAS dialog when
   * the answer is sent (drachtio-srf's `createUAS`). Built on {@link uas$}.
   */
  createUas(req: SrfRequest, res: SrfResponse, options?: UasOptions): Promise<Dialog>;
  createUas(req: SrfRequest, res: SrfResponse, options: UasOptions, callback: DialogCallback): this;
  createUas(
    req: SrfRequest,
    res: SrfResponse,
    options: UasOptions = {},
    callback?: DialogCallback,
  ): Promise<Dialog> | this {
    return settle(firstValueFrom(uas$({ req, res }, options)), callback, this);
  }

  /** drachtio-srf's name for {@link createUas}. */
  createUAS(req: SrfRequest, res: SrfResponse, options?: UasOptions): Promise<Dialog> {
    return this.createUas(req, res, options);
  }

  /**
   * Places a call and resolves with the UAC dialog (drachtio-srf's `createUAC`); a non-2xx final
   * rejects with `SipError`. Built on {@link uac$} (reactive form: {@link call$}).
   */
  createUac(
    uri: string | CreateUacOptions,
    options: CreateUacOptions & { noAck: true },
    progress?: ProgressCallbacks,
  ): Promise<Dialog | LateOffer>;
  createUac(
    uri: string | CreateUacOptions,
    options?: CreateUacOptions,
    progress?: ProgressCallbacks,
  ): Promise<Dialog>;
  createUac(
    uri: string | CreateUacOptions,
    options: CreateUacOptions,
    progress: ProgressCallbacks | undefined,
    callback: DialogCallback,
  ): this;
  createUac(
    uriOrOptions: string | CreateUacOptions,
    options: CreateUacOptions = {},
    progress: ProgressCallbacks = {},
    callback?: DialogCallback,
  ): Promise<Dialog | LateOffer> | this {
    const opts = typeof uriOrOptions === 'string' ? options : uriOrOptions;
    const uri = typeof uriOrOptions === 'string' ? uriOrOptions : uriOrOptions.uri;
    if (!uri) return settle(Promise.reject(new TypeError('createUac: a uri is required')), callback, this);
    const dialog = new Promise<Dialog | LateOffer>((resolve, reject) => {
      this.call$(uri, opts).subscribe({
        next: (event) => {
          if (event.type === 'request') {
            const final = new Promise<SipResponse>(() => undefined);
            progress.cbRequest?.(null, new SentRequest(event.request, () => event.cancel(), final));
          } else if (event.type === 'provisional') progress.cbProvisional?.(event.response);
          else if (event.type === 'offer') {
            resolve({
              sdp: event.sdp,
              res: event.response,
              ack: (localSdp: string) => Promise.resolve(event.ack(localSdp)),
              destroy: async () => {
                event.ack(event.sdp);
                await event.dialog.destroy();
              },
            });
          } else resolve(event.dialog);
        },
        error: reject,
      });
    });
    return settle(dialog, callback, this);
  }

  /** drachtio-srf's name for {@link createUac}. */
  createUAC(
    uri: string | CreateUacOptions,
    options?: CreateUacOptions,
    progress?: ProgressCallbacks,
  ): Promise<Dialog> {
    return this.createUac(uri, options, progress);
  }

  /**
   * Bridges an incoming INVITE to `uri` (drachtio-srf's `createB2BUA`); resolves with both legs
   * once B answers and A is answered. A failure of B rejects with SipError (and is sent to A
   * unless `passFailure: false`). Built on {@link b2buaProgress$}.
   */
  createB2BUA(
    req: SrfRequest,
    res: SrfResponse,
    uri: string | (B2buaOptions & { uri: string }),
    options?: B2buaOptions,
    progress?: B2buaProgressCallbacks,
  ): Promise<{ uas: Dialog; uac: Dialog }>;
  createB2BUA(
    req: SrfRequest,
    res: SrfResponse,
    uri: string | (B2buaOptions & { uri: string }),
    options: B2buaOptions,
    progress: B2buaProgressCallbacks | undefined,
    callback: (err: Error | null, legs?: { uas: Dialog; uac: Dialog }) => void,
  ): this;
  createB2BUA(
    req: SrfRequest,
    res: SrfResponse,
    uriOrOptions: string | (B2buaOptions & { uri: string }),
    options: B2buaOptions = {},
    progress: B2buaProgressCallbacks = {},
    callback?: (err: Error | null, legs?: { uas: Dialog; uac: Dialog }) => void,
  ): Promise<{ uas: Dialog; uac: Dialog }> | this {
    const uri = typeof uriOrOptions === 'string' ? uriOrOptions : uriOrOptions.uri;
    const opts = typeof uriOrOptions === 'string' ? options : uriOrOptions;
    const legs = new Promise<{ uas: Dialog; uac: Dialog }>((resolve, reject) => {
      b2buaProgress$({ req, res }, uri, opts).subscribe({
        next: (event) => {
          if (event.type === 'request') {
            progress.cbRequest?.(
              null,
              new SentRequest(event.request, () => event.cancel(), new Promise(() => undefined)),
            );
          } else if (event.type === 'provisional') progress.cbProvisional?.(event.response);
          else if (event.type === 'uac') progress.cbFinalizedUac?.(event.uac);
          else if (event.type === 'connected') resolve({ uas: event.uas, uac: event.uac });
        },
        error: reject,
      });
    });
    return settle(legs, callback, this);
  }

  /**
   * Proxies a request statefully (drachtio-srf's `proxyRequest`) to `destination` (an address,
   * a URI, or a list; default the Request-URI) and resolves with the outcome.
   */
  proxyRequest(
    req: SrfRequest,
    destination?: string | string[],
    options?: ProxyOptions,
  ): Promise<ProxyResult>;
  proxyRequest(
    req: SrfRequest,
    destination: string | string[] | undefined,
    options: ProxyOptions,
    callback: (err: Error | null, result?: ProxyResult) => void,
  ): this;
  proxyRequest(
    req: SrfRequest,
    destination?: string | string[] | ProxyOptions,
    options: ProxyOptions = {},
    callback?: (err: Error | null, result?: ProxyResult) => void,
  ): Promise<ProxyResult> | this {
    const destinations =
      typeof destination === 'string' ? [destination] : Array.isArray(destination) ? destination : [];
    const opts =
      destination !== undefined && typeof destination === 'object' && !Array.isArray(destination)
        ? destination
        : options;
    return settle(firstValueFrom(proxyRequest(this.agent, req.inbound, destinations, opts)), callback, this);
  }

  /** The reactive form of createUac: progress, then the dialog; unsubscribing cancels. */
  call$(uri: string, options: UacOptions = {}): Observable<UacProgress> {
    return uac$(this.agent, uri, options);
  }

  /** Stops the engine and completes every stream. */
  async close(): Promise<void> {
    this.ua?.close();
    this.subscription?.unsubscribe();
    this.router.complete();
    await this.engineRef?.close();
  }
}

export type { RequestEvent, RequestHandler };

function settle<T, S>(
  promise: Promise<T>,
  callback: ((err: Error | null, value?: T) => void) | undefined,
  self: S,
): Promise<T> | S {
  if (!callback) return promise;
  promise.then(
    (value) => callback(null, value),
    (err: Error) => callback(err),
  );
  return self;
}

/** Awaits the final response of an out-of-dialog request. */
export function finalResponse(response$: Observable<SipResponse>): Promise<SipResponse> {
  return firstValueFrom(response$.pipe(filter((r) => r.status >= 200)));
}
