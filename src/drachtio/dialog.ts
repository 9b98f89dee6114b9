import { filter, map, type Observable } from 'rxjs';
import { type DialogInit, Dialog as RxDialog } from '../dialogs/dialog.js';
import type { DialogEnd, RequestOptions } from '../dialogs/dialog-core.js';
import type { RequestEvent } from '../requests/srf-request.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import { type EventMap, EventSurface } from './event-surface.js';
import { Request } from './request.js';
import { Response } from './response.js';

/** An in-dialog request for the listener to answer: drachtio-srf's `(req, res)`. */
type Answerable = [Request, Response];

/** The events of a drachtio-srf Dialog, and what each one's listeners get. */
export interface DialogEvents extends EventMap {
  /** The far end ended the dialog (or the stack did: ACK timeout, session timer): `(bye, reason)`. */
  destroy: [SipRequest | undefined, string];
  /** A re-INVITE that is not a refresh or a hold: the listener must answer it. */
  modify: Answerable;
  /** INFO: the listener must answer it. */
  info: Answerable;
  /** NOTIFY: the listener must answer it. */
  notify: Answerable;
  /** REFER: the listener must answer it. */
  refer: Answerable;
  /** UPDATE: the listener must answer it. */
  update: Answerable;
  /** MESSAGE: the listener must answer it. */
  message: Answerable;
  /** OPTIONS: the listener must answer it. */
  options: Answerable;
  /** SUBSCRIBE (a refresh or an unsubscribe): the listener must answer it. */
  subscribe: Answerable;
  /** A session refresh the dialog answered (RFC 4028). */
  refresh: [SipRequest];
  /** The far end put the call on hold (the dialog answered). */
  hold: [SipRequest];
  /** The far end took the call off hold (the dialog answered). */
  unhold: [SipRequest];
  /** The ACK of our 2xx. */
  ack: [SipRequest];
}

/** Options of `destroy`, `modify` and `request`. */
export interface DialogRequestOptions {
  /** Extra headers. */
  headers?: RequestOptions['headers'];
}

/** drachtio-srf's error for an operation on a dialog that has gone. */
export class NoDialogError extends Error {
  /** drachtio-srf 5.0.29's code for it. */
  readonly code = 'ENODIALOG';
  constructor() {
    super('unable to find dialog for dialog id provided');
  }
}

type Callback<T> = (err: Error | null, value?: T) => void;

const ANSWERABLE = {
  modify: 'reinvite$',
  info: 'info$',
  notify: 'notify$',
  refer: 'refer$',
  update: 'update$',
  message: 'message$',
  options: 'options$',
  subscribe: 'subscribe$',
} as const;

/** How drachtio-srf names an end the far end (or drachtio-server) caused. */
function destroyReason(end: DialogEnd): string | undefined {
  if (end.reason === 'ack-timeout') return 'ACK timeout';
  if (end.reason === 'session-expired') return 'Session timer expired';
  if (end.initiator !== 'remote') return undefined;
  return end.reason === 'normal-release' ? 'normal release' : end.reason;
}

/**
 * drachtio-srf's Dialog. It is an rxsip {@link RxDialog} (every observable and Promise form of
 * it works) with drachtio-srf's surface on top: `on('destroy' | 'modify' | 'info' | ...)`,
 * `destroy`, `modify`, `request` and its shortcuts, `other`. Each event is the dialog's
 * observable of the same traffic, subscribed while it has listeners: without a listener the
 * dialog answers as drachtio-srf does (200 to INFO, a re-INVITE with the current SDP).
 *
 * @example
 * ```ts
 * const uas = await srf.createUAS(req, res, { localSdp });
 * uas.on('destroy', () => console.log('caller hung up'));
 * uas.on('info', (req, res) => res.send(200));
 * ```
 */
export class Dialog extends RxDialog {
  /** The other leg of a B2BUA (`createB2BUA` links both ways). */
  other: Dialog | undefined;
  private readonly events: EventSurface<DialogEvents>;

