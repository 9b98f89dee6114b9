import type { Logger } from 'pino';
import { Observable, Subject } from 'rxjs';
import type { InboundRequest } from '../engine/engine.js';
import type { SipResponse } from '../sip/message.js';
import { ALLOW, KNOWN_METHODS } from './capabilities.js';
import type { RequestContext } from './request-context.js';
import { type RequestEvent, SrfRequest } from './srf-request.js';
import { type ResponseChannel, SrfResponse } from './srf-response.js';

/** drachtio-srf middleware: call `next()` to pass on, `next(err)` to answer with err.status or 500. */
export type RequestHandler = (req: SrfRequest, res: SrfResponse, next: (err?: unknown) => void) => unknown;

/** drachtio-srf error-handling middleware (four parameters): runs once a handler has failed. */
export type ErrorHandler = (
  err: unknown,
  req: SrfRequest,
  res: SrfResponse,
  next: (err?: unknown) => void,
) => unknown;

/** What the layers above hook into the router. */
export interface RouterHooks {
  /**
   * The context each request carries (the dialog layer's user agent).
   *
   * @returns the context, if any
   */
  context?(): RequestContext | undefined;
  /**
   * The channel a new request's responses go through (an INVITE's: reliable provisionals, early dialogs).
   *
   * @param req - the new request
   * @returns its channel, or undefined for the server transaction
   */
  channelFor?(req: SrfRequest): ResponseChannel | undefined;
  /**
   * Sees each new request before anyone else (call detail records).
   *
   * @param req - the new request
   */
  received?(req: SrfRequest): void;
  /**
   * Sees each final response the application sends.
   *
   * @param req - the request answered
   * @param response - the final response
   */
  finalSent?(req: SrfRequest, response: SipResponse): void;
}

// Methods that only exist inside a dialog: outside one, there is nothing to act on (481).
const DIALOG_ONLY = new Set(['BYE', 'PRACK', 'UPDATE', 'INFO']);
const ALWAYS_ALLOWED = ['ACK', 'CANCEL', 'OPTIONS'];

interface Layer {
  method?: string;
  handler: RequestHandler | ErrorHandler;
}

/**
 * Routes new requests by method (a Map lookup) to the streams and middleware that asked for that
 * method. A request nobody asked for gets the stack's answer: 200 for OPTIONS (RFC 3261 §11.2)
 * with every method the user agent implements in Allow, 481 for methods that only exist in a
 * dialog, 501 for an unknown method (§21.5.2), 405 with Allow otherwise (§21.4.6).
 */
export class RequestRouter {
  private readonly all = new Subject<RequestEvent>();
  private readonly byMethod = new Map<string, Subject<RequestEvent>>();
  // Middleware in registration order, as drachtio-srf (connect) runs it; no method = every method.
  private readonly middleware: Layer[] = [];

  /**
   * @param log - where a failing handler is reported
   * @param hooks - what the layers above attach to each request
   */
  constructor(
    private readonly log: Logger,
    private readonly hooks: RouterHooks = {},
  ) {}

  /** Every new request: subscribing takes responsibility for answering all of them. */
  readonly all$: Observable<RequestEvent> = this.all.asObservable();

  /**
   * Requests of some methods: while subscribed, the router stops answering those itself.
   *
   * @param methods - upper-case SIP methods
   * @returns a stream of the requests of those methods
   */
  forMethods(methods: Iterable<string>): Observable<RequestEvent> {
    const wanted = [...methods].map((m) => m.toUpperCase());
    return new Observable<RequestEvent>((subscriber) => {
      const subscriptions = wanted.map((method) => {
        let subject = this.byMethod.get(method);
        if (!subject) {
          subject = new Subject<RequestEvent>();
          this.byMethod.set(method, subject);
        }
        return subject.subscribe(subscriber);
      });
      return () => {
        for (const s of subscriptions) s.unsubscribe();
      };
    });
  }

  /**
   * Adds middleware for one method, or for all when `method` is undefined.
   *
   * @param method - the SIP method, any case
   * @param handlers - run in order; four-parameter handlers only see failures
   */
  use(method: string | undefined, handlers: ReadonlyArray<RequestHandler | ErrorHandler>): void {
    const key = method?.toUpperCase();
    for (const handler of handlers)
      this.middleware.push(key === undefined ? { handler } : { method: key, handler });
  }

