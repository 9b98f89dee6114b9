import type { Observable } from 'rxjs';
import type { InboundRequest } from '../engine/engine.js';
import { createResponse } from '../sip/build.js';
import { mergeHeaders } from '../sip/header-init.js';
import { headerKey } from '../sip/header-names.js';
import { newTag } from '../sip/ids.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import { parseNameAddr } from '../sip/name-addr.js';

/** The headers and body of a response: the options of `res.send(status, reason, options)`. */
export interface SendOptions {
  /** Headers to add; a To with a tag replaces the transaction's To tag (RFC 3261 §8.2.6.2). */
  headers?: HeaderInit;
  /** The body (an SDP answer, a sipfrag, ...); Content-Length is computed from its bytes. */
  body?: string | Buffer;
}

/**
 * Called once a response went out (`err` null, with the response sent) or could not be sent
 * (`err` says why: a final response already went out, or the request was cancelled).
 */
export type SendCallback = (err: Error | null, sent?: SipResponse) => void;

/**
 * Where a request's responses go. The default hands them to the server transaction; the dialog
 * layer gives an INVITE one of its own (reliable provisionals of RFC 3262, early dialogs).
 */
export interface ResponseChannel {
  /**
   * Sends `response` for `res`.
   *
   * @param response - the response built by `res.send`
   * @param res - the response side it belongs to
   * @returns false when it can no longer be sent
   */
  transmit(response: SipResponse, res: SrfResponse): boolean;
}

/** What the layer that creates a response hooks into it, at construction. */
export interface ResponseHooks {
  /** Where responses go (default: the server transaction). */
  channel?: ResponseChannel;
  /** Told of each final response sent through `send` (call detail records). */
  onFinal?: (response: SipResponse) => void;
}

/** What a response needs of its request: the request and its server transaction. */
export interface AnsweredRequest extends SipRequest {
  /** @internal */
  readonly inbound: InboundRequest;
  /** True once the request was cancelled (RFC 3261 §9.2): no response can be sent any more. */
  readonly canceled: boolean;
}

const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY']);

function tagOf(to: string): string | undefined {
  try {
    return parseNameAddr(to, 'To').params.tag ?? undefined;
  } catch {
    return undefined;
  }
}

function givenTo(headers: HeaderInit): string | undefined {
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || headerKey(name) !== 'to') continue;
    return String(typeof value === 'string' || typeof value === 'number' ? value : value[0]);
  }
  return undefined;
}

/**
 * The response side of an incoming request, in drachtio-srf's shape:
 * `res.send(status, [reason], [{headers, body}], [callback])`. Every response of the transaction
 * carries the same To tag (RFC 3261 §8.2.6.2), unless the application gives a To with a tag of its
 * own, which is then kept for the later ones too. Headers set with {@link SrfResponse.set} are
 * added to every response sent after.
 *
 * @example
 * ```ts
 * import type { Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * srf.invite$.subscribe(({ res }) => {
 *   res.send(180);
 *   res.send(486, 'Busy Here', { headers: { 'Retry-After': 60 } });
 * });
 * ```
 */
export class SrfResponse {
  private sticky: HeaderInit = {};
  private sentFinal: SipResponse | undefined;
  // The status of the last provisional response sent (the final, once sent, is `sentFinal`): a
  // number, not the response, which a B2BUA's relayed 183 would keep alive with its SDP.
  private provisionalStatus: number | undefined;
  private tag: string;
  private readonly channel: ResponseChannel | undefined;
  private readonly onFinal: ((response: SipResponse) => void) | undefined;
  /**
   * @internal The facade a layer above shows the response as (`rxsip/drachtio`'s Response): a
   * field rather than a WeakMap, whose young values V8's scavenger would keep alive.
   */
  view: object | undefined;

  /**
   * @param req - the request this answers
   * @param hooks - where responses go and who hears of the final one
   */
  constructor(
    private readonly req: AnsweredRequest,
    hooks: ResponseHooks = {},
  ) {
    this.tag = req.toTag ?? newTag();
    this.channel = hooks.channel;
    this.onFinal = hooks.onFinal;
    this.view = undefined;
  }