  /** @param init - what the dialog layer knows of the new dialog */
  constructor(init: DialogInit) {
    super(init);
    const sources: ConstructorParameters<typeof EventSurface<DialogEvents>>[0] = {
      destroy: () =>
        this.ended$.pipe(
          map((end) => [end.req, destroyReason(end)] as const),
          filter((args): args is readonly [SipRequest | undefined, string] => args[1] !== undefined),
          map(([req, reason]): [SipRequest | undefined, string] => [req, reason]),
        ),
      refresh: () => this.refresh$.pipe(map((req): [SipRequest] => [req])),
      hold: () => this.hold$.pipe(map((req): [SipRequest] => [req])),
      unhold: () => this.unhold$.pipe(map((req): [SipRequest] => [req])),
      ack: () => this.ack$.pipe(map((req): [SipRequest] => [req])),
    };
    for (const [event, stream] of Object.entries(ANSWERABLE) as Array<[keyof typeof ANSWERABLE, string]>) {
      sources[event] = () => answerable(this[stream as (typeof ANSWERABLE)[typeof event]], this);
    }
    this.events = new EventSurface<DialogEvents>(sources, (err, event, args) => {
      this.ua.log.error(
        { err, event, callId: this.sip.callId },
        'rxsip/drachtio: a dialog event listener failed',
      );
      // The request it was given is answered all the same: 500, as a failed handler's is.
      const res = args?.[1];
      if (res instanceof Response && !res.finalResponseSent) res.send(500);
    });
    this.ended$.subscribe(() => queueMicrotask(() => this.events.close()));
  }

  /**
   * Listens for an event.
   *
   * @param event - `destroy`, `modify`, `info`, `notify`, `refer`, `update`, `message`, `options`,
   *   `subscribe`, `refresh`, `hold`, `unhold` or `ack`
   * @param listener - called with the event's arguments
   * @returns this dialog
   */
  on<K extends keyof DialogEvents & string>(event: K, listener: (...args: DialogEvents[K]) => void): this {
    this.events.on(event, listener);
    return this;
  }
  /**
   * Listens for the next occurrence of an event.
   *
   * @param event - the event
   * @param listener - called once
   * @returns this dialog
   */
  once<K extends keyof DialogEvents & string>(event: K, listener: (...args: DialogEvents[K]) => void): this {
    this.events.on(event, listener, true);
    return this;
  }
  /**
   * Stops listening; the dialog answers on its own again once an event has no listener.
   *
   * @param event - the event
   * @param listener - the listener to remove
   * @returns this dialog
   */
  off<K extends keyof DialogEvents & string>(event: K, listener: (...args: DialogEvents[K]) => void): this {
    this.events.off(event, listener);
    return this;
  }
  /**
   * The same as {@link Dialog.off}.
   *
   * @param event - the event
   * @param listener - the listener to remove
   * @returns this dialog
   */
  removeListener<K extends keyof DialogEvents & string>(
    event: K,
    listener: (...args: DialogEvents[K]) => void,
  ): this {
    return this.off(event, listener);
  }
  /**
   * Removes every listener of an event, or of all events.
   *
   * @param event - the event, or none for all
   * @returns this dialog
   */
  removeAllListeners(event?: keyof DialogEvents & string): this {
    this.events.removeAll(event);
    return this;
  }
  /**
   * How many listeners an event has.
   *
   * @param event - the event
   * @returns the count
   */
  listenerCount(event: keyof DialogEvents & string): number {
    return this.events.count(event);
  }

  /** `'uas'`/`'uac'` as drachtio-srf has it; the Event package of a SUBSCRIBE dialog. */
  get subscribeEvent(): string | undefined {
    return this.subscription?.event;
  }

  /** Subscriptions this dialog carries: 1 for a live SUBSCRIBE dialog, else 0. */
  getCountOfSubscriptions(): number {
    return this.subscription && this.connected ? 1 : 0;
  }

  /**
   * Ends the dialog: BYE for a call, NOTIFY terminated (or SUBSCRIBE Expires: 0) for a
   * subscription. Resolves with the request sent once answered; rejects with `ENODIALOG` when
   * the dialog has already gone. As in drachtio-srf it does not emit `destroy`.
   *
   * @param options - extra headers
   * @param callback - drachtio-srf's `(err, bye)`
   * @returns the request sent (or this dialog, with a callback)
   */
  destroy(
    options?: DialogRequestOptions | Callback<SipRequest>,
    callback?: Callback<SipRequest>,
  ): Promise<SipRequest> {
    const cb = typeof options === 'function' ? options : callback;
    const opts = typeof options === 'function' ? {} : (options ?? {});
    const done: Promise<SipRequest> = this.connected
      ? this.end({ headers: opts.headers }).then((req) => {
          if (!req) throw new NoDialogError();
          return req;
        })
      : Promise.reject(new NoDialogError());
    return settle(done, cb);
  }

