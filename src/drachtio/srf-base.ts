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
import type { DrachtioConnectionEvent } from '../engine/drachtio/connection-event.js';
import type { DrachtioConnectOptions, DrachtioListenOptions } from '../engine/drachtio/drachtio-options.js';
import type { EmbeddedEngineOptions } from '../engine/embedded-engine.js';
import type { Engine } from '../engine/engine.js';
import type { SipMessage } from '../sip/message.js';
import type { SrfOptions } from '../srf/srf.js';
import { Dialog } from './dialog.js';
import { type EventMap, EventSurface } from './event-surface.js';
import { SrfMiddleware } from './srf-middleware.js';
import { cdrTime, validateTags } from './srf-statics.js';

/** The events of a drachtio-srf Srf, and what each one's listeners get. */
export interface SrfEvents extends EventMap {
  /**
   * Listening (`start`), attached, or connected to a drachtio-server (on every reconnection):
   * `(err, hostports, serverVersion)`, hostports as `udp/127.0.0.1:5060,...`.
   */
  connect: [Error | null, string, string?];
  /** A drachtio-server connection is dialled again: `({delay, attempt})`. */
  reconnecting: [{ delay: number; attempt: number }];
  /** A drachtio-server connection closed: `(server, reason)`. */
  close: [string, string];
  /** `listen`: ready for drachtio-servers' connections. */
  listening: [];
  /** A failure the application should hear of. */
  error: [Error];
  /** An INVITE arrived (`network`) or went out (`application`): `(source, time, msg)`. */
  'cdr:attempt': [string, string, SipMessage];
  /** A call was answered: `(source, time, role, msg)`. */
  'cdr:start': [string, string, string, SipMessage];
  /** A call (or attempt) ended: `(source, time, reason, msg)`. */
  'cdr:stop': [string, string, string, SipMessage];
}

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
export class SrfBase extends SrfMiddleware {
  /** The tags given to the constructor (announced to a drachtio-server). */
  readonly tags: readonly string[];
  private readonly attached = new ReplaySubject<void>(1);
  private starting: Promise<unknown> | undefined;
  private viaServer = false;
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
    this.connection$.subscribe((event) => this.serverEvent(event));
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
    const started = super.start(
      Object.assign({}, options, { timers: { tryingDelay: 0, ...options.timers } }),
    );
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
    // Attached to drachtio-servers, `connect` comes with each connection (serverEvent).
    if (this.viaServer) return this;
    const hostports = engine.listeningPoints
      .map((lp) => `${lp.protocol}/${lp.advertised.host}:${lp.advertised.port}`)
      .join(',');
    this.events.emit('connect', null, hostports);
    return this;
  }

  /**
   * Attaches to a drachtio-server, as drachtio-srf's `connect` does: the constructor's tags are
   * sent with `authenticate`, `connect` is emitted on every (re)connection with the server's
   * hostports, `reconnecting` before each retry, `close` when a connection is lost (with the
   * reason, which drachtio-srf never tells), `error` when it fails. `callback` is a `connect`
   * listener, as in drachtio-srf. Unlike drachtio-srf's, the result is a Promise, which never
   * rejects: a failure goes to the events.
   *
   * @param options - host, port (9022), secret, tls, reconnect, ping
   * @param callback - `(err, hostport)` on every connection
   * @returns this Srf, once connected (or once the attempt failed)
   */
  override connect(
    options: DrachtioConnectOptions,
    callback?: (err: Error | null, hostport: string) => void,
  ): Promise<this> {
    if (callback) this.on('connect', callback);
    return this.overServer(super.connect({ tags: this.tags, ...options }));
  }

  /**
   * Takes drachtio-servers' outbound connections, as drachtio-srf's `listen` does; `connect` is
   * emitted for each server that connects. The result never rejects: a failure goes to `error`.
   *
   * @param options - port, host, secret, tls, ping
   * @param callback - called once listening
   * @returns this Srf, once listening (or once it failed)
   */
  override listen(options: DrachtioListenOptions, callback?: () => void): Promise<this> {
    return this.overServer(super.listen({ tags: this.tags, ...options })).then((srf) => {
      callback?.();
      this.events.emit('listening');
      return srf;
    });
  }

  private overServer(attached: Promise<this>): Promise<this> {
    this.viaServer = true;
    this.starting = attached;
    return attached.then(
      (srf) => {
        this.starting = undefined;
        return srf;
      },
      (err: unknown) => {
        this.starting = undefined;
        const error = err instanceof Error ? err : new Error(String(err));
        if (this.events.count('connect') > 0) this.events.emit('connect', error, '');
        else this.fail(error);
        return this;
      },
    );
  }

  // drachtio-srf's events for what happens to drachtio-server connections.
  private serverEvent(event: DrachtioConnectionEvent): void {
    if (event.type === 'connected') this.events.emit('connect', null, event.hostports, event.version);
    else if (event.type === 'reconnecting')
      this.events.emit('reconnecting', { delay: event.delay, attempt: event.attempt });
    else if (event.type === 'disconnected') this.events.emit('close', event.server, event.reason);
    else this.fail(event.error);
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
   * drachtio-srf's `disconnect`: stops the engine (every dialog ends), as `close` does.
   *
   * @returns once stopped
   */
  disconnect(): Promise<void> {
    return this.close();
  }
}
