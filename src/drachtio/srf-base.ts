import {
  EMPTY,
  firstValueFrom,
  map,
  mergeMap,
  type Observable,
  of,
  ReplaySubject,
  switchMap,
  take,
} from 'rxjs';
import type { CdrEvent } from '../dialogs/cdr.js';
import { useDialogClass } from '../dialogs/dialog-factory.js';
import type { EmbeddedEngineOptions } from '../engine/embedded-engine.js';
import type { Engine } from '../engine/engine.js';
import type { SipMessage } from '../sip/message.js';
import { Srf as ReactiveSrf, type SrfOptions } from '../srf/srf.js';
import { Dialog } from './dialog.js';
import { type EventMap, EventSurface } from './event-surface.js';
import { type ErrorMiddleware, type Handler, wrapHandler } from './middleware.js';
import { cdrTime, validateTags } from './srf-statics.js';

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

/** A CDR event as drachtio-srf's listeners get it, or undefined for another type. */
function cdrArgs<K extends 'cdr:attempt' | 'cdr:start' | 'cdr:stop'>(
  type: CdrEvent['type'],
): (e: CdrEvent) => SrfEvents[K] | undefined {
  return (e) => {
    if (e.type !== type) return undefined;
    const head = [e.source, cdrTime(e.time)];
    if (e.type === 'start') return [...head, e.role, e.msg] as SrfEvents[K];
    if (e.type === 'stop') return [...head, e.reason, e.msg] as SrfEvents[K];
    return [...head, e.msg] as SrfEvents[K];
  };
}

/**
 * What drachtio-srf's Srf is besides its call forms: its constructor (tags), `locals`, its
 * events (`connect`, `error`, `cdr:*`), its middleware (`use` and a method per SIP verb), and
 * the wait for the engine that lets an app place a call right after `start`. The call forms are
 * on {@link Srf}, which extends this.
 *
 * @example
 * ```ts
 * const srf = new Srf();
 * srf.on('connect', (err, hostports) => console.log('listening on', hostports));
 * srf.start({ listen: ['127.0.0.1:5060'] });
 * ```
 */
export class SrfBase extends ReactiveSrf {
  /** State the application shares across handlers (drachtio-srf's `srf.locals`). */
  readonly locals: Record<string, unknown> = {};
  /** The tags given to the constructor (announced to a drachtio-server). */
  readonly tags: readonly string[];
  private readonly params = new Map<string, unknown>();
  private readonly attached = new ReplaySubject<void>(1);
  private starting: Promise<unknown> | undefined;
  private readonly events: EventSurface<SrfEvents>;

  /** @param options - rxsip's Srf options, or drachtio-srf's tag (or tags) */
  constructor(options: SrfOptions | string | string[] = {}) {
    const tags = typeof options === 'string' ? [options] : Array.isArray(options) ? options : [];
    if (typeof options === 'object' && !Array.isArray(options) && 'host' in options)
      throw new TypeError(
        'new Srf({host}): pass the connection to srf.connect({host, port, secret}) instead',
      );
    super(typeof options === 'object' && !Array.isArray(options) ? options : {});
    this.tags = validateTags(tags);
    const cdr =
      <K extends 'cdr:attempt' | 'cdr:start' | 'cdr:stop'>(type: CdrEvent['type']) =>
      () =>
        this.attached.pipe(
          take(1),
          switchMap(() => this.cdr$),
          map(cdrArgs<K>(type)),
          mergeMap((args): Observable<SrfEvents[K]> => (args === undefined ? EMPTY : of(args))),
        );
    this.events = new EventSurface<SrfEvents>(
      {
        'cdr:attempt': cdr<'cdr:attempt'>('attempt'),
        'cdr:start': cdr<'cdr:start'>('start'),
        'cdr:stop': cdr<'cdr:stop'>('stop'),
      },
      (err) => this.fail(err instanceof Error ? err : new Error(String(err))),
    );
    for (const method of METHODS)
      (this as unknown as Record<string, unknown>)[method] = (...handlers: Handler[]) =>
        this.use(method, ...handlers);
  }

  /**
   * Starts the embedded engine. As drachtio-server does, it sends 100 Trying for every INVITE
   * as it arrives (`timers.tryingDelay: 0`) unless told otherwise. Emits `connect`; calls placed
   * while it starts wait for it.
   *
   * @param options - listening points, TLS, limits, timers
   * @returns this Srf, once listening
   */
  override start(options: EmbeddedEngineOptions): Promise<this> {
    const started = super.start({ ...options, timers: { tryingDelay: 0, ...options.timers } });
    this.starting = started;
    started.then(
      () => (this.starting = undefined),
      (err: unknown) => {
        this.starting = undefined;
        this.events.emit('connect', err instanceof Error ? err : new Error(String(err)), '');
      },
    );
    return started;
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
   * drachtio-srf's `connect` to a drachtio-server: not available yet; throws saying what to use
   * instead.
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
   * @internal Runs `fn` once the engine is up: at once when attached, after the start in
   * progress, or rejected saying how to start.
   */
  protected whenReady<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.isAttached()) return fn();
    if (this.starting) return firstValueFrom(this.attached).then(fn);
    return Promise.reject(
      new Error(`${what}: not started; call srf.start({ listen }) (or srf.connect(...)) first`),
    );
  }

  private isAttached(): boolean {
    try {
      return this.engine !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * @internal Tells the application of a failure: its `error` listeners, or the log when it has
   * none (an EventEmitter would throw, and drachtio-srf's Srf then crashes the process).
   */
  protected fail(err: Error): void {
    if (this.events.count('error') > 0) this.events.emit('error', err);
    else this.log.error({ err }, 'rxsip/drachtio: error (no error listener)');
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
   * The same as `off`.
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
   * Calls an event's listeners, as EventEmitter's `emit` does (apps emit their own events too).
   *
   * @param event - the event
   * @param args - its arguments
   * @returns true if it had listeners
   */
  emit<K extends keyof SrfEvents & string>(event: K, ...args: SrfEvents[K]): boolean {
    return this.events.emit(event, ...args);
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
   * A live dialog by drachtio-srf's id (`<call-id>;from-tag=<tag>`).
   *
   * @param id - the dialog id
   * @returns the dialog, if alive
   */
  findDialogById(id: string): Dialog | undefined {
    if (!this.isAttached()) return undefined;
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

  /**
   * drachtio-srf's `disconnect`: stops the engine (every dialog ends), as `close` does.
   *
   * @returns once stopped
   */
  disconnect(): Promise<void> {
    return this.close();
  }
}
