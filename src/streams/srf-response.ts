import { createResponse } from '../sip/build.js';
import { newTag } from '../sip/ids.js';
import type { HeaderInit, SipResponse } from '../sip/message.js';
import type { SrfRequest } from './srf-request.js';

export interface SendOptions {
  headers?: HeaderInit;
  body?: string | Buffer;
}

const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY']);

export type SendCallback = (err: Error | null, sent?: SipResponse) => void;

/**
 * The response side of an incoming request, in drachtio-srf's shape: `res.send(status,
 * [reason], [{headers, body}], [callback])`. Every response of the transaction carries the same
 * To tag. Headers set with {@link set} are added to every response sent after.
 */
export class SrfResponse {
  private readonly sticky: HeaderInit = {};
  private sentFinal: SipResponse | undefined;
  private last: SipResponse | undefined;
  /** The To tag of this transaction's responses (a UAS dialog's local tag). */
  readonly toTag: string;
  /**
   * @internal Hands a response to the server transaction. The dialog layer replaces it for
   * INVITEs: reliable provisional responses (RFC 3262) and early dialogs go through it.
   */
  transmit: (response: SipResponse) => boolean;

  constructor(
    private readonly req: SrfRequest,
    /** Told of the final response (the user agent records call detail records with it). */
    private readonly onFinal?: (response: SipResponse) => void,
  ) {
    this.toTag = req.toTag ?? newTag();
    this.transmit = (response) => this.req.inbound.respond(response);
  }

  /** Adds a header to every later response of this transaction. */
  set(name: string, value: string | number): this {
    this.sticky[name] = value;
    return this;
  }

  get finalResponseSent(): boolean {
    return this.sentFinal !== undefined || this.req.inbound.finalSent;
  }

  get headersSent(): boolean {
    return this.finalResponseSent;
  }

  /** The status of the last response sent. */
  get status(): number | undefined {
    return this.last?.status;
  }

  /** The final response sent, if any. */
  get finalResponse(): SipResponse | undefined {
    return this.sentFinal;
  }

  /**
   * Sends a response and returns it, or undefined (with `callback(err)`) when it cannot be
   * sent: a final response already went out, or the request was cancelled.
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
    const response = createResponse(this.req, status, {
      reason: text,
      toTag: this.toTag,
      headers: { ...this.sticky, ...opts?.headers },
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
    if (this.sentFinal || !this.transmit(response)) {
      const err = new Error(
        this.req.canceled
          ? 'res.send: the request was cancelled'
          : 'res.send: a final response was already sent',
      );
      cb?.(err);
      return undefined;
    }
    this.last = response;
    if (status >= 200) {
      this.sentFinal = response;
      this.onFinal?.(response);
    }
    cb?.(null, response);
    return response;
  }
}
