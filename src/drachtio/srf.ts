import { firstValueFrom, map, type Observable, ReplaySubject, switchMap } from 'rxjs';
import type { B2buaOptions } from '../dialogs/b2bua-options.js';
import { Dialog as RxDialog } from '../dialogs/dialog.js';
import { useDialogClass } from '../dialogs/dialog-factory.js';
import { SipError } from '../dialogs/sip-error.js';
import { type UasOptions, uas$ } from '../dialogs/uas.js';
import { earlyDialogOf } from '../dialogs/uas-invite.js';
import type { EmbeddedEngineOptions } from '../engine/embedded-engine.js';
import type { Engine } from '../engine/engine.js';
import { proxy$ } from '../proxy/proxy-call.js';
import type { ProxyOptions, ProxyResult } from '../proxy/proxy-request.js';
import type { RequestOptions } from '../requests/out-of-dialog-request.js';
import type { ErrorHandler, RequestHandler } from '../requests/request-router.js';
import type { SrfRequest } from '../requests/srf-request.js';
import type { SrfResponse } from '../requests/srf-response.js';
import { SipMessage, SipRequest, SipResponse } from '../sip/message.js';
import { Srf as ReactiveSrf, type SrfOptions } from '../srf/srf.js';
import {
  type AnyRequest,
  type AnyResponse,
  type B2buaArguments,
  type B2buaLegs,
  type B2buaProgressCallbacks,
  b2buaLegs,
  type Callback,
  type CreateUacOptions,
  coreRequest,
  coreResponse,
  dialogOrFailure,
  type LateOffer,
  type ProgressCallbacks,
  settle,
  type UacArgument,
  uacArguments,
  uacDialog,
} from './call-forms.js';
import { Dialog } from './dialog.js';
import { type EventMap, EventSurface } from './event-surface.js';
import { Request } from './request.js';
import { Response } from './response.js';
import { type SentRequest, sendOutOfDialog } from './sent-request.js';
import { cdrTime, DialogDirection, DialogState, validateTags } from './srf-statics.js';
import { parseUri, stringifyUri } from './uri.js';

/** Passes a request on to the next handler, or with an error to the error handlers. */
export type NextFunction = (err?: unknown) => void;

/** A drachtio-srf middleware or method handler. */
export type Handler = (req: Request, res: Response, next: NextFunction) => unknown;
/** A drachtio-srf error-handling middleware: four parameters. */
export type ErrorMiddleware = (err: Error, req: Request, res: Response, next: NextFunction) => unknown;

/** The events of a drachtio-srf Srf, and what each one's listeners get. */
export interface SrfEvents extends EventMap {
  /** Listening (`start`) or attached: `(err, hostports)`, hostports as `udp/127.0.0.1:5060,...`. */
  connect: [Error | null, string];
  /** A failure the application should hear of. */
  error: [Error];
  /** An INVITE arrived (`network`) or went out (`application`): `(source, time, msg)`. */
  'cdr:attempt': [string, string, SipMessage];
  /** A call was answered: `(source, time, role, msg)`. */
  'cdr:start': [string, string, string, SipMessage];
  /** A call (or attempt) ended: `(source, time, reason, msg)`. */
  'cdr:stop': [string, string, string, SipMessage];
}

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
 * drachtio-srf 5's Srf over rxsip's reactive core: its middleware (`use`, `invite`, ...), its
 * Promise and callback forms (`createUAS`, `createUAC`, `createB2BUA`, `proxyRequest`,
 * `request`), its events and statics, and every reactive member of rxsip's Srf. Each form is a
 * thin wrapper over the observable it names. `const Srf = require('rxsip/drachtio')` works as
 * `require('drachtio-srf')` does.
 *
 * @example
 * const srf = new Srf();
 * await srf.start({ listen: ['127.0.0.1:5060'] });
 * srf.invite((req, res) => srf.createUAS(req, res, { localSdp }));
 */
