import { firstValueFrom } from 'rxjs';
import { SipError } from '../dialogs/sip-error.js';
import { uas$ } from '../dialogs/uas.js';
import { proxy$ } from '../proxy/proxy-call.js';
import type { ProxyOptions, ProxyResult } from '../proxy/proxy-request.js';
import type { RequestOptions } from '../requests/out-of-dialog-request.js';
import { SipMessage, SipRequest, SipResponse } from '../sip/message.js';
import {
  type AnyRequest,
  type AnyResponse,
  type B2buaArguments,
  type B2buaLegs,
  type B2buaProgressCallbacks,
  b2buaLegs,
  type Callback,
  type CreateB2buaOptions,
  type CreateUacOptions,
  type CreateUasOptions,
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
import { type SentRequest, sendOutOfDialog } from './sent-request.js';
import { SrfBase } from './srf-base.js';
import { DialogDirection, DialogState } from './srf-statics.js';
import { parseUri, stringifyUri } from './uri.js';

/**
 * drachtio-srf 5's Srf over rxsip's reactive core: its Promise and callback forms
 * (`createUAS`, `createUAC`, `createB2BUA`, `proxyRequest`, `request`), its statics, and, from
 * {@link SrfBase}, its middleware and events, with every reactive member of rxsip's Srf. Each
 * form is a thin wrapper over the observable it names. `const Srf = require('rxsip/drachtio')`
 * works as `require('drachtio-srf')` does.
 *
 * @example
 * ```ts
 * const srf = new Srf();
 * srf.start({ listen: ['127.0.0.1:5060'] });
 * srf.invite((req, res) => {
 *   srf.createUAS(req, res, { localSdp: 'v=0...' }).then((uas) => uas.on('destroy', () => console.log('bye')));
 * });
 * ```
 */
export class Srf extends SrfBase {
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

  /**
   * Sends a request outside a dialog (drachtio-srf's `srf.request`) and resolves with the
   * request as sent; its responses arrive as the sent request's `response` events.
   *
   * @param uri - the Request-URI (`host[:port]` gets `sip:`)
   * @param options - method (required), headers, body, auth, proxy
   * @returns the request as sent
   * @example
   * ```ts
   * const req = await srf.request('sip:192.0.2.4', { method: 'OPTIONS' });
   * req.on('response', (res) => console.log(`received ${res.statusCode} response`));
   * ```
   */
  request(uri: string, options: RequestOptions): Promise<SentRequest>;
  /**
   * srf.request with drachtio-srf's callback `(err, req)`.
   *
   * @param uri - the Request-URI
   * @param options - method (required), headers, body, auth, proxy
   * @param callback - `(err, req)` once sent
   * @returns this Srf
   */
  request(uri: string, options: RequestOptions, callback: Callback<SentRequest>): this;
  /**
   * srf.request with the URI among the options.
   *
   * @param options - uri, method (required), headers, body, auth, proxy
   * @returns the request as sent
   */
  request(options: RequestOptions & { uri: string }): Promise<SentRequest>;
  /**
   * srf.request with the URI among the options, and drachtio-srf's callback.
   *
   * @param options - uri, method (required), headers, body, auth, proxy
   * @param callback - `(err, req)` once sent
   * @returns this Srf
   */
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
        : this.whenReady('srf.request', () => sendOutOfDialog(this.engine, uri, options, this.localHost()));
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
  createUAS(req: AnyRequest, res: AnyResponse, options?: CreateUasOptions): Promise<Dialog>;
  /**
   * createUAS with drachtio-srf's callback.
   *
   * @param req - the request
   * @param res - its response
   * @param options - localSdp, headers
   * @param callback - `(err, dialog)`
   * @returns this Srf
   */
  createUAS(req: AnyRequest, res: AnyResponse, options: CreateUasOptions, callback: Callback<Dialog>): this;
  createUAS(
    req: AnyRequest,
    res: AnyResponse,
    options: CreateUasOptions = {},
    callback?: Callback<Dialog>,
  ): Promise<Dialog> | this {
    const r = coreRequest(req);
    const s = coreResponse(res);
    return settle(dialogOrFailure(uas$({ req: r, res: s }, options), r, s, options), callback, this);
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
   * createUAC with drachtio-srf's callback `(err, dialog)` in third place.
   *
   * @param uri - the Request-URI
   * @param options - the call's options
   * @param callback - `(err, dialog)`
   * @returns this Srf
   */
  createUAC(uri: string, options: CreateUacOptions, callback: Callback<Dialog>): this;
  /**
   * createUAC with progress callbacks, then drachtio-srf's callback.
   *
   * @param uri - the Request-URI
   * @param options - the call's options
   * @param progress - cbRequest, cbProvisional
   * @param callback - `(err, dialog)`
   * @returns this Srf
   */
  createUAC(
    uri: string,
    options: CreateUacOptions,
    progress: ProgressCallbacks,
    callback: Callback<Dialog>,
  ): this;
  /**
   * createUAC in drachtio-srf's legacy form: `cbRequest`, `cbProvisional`, then the callback.
   *
   * @param uri - the Request-URI
   * @param options - the call's options
   * @param cbRequest - `(err, req)` once the INVITE is sent
   * @param cbProvisional - each provisional response
   * @param callback - `(err, dialog)`
   * @returns this Srf
   */
  createUAC(
    uri: string,
    options: CreateUacOptions,
    cbRequest: NonNullable<ProgressCallbacks['cbRequest']>,
    cbProvisional: NonNullable<ProgressCallbacks['cbProvisional']>,
    callback: Callback<Dialog>,
  ): this;
  /**
   * createUAC with the options (and `uri`) first, then drachtio-srf's callback.
   *
   * @param options - the call's options, with `uri`
   * @param callback - `(err, dialog)`
   * @returns this Srf
   */
  createUAC(options: CreateUacOptions & { uri: string }, callback: Callback<Dialog>): this;
  createUAC(...args: UacArgument[]): Promise<Dialog | LateOffer> | this {
    const { uri, options, progress, callback } = uacArguments(args);
    const dialog = uri
      ? this.whenReady('createUAC', () => uacDialog(this.call$(uri, options), progress, options))
      : Promise.reject(new TypeError('createUAC: a uri is required'));
    return settle(dialog, callback, this);
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
    uri: string | (CreateB2buaOptions & { uri: string }),
    options?: CreateB2buaOptions,
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
    uri: string | (CreateB2buaOptions & { uri: string }),
    options: CreateB2buaOptions,
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
  createB2BUA(
    uri: string,
    req: AnyRequest,
    res: AnyResponse,
    options?: CreateB2buaOptions,
  ): Promise<B2buaLegs>;
  createB2BUA(
    ...args: B2buaArguments | [string, AnyRequest, AnyResponse, CreateB2buaOptions?]
  ): Promise<B2buaLegs> | this {
    const ordered = (
      typeof args[0] === 'string' ? [args[1], args[2], args[0], ...args.slice(3)] : args
    ) as B2buaArguments;
    return settle(b2buaLegs(...ordered), ordered[5], this);
  }

  /**
   * Proxies a request statefully (drachtio-srf's `proxyRequest`, RFC 3261 §16) to
   * `destination` (an address, a URI, or a list; default the Request-URI) and resolves with the
   * outcome: `{connected, finalStatus, finalResponse, responses}`.
   *
   * @param req - the request
   * @param destination - where to
   * @param options - recordRoute, forking, followRedirects, provisionalTimeout, finalTimeout
   * @returns the outcome
   * @example
   * ```ts
   * srf.invite((req) => srf.proxyRequest(req, ['sip.example1.com', 'sip.example2.com'], { recordRoute: true }));
   * ```
   */
  proxyRequest(
    req: AnyRequest,
    destination?: string | string[],
    options?: ProxyOptions,
  ): Promise<ProxyResult>;
  /**
   * proxyRequest to the Request-URI, with options.
   *
   * @param req - the request
   * @param options - recordRoute, forking, followRedirects, timeouts
   * @returns the outcome
   */
  proxyRequest(req: AnyRequest, options: ProxyOptions): Promise<ProxyResult>;
  /**
   * proxyRequest with drachtio-srf's callback.
   *
   * @param req - the request
   * @param destination - where to
   * @param options - recordRoute, forking, followRedirects, timeouts
   * @param callback - `(err, result)`
   * @returns this Srf
   */
  proxyRequest(
    req: AnyRequest,
    destination: string | string[] | undefined,
    options: ProxyOptions,
    callback: Callback<ProxyResult>,
  ): this;
  /**
   * proxyRequest to the Request-URI with drachtio-srf's callback in second place (which
   * drachtio-srf itself refuses).
   *
   * @param req - the request
   * @param callback - `(err, result)`
   * @returns this Srf
   */
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

  /** The same as `createUAS`: the seed document's spelling. */
  declare createUas: Srf['createUAS'];
  /** The same as `createUAC`: the seed document's spelling. */
  declare createUac: Srf['createUAC'];
}

Srf.prototype.createUas = Srf.prototype.createUAS;
Srf.prototype.createUac = Srf.prototype.createUAC;