  /** The To tag of this transaction's responses (a UAS dialog's local tag). */
  get toTag(): string {
    return this.tag;
  }

  /**
   * Adds a header to every later response of this transaction.
   *
   * @param name - header name
   * @param value - its value
   * @returns this response, for chaining
   */
  set(name: string, value: string | number): this {
    this.sticky = mergeHeaders(this.sticky, { [name]: value });
    return this;
  }

  /** True once a final response went out, whoever sent it. */
  get finalResponseSent(): boolean {
    return this.sentFinal !== undefined || this.req.inbound.finalSent;
  }

  /** drachtio-srf's name for {@link SrfResponse.finalResponseSent}. */
  get headersSent(): boolean {
    return this.finalResponseSent;
  }

  /** The status of the last response sent. */
  get status(): number | undefined {
    return this.sentFinal?.status ?? this.provisionalStatus;
  }

  /** The final response sent through {@link SrfResponse.send}, if any. */
  get finalResponse(): SipResponse | undefined {
    return this.sentFinal;
  }

  /**
   * Emits the final response once it is sent, whoever sent it (the application, the stack's
   * 487 after a CANCEL, an answer deadline), then completes; subscribed later, it only completes.
   */
  get final$(): Observable<SipResponse> {
    return this.req.inbound.final$;
  }

  /**
   * Sends a response and returns it, or undefined (with `callback(err)`) when it cannot be
   * sent: a final response already went out, or the request was cancelled.
   *
   * @param status - 100 to 699
   * @param reason - the reason phrase (default: the standard one), or the options or callback
   * @param options - headers and body, or the callback
   * @param callback - told whether it went out
   * @returns the response sent, or undefined
   * @example
   * ```ts
   * import type { SrfResponse } from 'rxsip';
   *
   * declare const res: SrfResponse;
   * declare const sdp: string;
   * res.send(200, { headers: { 'Content-Type': 'application/sdp' }, body: sdp });
   * ```
   */
  send(
    status: number,
    reason?: string | SendOptions | SendCallback,
    options?: SendOptions | SendCallback,
    callback?: SendCallback,
  ): SipResponse | undefined {
    let text: string | undefined;
    let opts: SendOptions | undefined;
    let cb: SendCallback | undefined = callback;
    for (const arg of [reason, options]) {
      if (typeof arg === 'string') text = arg;
      else if (typeof arg === 'function') cb = arg;
      else if (arg) opts = arg;
    }
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      throw new RangeError(`res.send: status ${status} is not a SIP status code (100-699)`);
    }
    const headers = mergeHeaders(this.sticky, opts?.headers);
    const to = givenTo(headers);
    const appTag = to === undefined ? undefined : tagOf(to);
    if (appTag !== undefined && status > 100) this.tag = appTag;
    const response = createResponse(this.req, status, {
      reason: text,
      toTag: this.tag,
      headers,
      body: opts?.body,
    });
    // RFC 3261 §12.1.1: a response that makes a dialog carries the request's Record-Route.
    if (
      status > 100 &&
      status < 300 &&
      DIALOG_CREATING.has(this.req.method) &&
      !response.has('record-route')
    ) {
      const routes = this.req.getAll('record-route');
      if (routes.length > 0) response.set('Record-Route', routes);
    }
    const sent =
      !this.sentFinal &&
      (this.channel ? this.channel.transmit(response, this) : this.req.inbound.respond(response));
    if (!sent) {
      const err = new Error(
        this.req.canceled
          ? 'res.send: the request was cancelled'
          : 'res.send: a final response was already sent',
      );
      cb?.(err);
      return undefined;
    }
    if (status >= 200) {
      this.sentFinal = response;
      this.onFinal?.(response);
    } else this.provisionalStatus = response.status;
    cb?.(null, response);
    return response;
  }

  /**
   * @internal Takes back a final response its channel accepted but never sent (a 2xx held for a
   * PRACK whose sender unsubscribed): the request is unanswered again, for the application.
   */
  withdraw(response: SipResponse): void {
    if (this.sentFinal === response) this.sentFinal = undefined;
  }
}
