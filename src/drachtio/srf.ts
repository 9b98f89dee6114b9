import { firstValueFrom, type Observable, share } from 'rxjs';
import { type B2buaOptions, b2buaProgress$ } from '../dialogs/b2bua.js';
import type { Dialog } from '../dialogs/dialog.js';
import { SipError } from '../dialogs/sip-error.js';
import type { UacOptions } from '../dialogs/uac-options.js';
import { type UasOptions, uas$ } from '../dialogs/uas.js';
import { proxy$ } from '../proxy/proxy-call.js';
import type { ProxyOptions, ProxyResult } from '../proxy/proxy-request.js';
import { withDigestAuth } from '../requests/digest-client.js';
import { buildRequest, type RequestOptions } from '../requests/out-of-dialog-request.js';
import type { ErrorHandler, RequestHandler } from '../requests/request-router.js';
import type { SrfRequest } from '../requests/srf-request.js';
import type { SrfResponse } from '../requests/srf-response.js';
import { ackFor2xx } from '../sip/ack-for-2xx.js';
import type { SipResponse } from '../sip/message.js';
import { Srf as ReactiveSrf } from '../srf/srf.js';
import { type AckFunction, SentRequest } from './sent-request.js';

/** createUac's options: a call's, and the URI when given as one object. */
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
 * drachtio-srf 5's Srf over rxsip's reactive core: its middleware (`use`, `invite`, ...), its
 * Promise and callback forms (`createUAS`, `createUAC`, `createB2BUA`, `proxyRequest`,
 * `request`), and every reactive member of rxsip's Srf. Each form is a thin wrapper over the
 * observable it names.
 *
 * @example
 * const srf = new Srf();
 * await srf.start({ listen: ['127.0.0.1:5060'] });
 * srf.invite((req, res) => srf.createUAS(req, res, { localSdp }));
 */
export class Srf extends ReactiveSrf {
  /**
   * drachtio-srf middleware: `srf.use(fn)` for every method, `srf.use('invite', fn)` for one.
   * Handlers run in order; one with four parameters `(err, req, res, next)` only runs after a
   * handler failed (`next(err)`, a throw or a rejection), as in connect.
   *
   * @param method - the SIP method, or the first handler
   * @param handlers - the handlers
   * @returns this Srf
   */
  use(...handlers: RequestHandler[]): this;
  use(method: string, ...handlers: RequestHandler[]): this;
  use(...handlers: ErrorHandler[]): this;
  use(method: string, ...handlers: ErrorHandler[]): this;
  use(
    methodOrHandler: string | RequestHandler | ErrorHandler,
    ...handlers: Array<RequestHandler | ErrorHandler>
  ): this {
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
    return settle(dialogOrFailure(uas$({ req, res }, options), req, res), callback, this);
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
                await event.dialog.end();
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
    let failure: SipError | undefined;
    let final: SipResponse | undefined;
    res.final$.subscribe((f) => (final = f));
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
          else if (event.type === 'rejected') failure = event.error;
        },
        error: reject,
        // Not connected: B's failure (passed to A), or A's cancel.
        complete: () => reject(failure ?? failureOf(req, final)),
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
    return settle(firstValueFrom(proxy$({ req }, destinations, opts)), callback, this);
  }
}

/** Why a call ended unanswered, as drachtio-srf rejects: SipError with the final status (487 when cancelled). */
function failureOf(req: SrfRequest, final: SipResponse | undefined): SipError {
  if (req.canceled) return new SipError(487);
  return final ? new SipError(final.status, final.reason, final) : new SipError(500);
}

/** The dialog `uas$` makes, or the SipError of how the call ended before it (drachtio-srf's createUAS). */
function dialogOrFailure(dialog$: Observable<Dialog>, req: SrfRequest, res: SrfResponse): Promise<Dialog> {
  let final: SipResponse | undefined;
  res.final$.subscribe((f) => (final = f));
  return new Promise<Dialog>((resolve, reject) => {
    let made = false;
    dialog$.subscribe({
      next: (dialog) => {
        made = true;
        resolve(dialog);
      },
      error: reject,
      complete: () => {
        if (!made) reject(failureOf(req, final));
      },
    });
  });
}

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