  private chainFor(method: string): Layer[] {
    return this.middleware.filter((m) => m.method === undefined || m.method === method);
  }

  private takesEverything(): boolean {
    return this.all.observed || this.middleware.some((m) => m.method === undefined && m.handler.length < 4);
  }

  /**
   * The methods someone takes outside a dialog, for the Allow of a 405 (RFC 3261 §21.4.6).
   *
   * @returns upper-case methods
   */
  allowed(): string[] {
    if (this.takesEverything()) return [...KNOWN_METHODS];
    const methods = new Set(ALWAYS_ALLOWED);
    for (const [method, subject] of this.byMethod) if (subject.observed) methods.add(method);
    for (const m of this.middleware) if (m.method) methods.add(m.method);
    return [...methods];
  }

  /**
   * The Allow of the stack's answer to OPTIONS (RFC 3261 §11.2): every method the UA implements,
   * and any the application takes.
   *
   * @returns the Allow header's value
   */
  optionsAllow(): string {
    const methods = new Set(ALLOW.split(', '));
    for (const m of this.allowed()) methods.add(m);
    return [...methods].join(', ');
  }

  /**
   * Hands a new request to whoever asked for its method, or answers it.
   *
   * @param inbound - the request as the engine delivered it
   */
  route(inbound: InboundRequest): void {
    const req = new SrfRequest(inbound, this.hooks.context?.());
    const finalSent = this.hooks.finalSent;
    const res = new SrfResponse(req, {
      channel: this.hooks.channelFor?.(req),
      onFinal: finalSent && ((response) => finalSent(req, response)),
    });
    this.hooks.received?.(req);
    const event: RequestEvent = { req, res };
    const method = req.method;
    const subject = this.byMethod.get(method);
    const chain = this.chainFor(method);
    const taken =
      this.all.observed || (subject?.observed ?? false) || chain.some((l) => l.handler.length < 4);
    if (!taken) {
      this.answerUnhandled(req, res);
      return;
    }
    if (this.all.observed) this.all.next(event);
    if (subject?.observed) subject.next(event);
    if (chain.length > 0) this.runChain(chain, req, res);
  }

  private answerUnhandled(req: SrfRequest, res: SrfResponse): void {
    if (req.method === 'OPTIONS') {
      res.send(200, { headers: { Allow: this.optionsAllow(), Accept: 'application/sdp' } });
    } else if (DIALOG_ONLY.has(req.method)) {
      res.send(481);
    } else if (!KNOWN_METHODS.includes(req.method)) {
      // RFC 3261 §21.5.2: a method the element does not recognise at all.
      res.send(501);
    } else {
      res.send(405, { headers: { Allow: this.allowed().join(', ') } });
    }
  }

  // connect's order: handlers run in turn; after a failure only error handlers run, then the
  // failure is answered with err.status (or 500).
  private runChain(chain: Layer[], req: SrfRequest, res: SrfResponse): void {
    const answerFailure = (err: unknown) => {
      const status =
        typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number'
          ? err.status
          : 500;
      this.log.error({ err, method: req.method, callId: req.get('call-id') }, 'request handler failed');
      if (!res.finalResponseSent) res.send(status >= 300 && status <= 699 ? status : 500);
    };
    const step =
      (index: number) =>
      (err?: unknown): void => {
        if (res.finalResponseSent && err === undefined) return;
        const layer = chain[index];
        if (!layer) {
          if (err !== undefined) answerFailure(err);
          else if (!res.finalResponseSent) this.answerUnhandled(req, res);
          return;
        }
        const isErrorHandler = layer.handler.length >= 4;
        if ((err !== undefined) !== isErrorHandler) {
          step(index + 1)(err);
          return;
        }
        const next = step(index + 1);
        const fail = (e: unknown) => next(e ?? new Error('handler failed'));
        try {
          const result = isErrorHandler
            ? (layer.handler as ErrorHandler)(err, req, res, next)
            : (layer.handler as RequestHandler)(req, res, next);
          if (result instanceof Promise) result.catch(fail);
        } catch (e) {
          fail(e);
        }
      };
    step(0)();
  }

  /** Completes every stream (the Srf is closing). */
  complete(): void {
    this.all.complete();
    for (const subject of this.byMethod.values()) subject.complete();
  }
}
