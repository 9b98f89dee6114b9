import { type Logger, pino } from 'pino';
import { filter, firstValueFrom, map, type Observable, type Subscription, share, takeWhile } from 'rxjs';
import { type EmbeddedEngineOptions, startEmbeddedEngine } from './engine/embedded-engine.js';
import type { Engine, InboundRequest } from './engine/engine.js';
import { ackFor2xx } from './sip/ack-for-2xx.js';
import { createResponse } from './sip/build.js';
import type { SipResponse } from './sip/message.js';
import { withDigestAuth } from './streams/digest-auth.js';
import { buildRequest, type RequestOptions } from './streams/out-of-dialog-request.js';
import { type RequestEvent, type RequestHandler, RequestRouter } from './streams/request-router.js';
import { RequestStream } from './streams/request-stream.js';
import { type AckFunction, SentRequest } from './streams/sent-request.js';

export interface SrfOptions {
  logger?: Logger;
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
  private readonly router: RequestRouter;
  private subscription: Subscription | undefined;
  readonly log: Logger;
  /** Every new request outside a dialog, as `{req, res}`. Pipe into `filterMethod` to take only some methods. */
  readonly requests$: RequestStream;

  constructor(options: SrfOptions = {}) {
    this.log = options.logger ?? pino({ name: 'rxsip' });
    this.router = new RequestRouter(this.log);
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
    this.subscription = engine.requests$.subscribe((inbound) => this.dispatch(inbound));
    return this;
  }

  get engine(): Engine {
    if (!this.engineRef)
      throw new Error('srf: not started; call srf.start({listen}) or srf.attach(engine) first');
    return this.engineRef;
  }

  private dispatch(inbound: InboundRequest): void {
    const message = inbound.message;
    try {
      if (message.method === 'ACK') return;
      if (message.toTag !== undefined) {
        // RFC 3261 §12.2.2: an in-dialog request for no dialog we know.
        inbound.respond(createResponse(message, 481));
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

  /** Stops the engine and completes every stream. */
  async close(): Promise<void> {
    this.subscription?.unsubscribe();
    this.router.complete();
    await this.engineRef?.close();
  }
}

export type { RequestEvent, RequestHandler };

/** Awaits the final response of an out-of-dialog request. */
export function finalResponse(response$: Observable<SipResponse>): Promise<SipResponse> {
  return firstValueFrom(response$.pipe(filter((r) => r.status >= 200)));
}