export class Srf extends ReactiveSrf {
  /** drachtio-srf's Dialog class: every dialog this Srf hands out is one. */
  static readonly Dialog = Dialog;
  /** The error a non-2xx final rejects with. */
  static readonly SipError = SipError;
  /** A SIP message. */
  static readonly SipMessage = SipMessage;
  /** A SIP request. */
  static readonly SipRequest = SipRequest;
  /** A SIP response. */
  static readonly SipResponse = SipResponse;
  /** drachtio-srf's dialog-state names (RFC 4235). */
  static readonly DialogState = DialogState;
  /** drachtio-srf's dialog directions (RFC 4235). */
  static readonly DialogDirection = DialogDirection;
  /** drachtio-srf's parseUri (it also reads `<...>`). */
  static readonly parseUri = parseUri;
  /** drachtio-srf's stringifyUri. */
  static readonly stringifyUri = stringifyUri;

  /** State the application shares across handlers (drachtio-srf's `srf.locals`). */
  readonly locals: Record<string, unknown> = {};
  /** The tags given to the constructor (sent to a drachtio-server once `connect` exists). */
  readonly tags: readonly string[];
  private readonly attached = new ReplaySubject<void>(1);
  private readonly events: EventSurface<SrfEvents>;

  /** @param options - rxsip's Srf options, or drachtio-srf's tag (or tags) */
  constructor(options: SrfOptions | string | string[] = {}) {
    const tags = typeof options === 'string' ? [options] : Array.isArray(options) ? options : [];
    if (typeof options === 'object' && !Array.isArray(options) && 'host' in options)
      throw new TypeError(
        'new Srf({host}): connecting to a drachtio-server is not available yet; use srf.start({ listen })',
      );
    super(typeof options === 'object' && !Array.isArray(options) ? options : {});
    this.tags = validateTags(tags);
    const cdr =
      <T>(pick: (e: import('../dialogs/cdr.js').CdrEvent) => T | undefined) =>
      () =>
        this.attached.pipe(
          switchMap(() => this.cdr$),
          map(pick),
          switchMap((args) => (args === undefined ? [] : [args])),
        );
    this.events = new EventSurface<SrfEvents>(
      {
        'cdr:attempt': cdr((e) =>
          e.type === 'attempt' ? ([e.source, cdrTime(e.time), e.msg] as SrfEvents['cdr:attempt']) : undefined,
        ),
        'cdr:start': cdr((e) =>
          e.type === 'start'
            ? ([e.source, cdrTime(e.time), e.role, e.msg] as SrfEvents['cdr:start'])
            : undefined,
        ),
        'cdr:stop': cdr((e) =>
          e.type === 'stop'
            ? ([e.source, cdrTime(e.time), e.reason, e.msg] as SrfEvents['cdr:stop'])
            : undefined,
        ),
      },
      (err) => this.events.emit('error', err instanceof Error ? err : new Error(String(err))),
    );
    for (const method of METHODS)
      (this as unknown as Record<string, unknown>)[method] = (...handlers: Handler[]) =>
        this.use(method, ...handlers);
  }

  /**
   * Starts the embedded engine. As drachtio-server does, it sends 100 Trying for every INVITE
   * as it arrives (`timers.tryingDelay: 0`) unless told otherwise. Emits `connect`.
   *
   * @param options - listening points, TLS, limits, timers
   * @returns this Srf, once listening
   */
  override start(options: EmbeddedEngineOptions): Promise<this> {
    return super.start({ ...options, timers: { tryingDelay: 0, ...options.timers } });
  }

  /**
   * Uses an engine already running; its dialogs are drachtio-srf Dialogs. Emits `connect`.
   *
   * @param engine - the engine
   * @returns this Srf
   */
  override attach(engine: Engine): this {
    super.attach(engine);
    useDialogClass(this.agent, Dialog);
    this.attached.next();
    const hostports = engine.listeningPoints
      .map((lp) => `${lp.protocol}/${lp.advertised.host}:${lp.advertised.port}`)
      .join(',');
    this.events.emit('connect', null, hostports);
    return this;
  }

