import type { Logger } from 'pino';
import { Observable, Subject } from 'rxjs';
import type { InboundRequest } from '../engine/engine.js';
import type { SipResponse } from '../sip/message.js';
import { SrfRequest } from './srf-request.js';
import { SrfResponse } from './srf-response.js';

/** A new request and the means to answer it. */
export interface RequestEvent {
  req: SrfRequest;
  res: SrfResponse;
}

/** drachtio-srf middleware: call `next()` to pass on, `next(err)` to answer with err.status or 500. */
export type RequestHandler = (req: SrfRequest, res: SrfResponse, next: (err?: unknown) => void) => unknown;

// Methods that only exist inside a dialog: outside one, there is nothing to act on (481).
const DIALOG_ONLY = new Set(['BYE', 'PRACK', 'UPDATE', 'INFO']);
const ALWAYS_ALLOWED = ['ACK', 'CANCEL', 'OPTIONS'];
const STANDARD = [
  'INVITE',
  'ACK',
  'CANCEL',
  'OPTIONS',
  'BYE',
  'REGISTER',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'INFO',
  'MESSAGE',
  'UPDATE',
  'PRACK',
  'PUBLISH',
];

/**
 * Routes new requests by method (a Map lookup, DESIGN.md) to the streams and handlers that
 * asked for that method. A request nobody asked for gets the stack's answer: 200 for OPTIONS
 * (RFC 3261 §11.2), 481 for methods that only exist in a dialog, 501 for an unknown method,
 * 405 with Allow otherwise.
 */
export class RequestRouter {
  private readonly all = new Subject<RequestEvent>();
  private readonly byMethod = new Map<string, Subject<RequestEvent>>();
  // Middleware in registration order, as drachtio-srf (connect) runs it; no method = every method.
  private readonly middleware: Array<{ method?: string; handler: RequestHandler }> = [];

  constructor(
    private readonly log: Logger,
    private readonly context?: () => unknown,
    /** Sees each new request and, later, its final response (call detail records). */
    private readonly observer?: {
      request(req: SrfRequest, res: SrfResponse): void;
      final(req: SrfRequest, response: SipResponse): void;
    },
  ) {}

  /** Every new request (subscribing takes responsibility for answering all of them). */
  readonly all$ = this.all.asObservable();

  /** Requests of some methods; subscribing makes the router stop answering those itself. */
  forMethods(methods: ReadonlySet<string>): Observable<RequestEvent> {
    return new Observable<RequestEvent>((subscriber) => {
      const subscriptions = [...methods].map((method) => {
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

  use(method: string | undefined, handlers: RequestHandler[]): void {
    const key = method?.toUpperCase();
    for (const handler of handlers)
      this.middleware.push(key === undefined ? { handler } : { method: key, handler });
  }

  private chainFor(method: string): RequestHandler[] {
    return this.middleware.filter((m) => m.method === undefined || m.method === method).map((m) => m.handler);
  }

  private hasGeneralMiddleware(): boolean {
    return this.middleware.some((m) => m.method === undefined);
  }

  /** The methods someone handles, for Allow headers. */
  allowed(): string[] {
    if (this.all.observed || this.hasGeneralMiddleware()) return STANDARD;
    const methods = new Set(ALWAYS_ALLOWED);
    for (const [method, subject] of this.byMethod) if (subject.observed) methods.add(method);
    for (const m of this.middleware) if (m.method) methods.add(m.method);
    return [...methods];
  }

  route(inbound: InboundRequest): void {
    const req = new SrfRequest(inbound, this.context?.());
    const observer = this.observer;
    const res = new SrfResponse(req, observer && ((response) => observer.final(req, response)));
    observer?.request(req, res);
    const event: RequestEvent = { req, res };
    const method = req.method;
    const subject = this.byMethod.get(method);
    const chain = this.chainFor(method);
    const taken = this.all.observed || (subject?.observed ?? false) || chain.length > 0;
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
      res.send(200, { headers: { Allow: this.allowed().join(', '), Accept: 'application/sdp' } });
    } else if (DIALOG_ONLY.has(req.method)) {
      res.send(481);
    } else if (!STANDARD.includes(req.method)) {
      // RFC 3261 §21.5.2: a method the element does not recognise at all.
      res.send(501);
    } else {
      res.send(405, { headers: { Allow: this.allowed().join(', ') } });
    }
  }

  private runChain(chain: RequestHandler[], req: SrfRequest, res: SrfResponse): void {
    const fail = (err: unknown) => {
      const status =
        typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number'
          ? err.status
          : 500;
      this.log.error({ err, method: req.method, callId: req.get('call-id') }, 'request handler failed');
      if (!res.finalResponseSent) res.send(status >= 300 && status <= 699 ? status : 500);
    };
    const step = (index: number) => (err?: unknown) => {
      if (err !== undefined) return fail(err);
      const handler = chain[index];
      if (!handler) {
        if (!res.finalResponseSent) this.answerUnhandled(req, res);
        return;
      }
      try {
        const result = handler(req, res, step(index + 1));
        if (result instanceof Promise) result.catch(fail);
      } catch (e) {
        fail(e);
      }
    };
    step(0)();
  }

  complete(): void {
    this.all.complete();
    for (const subject of this.byMethod.values()) subject.complete();
  }
}