  /**
   * Modifies the session with a re-INVITE: a new SDP, or `'hold'` / `'unhold'`. Resolves with
   * the far end's SDP; a non-2xx rejects with SipError. Unlike drachtio-srf's, a failed
   * re-INVITE does not block the next one, and a 491 is retried after the RFC 3261 §14.1 wait.
   *
   * @param sdp - the offer, or hold/unhold
   * @param options - extra headers
   * @param callback - drachtio-srf's `(err, remoteSdp)`
   * @returns the remote SDP
   */
  modify(
    sdp: string,
    options?: DialogRequestOptions | Callback<string>,
    callback?: Callback<string>,
  ): Promise<string> {
    const cb = typeof options === 'function' ? options : callback;
    const opts = typeof options === 'function' ? {} : (options ?? {});
    if (sdp === 'unhold' && !this.onHold)
      return settle(Promise.reject(new Error('attempt to unhold session that is not on hold')), cb);
    return settle(this.sendReinvite(sdp, { headers: opts.headers }), cb);
  }

  /**
   * Sends a request inside the dialog. The callback gets every response; the Promise resolves
   * with the final one, whatever its status (drachtio-srf resolves with the first response,
   * which for an INVITE can be a 1xx).
   *
   * @param options - method (required), headers, body
   * @param callback - drachtio-srf's `(err, res)`, for each response
   * @returns the final response
   */
  request(options: RequestOptions, callback?: Callback<SipResponse>): Promise<SipResponse> {
    if (typeof options?.method !== 'string')
      return settle(Promise.reject(new TypeError('dialog.request: options.method is required')), callback);
    if (!this.connected) return settle(Promise.reject(new NoDialogError()), callback);
    return new Promise<SipResponse>((resolve, reject) => {
      this.send$(options).subscribe({
        next: (res) => {
          callback?.(null, res);
          if (res.status >= 200) resolve(res);
        },
        error: (err: Error) => {
          const res = (err as { res?: SipResponse }).res;
          if (res) {
            callback?.(null, res);
            resolve(res);
          } else {
            callback?.(err);
            reject(err);
          }
        },
      });
    });
  }

  /**
   * Sends INFO (drachtio-srf's shortcut, which works here).
   *
   * @param options - headers, body
   * @param callback - `(err, res)`
   * @returns the final response
   */
  info(options: Omit<RequestOptions, 'method'> = {}, callback?: Callback<SipResponse>): Promise<SipResponse> {
    return this.request(Object.assign({}, options, { method: 'INFO' }), callback);
  }
  /**
   * Sends NOTIFY.
   *
   * @param options - headers, body
   * @param callback - `(err, res)`
   * @returns the final response
   */
  notify(
    options: Omit<RequestOptions, 'method'> = {},
    callback?: Callback<SipResponse>,
  ): Promise<SipResponse> {
    return this.request(Object.assign({}, options, { method: 'NOTIFY' }), callback);
  }
  /**
   * Sends REFER.
   *
   * @param options - headers (Refer-To), body
   * @param callback - `(err, res)`
   * @returns the final response
   */
  refer(
    options: Omit<RequestOptions, 'method'> = {},
    callback?: Callback<SipResponse>,
  ): Promise<SipResponse> {
    return this.request(Object.assign({}, options, { method: 'REFER' }), callback);
  }
  /**
   * Sends MESSAGE.
   *
   * @param options - headers, body
   * @param callback - `(err, res)`
   * @returns the final response
   */
  message(
    options: Omit<RequestOptions, 'method'> = {},
    callback?: Callback<SipResponse>,
  ): Promise<SipResponse> {
    return this.request(Object.assign({}, options, { method: 'MESSAGE' }), callback);
  }
  /**
   * Sends UPDATE.
   *
   * @param options - headers, body
   * @param callback - `(err, res)`
   * @returns the final response
   */
  update(
    options: Omit<RequestOptions, 'method'> = {},
    callback?: Callback<SipResponse>,
  ): Promise<SipResponse> {
    return this.request(Object.assign({}, options, { method: 'UPDATE' }), callback);
  }
}

/** An in-dialog stream as drachtio-srf's `(req, res)`; fnAck of a re-INVITE's 2xx is this dialog's ACK. */
function answerable(stream: Observable<RequestEvent>, dialog: Dialog): Observable<Answerable> {
  return stream.pipe(
    map(({ req, res }): Answerable => [Request.of(req), Response.of(res, () => dialog.ack$)]),
  );
}

function settle<T>(promise: Promise<T>, callback: Callback<T> | undefined): Promise<T> {
  if (callback)
    promise.then(
      (value) => callback(null, value),
      (err: Error) => callback(err),
    );
  return callback ? promise.catch(() => undefined as T) : promise;
}