  /**
   * drachtio-srf's `connect` to a drachtio-server: not available yet (it is planned); throws
   * saying what to use instead.
   *
   * @returns never
   */
  connect(): never {
    throw new Error(
      'srf.connect: connecting to a drachtio-server is not available yet; use srf.start({ listen })',
    );
  }

  /**
   * drachtio-srf's `listen` for a drachtio-server's outbound connections: not available yet.
   *
   * @returns never
   */
  listen(): never {
    throw new Error(
      'srf.listen: drachtio-server outbound connections are not available yet; use srf.start({ listen })',
    );
  }

  /**
   * Listens for an event: `connect`, `error`, `cdr:attempt`, `cdr:start`, `cdr:stop`.
   *
   * @param event - the event
   * @param listener - called with its arguments
   * @returns this Srf
   */
  on<K extends keyof SrfEvents & string>(event: K, listener: (...args: SrfEvents[K]) => void): this {
    this.events.on(event, listener);
    return this;
  }
  /**
   * Listens for the next occurrence of an event.
   *
   * @param event - the event
   * @param listener - called once
   * @returns this Srf
   */
  once<K extends keyof SrfEvents & string>(event: K, listener: (...args: SrfEvents[K]) => void): this {
    this.events.on(event, listener, true);
    return this;
  }
  /**
   * Stops listening.
   *
   * @param event - the event
   * @param listener - the listener to remove
   * @returns this Srf
   */
  off<K extends keyof SrfEvents & string>(event: K, listener: (...args: SrfEvents[K]) => void): this {
    this.events.off(event, listener);
    return this;
  }
  /**
   * The same as {@link Srf.off}.
   *
   * @param event - the event
   * @param listener - the listener to remove
   * @returns this Srf
   */
  removeListener<K extends keyof SrfEvents & string>(
    event: K,
    listener: (...args: SrfEvents[K]) => void,
  ): this {
    return this.off(event, listener);
  }

  /**
   * drachtio-srf middleware: `srf.use(fn)` for every method, `srf.use('invite', fn)` for one.
   * Handlers run in order with drachtio-srf's Request and Response; one with four parameters
   * `(err, req, res, next)` only runs after a handler failed (`next(err)`, a throw or a
   * rejection), as in connect.
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
    const wrapped = all.map(wrapHandler);
    if (typeof methodOrHandler === 'string') this.router.use(methodOrHandler.toUpperCase(), wrapped);
    else this.router.use(undefined, wrapped);
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
   * Sends a request outside a dialog: `request(uri, opts, [cb])` or `request({uri, ...opts}, [cb])`.
   * Resolves (or calls back) with the request as sent; responses arrive as
   * `req.on('response', (res, ack) => ...)`.
   *
   * @param uriOrOptions - the Request-URI, or the options with `uri`
   * @param optionsOrCallback - method (required), headers, body, auth, proxy; or the callback
   * @param callback - `(err, req)`
   * @returns the request sent (or this Srf, with a callback)
   */
  request(uri: string, options: RequestOptions): Promise<SentRequest>;
  request(uri: string, options: RequestOptions, callback: Callback<SentRequest>): this;
  request(options: RequestOptions & { uri: string }): Promise<SentRequest>;
  request(options: RequestOptions & { uri: string }, callback: Callback<SentRequest>): this;
  request(
    uriOrOptions: string | (RequestOptions & { uri: string }),
    optionsOrCallback?: RequestOptions | Callback<SentRequest>,
    callback?: Callback<SentRequest>,
  ): Promise<SentRequest> | this {
    const objectForm = typeof uriOrOptions === 'object';
    const uri = objectForm ? uriOrOptions.uri : uriOrOptions;
    const options = objectForm ? uriOrOptions : (optionsOrCallback as RequestOptions | undefined);
    const cb = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback;
    const sent =
      typeof options?.method !== 'string'
        ? Promise.reject(new TypeError('srf.request: options.method is required'))
        : sendOutOfDialog(this.engine, uri, options, this.localHost());
    return settle(sent, cb, this);
  }

