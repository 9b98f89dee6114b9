import { Srf as ReactiveSrf, type SrfOptions } from '../srf/srf.js';
import { type ErrorMiddleware, type Handler, wrapHandler } from './middleware.js';

const METHODS = [
  'invite',
  'options',
  'register',
  'subscribe',
  'message',
  'notify',
  'info',
  'refer',
  'publish',
  'update',
  'prack',
  'bye',
] as const;

/**
 * drachtio-srf's middleware over rxsip's Srf: `use`, a method per SIP verb (`srf.invite(fn)`),
 * `locals`, and the app parameters of `set`/`get`. Requests run through the handlers in order,
 * as connect runs them; the request router underneath is the reactive Srf's.
 *
 * @example
 * ```ts
 * srf.use('register', (req, res, next) => (req.has('Authorization') ? next() : res.send(401)));
 * srf.register((req, res) => res.send(200));
 * ```
 */
export class SrfMiddleware extends ReactiveSrf {
  /** State the application shares across handlers (drachtio-srf's `srf.locals`). */
  readonly locals: Record<string, unknown> = {};
  private readonly params = new Map<string, unknown>();

  /** @param options - rxsip's Srf options */
  constructor(options: SrfOptions = {}) {
    super(options);
    for (const method of METHODS)
      (this as unknown as Record<string, unknown>)[method] = (...handlers: Handler[]) =>
        this.use(method, ...handlers);
  }

  /**
   * drachtio-srf middleware: `srf.use(fn)` for every method, `srf.use('invite', fn)` for one.
   * Handlers run in order with drachtio-srf's Request and Response; one with four parameters
   * `(err, req, res, next)` only runs after a handler before it failed (`next(err)`, a throw or
   * a rejection), as in connect.
   *
   * @param handlers - the handlers, for every method
   * @returns this Srf
   */
  use(...handlers: Handler[]): this;
  /**
   * Middleware for one method.
   *
   * @param method - the SIP method (any case)
   * @param handlers - the handlers
   * @returns this Srf
   */
  use(method: string, ...handlers: Handler[]): this;
  /**
   * Error-handling middleware (four parameters), for every method.
   *
   * @param handlers - the error handlers
   * @returns this Srf
   */
  use(...handlers: ErrorMiddleware[]): this;
  /**
   * Error-handling middleware for one method.
   *
   * @param method - the SIP method
   * @param handlers - the error handlers
   * @returns this Srf
   */
  use(method: string, ...handlers: ErrorMiddleware[]): this;
  use(
    methodOrHandler: string | Handler | ErrorMiddleware,
    ...handlers: Array<Handler | ErrorMiddleware>
  ): this {
    const all = typeof methodOrHandler === 'string' ? handlers : [methodOrHandler, ...handlers];
    const method = typeof methodOrHandler === 'string' ? methodOrHandler.toUpperCase() : undefined;
    this.router.use(method, all.map(wrapHandler));
    return this;
  }

  /** INVITE handlers (drachtio-srf's `srf.invite(fn)`). */
  declare invite: (...handlers: Handler[]) => this;
  /** OPTIONS handlers. */
  declare options: (...handlers: Handler[]) => this;
  /** REGISTER handlers. */
  declare register: (...handlers: Handler[]) => this;
  /** SUBSCRIBE handlers. */
  declare subscribe: (...handlers: Handler[]) => this;
  /** MESSAGE handlers. */
  declare message: (...handlers: Handler[]) => this;
  /** NOTIFY handlers (outside a dialog). */
  declare notify: (...handlers: Handler[]) => this;
  /** INFO handlers (outside a dialog). */
  declare info: (...handlers: Handler[]) => this;
  /** REFER handlers (outside a dialog). */
  declare refer: (...handlers: Handler[]) => this;
  /** PUBLISH handlers. */
  declare publish: (...handlers: Handler[]) => this;
  /** UPDATE handlers (outside a dialog). */
  declare update: (...handlers: Handler[]) => this;
  /** PRACK handlers (outside a dialog). */
  declare prack: (...handlers: Handler[]) => this;
  /** BYE handlers (outside a dialog). */
  declare bye: (...handlers: Handler[]) => this;

  /**
   * Sets an application parameter (drachtio-srf's `srf.set`, connect's app settings).
   *
   * @param key - the name
   * @param value - the value
   * @returns this Srf
   */
  set(key: string, value: unknown): this {
    this.params.set(key, value);
    return this;
  }

  /**
   * An application parameter set with `set`.
   *
   * @param key - the name
   * @returns the value, if set
   */
  get(key: string): unknown {
    return this.params.get(key);
  }

  /**
   * drachtio-srf's `endSession(req)` closes the socket of an outbound-connection session; the
   * embedded engine has no such socket, so it does nothing (middleware such as
   * drachtio-mw-digest-auth calls it).
   *
   * @param _reqOrRes - the request or response of the session
   */
  endSession(_reqOrRes?: unknown): void {}
}