  /**
   * Answers an INVITE with 200 (or a SUBSCRIBE with 202) and resolves with the UAS dialog when
   * the answer is sent (drachtio-srf's `createUAS`). Built on {@link uas$}.
   *
   * @param req - the request
   * @param res - its response
   * @param options - localSdp, headers
   * @returns the dialog
   */
  createUAS(req: AnyRequest, res: AnyResponse, options?: UasOptions): Promise<Dialog>;
  /**
   * createUAS with drachtio-srf's callback.
   *
   * @param req - the request
   * @param res - its response
   * @param options - localSdp, headers
   * @param callback - `(err, dialog)`
   * @returns this Srf
   */
  createUAS(req: AnyRequest, res: AnyResponse, options: UasOptions, callback: Callback<Dialog>): this;
  createUAS(
    req: AnyRequest,
    res: AnyResponse,
    options: UasOptions = {},
    callback?: Callback<Dialog>,
  ): Promise<Dialog> | this {
    const r = coreRequest(req);
    const s = coreResponse(res);
    return settle(dialogOrFailure(uas$({ req: r, res: s }, options), r, s), callback, this);
  }

  /**
   * The same as {@link Srf.createUAS} (the seed document's spelling).
   *
   * @param req - the request
   * @param res - its response
   * @param options - localSdp, headers
   * @returns the dialog
   */
  createUas(req: AnyRequest, res: AnyResponse, options?: UasOptions): Promise<Dialog>;
  /**
   * createUas with drachtio-srf's callback.
   *
   * @param req - the request
   * @param res - its response
   * @param options - localSdp, headers
   * @param callback - `(err, dialog)`
   * @returns this Srf
   */
  createUas(req: AnyRequest, res: AnyResponse, options: UasOptions, callback: Callback<Dialog>): this;
  createUas(
    req: AnyRequest,
    res: AnyResponse,
    options: UasOptions = {},
    callback?: Callback<Dialog>,
  ): Promise<Dialog> | this {
    const r = coreRequest(req);
    const s = coreResponse(res);
    return settle(dialogOrFailure(uas$({ req: r, res: s }, options), r, s), callback, this);
  }

  /**
   * createUAC with `noAck`: a late offer resolves with `{sdp, res, ack, destroy}`.
   *
   * @param uri - the Request-URI, or the options with `uri`
   * @param options - the call's options, `noAck: true`
   * @param progress - cbRequest, cbProvisional
   * @returns the dialog, or the 3pcc object
   */
  createUAC(
    uri: string | CreateUacOptions,
    options: CreateUacOptions & { noAck: true },
    progress?: ProgressCallbacks,
  ): Promise<Dialog | LateOffer>;
  /**
   * Places a call and resolves with the UAC dialog (drachtio-srf's `createUAC`); a non-2xx final
   * rejects with SipError. `noAck` on a late offer resolves with the 3pcc object instead. Also
   * taken: `(uri, opts, callback)`, `(uri, opts, progress, callback)`, `(opts)` with `opts.uri`,
   * and the legacy `(uri, opts, cbRequest, cbProvisional, callback)`. Built on {@link Srf.call$}.
   *
   * @param uri - the Request-URI, or the options with `uri`
   * @param options - the call's options
   * @param progress - cbRequest, cbProvisional
   * @returns the dialog
   */
  createUAC(
    uri: string | CreateUacOptions,
    options?: CreateUacOptions,
    progress?: ProgressCallbacks,
  ): Promise<Dialog>;
  /**
   * createUAC with drachtio-srf's callback, with or without progress callbacks before it.
   *
   * @param args - uri, options, then a callback; or progress callbacks and a callback; or the
   *   legacy cbRequest, cbProvisional, callback
   * @returns this Srf
   */
  createUAC(...args: [string | CreateUacOptions, CreateUacOptions, ...UacArgument[]]): this;
  createUAC(...args: UacArgument[]): Promise<Dialog | LateOffer> | this {
    const { uri, options, progress, callback } = uacArguments(args);
    if (!uri) return settle(Promise.reject(new TypeError('createUAC: a uri is required')), callback, this);
    return settle(uacDialog(this.call$(uri, options), progress), callback, this);
  }

  /**
   * createUac with `noAck`: a late offer resolves with `{sdp, res, ack, destroy}`.
   *
   * @param uri - the Request-URI, or the options with `uri`
   * @param options - the call's options, `noAck: true`
   * @param progress - cbRequest, cbProvisional
   * @returns the dialog, or the 3pcc object
   */
  createUac(
    uri: string | CreateUacOptions,
    options: CreateUacOptions & { noAck: true },
    progress?: ProgressCallbacks,
  ): Promise<Dialog | LateOffer>;
  /**
   * The same as {@link Srf.createUAC} (the seed document's spelling).
   *
   * @param uri - the Request-URI, or the options with `uri`
   * @param options - the call's options
   * @param progress - cbRequest, cbProvisional
   * @returns the dialog
   */
  createUac(
    uri: string | CreateUacOptions,
    options?: CreateUacOptions,
    progress?: ProgressCallbacks,
  ): Promise<Dialog>;
  /**
   * createUac with drachtio-srf's callback.
   *
   * @param args - uri, options, then a callback; or progress callbacks and a callback
   * @returns this Srf
   */
  createUac(...args: [string | CreateUacOptions, CreateUacOptions, ...UacArgument[]]): this;
  createUac(...args: UacArgument[]): Promise<Dialog | LateOffer> | this {
    const { uri, options, progress, callback } = uacArguments(args);
    if (!uri) return settle(Promise.reject(new TypeError('createUac: a uri is required')), callback, this);
    return settle(uacDialog(this.call$(uri, options), progress), callback, this);
  }

  /**
   * Bridges an incoming INVITE to `uri` (drachtio-srf's `createB2BUA`); resolves with both legs,
   * linked by `other`, once B answers and A is answered. A failure of B rejects with SipError
   * (and is sent to A unless `passFailure: false`). Built on {@link b2buaProgress$}.
   *
   * @param req - A's INVITE
   * @param res - its response
   * @param uri - where B is, or the options with `uri`
   * @param options - B2BUA options
   * @param progress - cbRequest, cbProvisional, cbFinalizedUac
   * @returns both legs
   */
  createB2BUA(
    req: AnyRequest,
    res: AnyResponse,
    uri: string | (B2buaOptions & { uri: string }),
    options?: B2buaOptions,
    progress?: B2buaProgressCallbacks,
  ): Promise<B2buaLegs>;
  /**
   * createB2BUA with drachtio-srf's callback.
   *
   * @param req - A's INVITE
   * @param res - its response
   * @param uri - where B is, or the options with `uri`
   * @param options - B2BUA options
   * @param progress - cbRequest, cbProvisional, cbFinalizedUac
   * @param callback - `(err, {uas, uac})`
   * @returns this Srf
   */
  createB2BUA(
    req: AnyRequest,
    res: AnyResponse,
    uri: string | (B2buaOptions & { uri: string }),
    options: B2buaOptions,
    progress: B2buaProgressCallbacks | undefined,
    callback: Callback<B2buaLegs>,
  ): this;
  /**
   * createB2BUA in the seed document's order, the URI first.
   *
   * @param uri - where B is
   * @param req - A's INVITE
   * @param res - its response
   * @param options - B2BUA options
   * @returns both legs
   */
  createB2BUA(uri: string, req: AnyRequest, res: AnyResponse, options?: B2buaOptions): Promise<B2buaLegs>;
  createB2BUA(
    ...args: B2buaArguments | [string, AnyRequest, AnyResponse, B2buaOptions?]
  ): Promise<B2buaLegs> | this {
    const ordered = (
      typeof args[0] === 'string' ? [args[1], args[2], args[0], ...args.slice(3)] : args
    ) as B2buaArguments;
    return settle(b2buaLegs(...ordered), ordered[5], this);
  }

  /**
   * Proxies a request statefully (drachtio-srf's `proxyRequest`) to `destination` (an address,
   * a URI, or a list; default the Request-URI) and resolves with the outcome.
   *
   * @param req - the request
   * @param destination - where to, or the options, or the callback
   * @param options - recordRoute, forking, timeouts; or the callback
   * @param callback - `(err, result)`
   * @returns the outcome (or this Srf, with a callback)
   */
  proxyRequest(
    req: AnyRequest,
    destination?: string | string[],
    options?: ProxyOptions,
  ): Promise<ProxyResult>;
  proxyRequest(req: AnyRequest, options: ProxyOptions): Promise<ProxyResult>;
  proxyRequest(
    req: AnyRequest,
    destination: string | string[] | undefined,
    options: ProxyOptions,
    callback: Callback<ProxyResult>,
  ): this;
  proxyRequest(req: AnyRequest, callback: Callback<ProxyResult>): this;
  proxyRequest(
    req: AnyRequest,
    destination?: string | string[] | ProxyOptions | Callback<ProxyResult>,
    options?: ProxyOptions | Callback<ProxyResult>,
    callback?: Callback<ProxyResult>,
  ): Promise<ProxyResult> | this {
    const cb = [destination, options, callback].find((a) => typeof a === 'function') as
      | Callback<ProxyResult>
      | undefined;
    const destinations =
      typeof destination === 'string' ? [destination] : Array.isArray(destination) ? destination : [];
    const opts =
      (destination !== undefined && typeof destination === 'object' && !Array.isArray(destination)
        ? destination
        : typeof options === 'object'
          ? options
          : undefined) ?? {};
    return settle(firstValueFrom(proxy$({ req: coreRequest(req) }, destinations, opts)), cb, this);
  }

  /**
   * A live dialog by drachtio-srf's id (`<call-id>;from-tag=<tag>`).
   *
   * @param id - the dialog id
   * @returns the dialog, if alive
   */
  findDialogById(id: string): Dialog | undefined {
    for (const dialog of this.agent.dialogs.all() as Iterable<unknown>)
      if (dialog instanceof Dialog && dialog.id === id) return dialog;
    return undefined;
  }

  /**
   * A live dialog by Call-ID and the From tag of the request that made it.
   *
   * @param callId - the Call-ID
   * @param fromTag - the From tag
   * @returns the dialog, if alive
   */
  findDialogByCallIDAndFromTag(callId: string, fromTag: string): Dialog | undefined {
    return this.findDialogById(`${callId};from-tag=${fromTag}`);
  }
}

/** A drachtio-srf handler as the router's: the same arity, with drachtio-srf's Request and Response. */
function wrapHandler(handler: Handler | ErrorMiddleware): RequestHandler | ErrorHandler {
  if (handler.length === 4) {
    const h = handler as ErrorMiddleware;
    return (err: unknown, req: SrfRequest, res: SrfResponse, next: NextFunction) =>
      h(err as Error, Request.of(req), responseOf(req, res), next);
  }
  const h = handler as Handler;
  return (req: SrfRequest, res: SrfResponse, next: NextFunction) =>
    h(Request.of(req), responseOf(req, res), next);
}

/** The Response of a new request: the ACK of its 2xx arrives on the dialog the 2xx makes. */
function responseOf(req: SrfRequest, res: SrfResponse): Response {
  return Response.of(res, () => ackOf(req));
}

function ackOf(req: SrfRequest): Observable<SipRequest> | undefined {
  const dialog = earlyDialogOf(req);
  return dialog instanceof RxDialog ? dialog.ack$ : undefined;
}
