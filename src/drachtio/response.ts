import { EventEmitter } from 'node:events';
import { type Observable, take } from 'rxjs';
import type { SendCallback, SendOptions, SrfResponse } from '../requests/srf-response.js';
import type { HeaderValue, SipRequest, SipResponse } from '../sip/message.js';

/** Called with the ACK of a 2xx (drachtio-srf's `fnAck`), or the PRACK of a reliable 1xx. */
export type AckCallback = (ack: SipRequest) => void;

/** The events of a response. */
export interface ResponseEvents {
  /** A final response went out: its status and reason. */
  end: [{ status: number; reason: string }];
}

/**
 * drachtio-srf's Response: how middleware and event listeners answer a request. `send` takes
 * every drachtio-srf form, `send(status, [reason], [opts], [callback], [fnAck])`, and `fnAck` is
 * called with the ACK of the 2xx. It writes through to the rxsip response (`res.msg`, an
 * {@link SrfResponse}).
 *
 * @example
 * ```ts
 * srf.register((req, res) => res.send(200, { headers: { Expires: '3600' } }));
 * ```
 */
export class Response extends EventEmitter<ResponseEvents> {
  /** The rxsip response underneath. */
  readonly msg: SrfResponse;
  /** Where the ACK of a 2xx will show (the dialog the request is in, or the one it makes). */
  private readonly acks: (() => Observable<SipRequest> | undefined) | undefined;
  private code: number | undefined;

  private constructor(msg: SrfResponse, acks?: () => Observable<SipRequest> | undefined) {
    super();
    this.msg = msg;
    this.acks = acks;
    msg.final$.subscribe((final) => this.emit('end', { status: final.status, reason: final.reason }));
  }

  /**
   * The Response for an rxsip response: always the same object.
   *
   * @param msg - the rxsip response
   * @param acks - where the ACK of a 2xx arrives, for `fnAck`
   * @returns its drachtio-srf view
   */
  static of(msg: SrfResponse, acks?: () => Observable<SipRequest> | undefined): Response {
    // Kept on the response, not in a WeakMap: V8's scavenger keeps a WeakMap's young values alive.
    if (msg.view instanceof Response) return msg.view;
    const res = new Response(msg, acks);
    msg.view = res;
    return res;
  }

  /**
   * Sends a response: `send(status, [reason], [opts], [callback], [fnAck])`, each optional
   * argument may be left out. `fnAck` is called with the ACK once a 2xx to an INVITE is
   * acknowledged (RFC 3261 §13.3.1.4).
   *
   * @param status - 100 to 699
   * @param reason - the reason phrase
   * @param options - headers and body
   * @param callback - told whether it went out
   * @param fnAck - called with the ACK of a 2xx
   * @returns this response
   */
  send(
    status: number,
    reason: string,
    options?: SendOptions,
    callback?: SendCallback | null,
    fnAck?: AckCallback,
  ): this;
  /**
   * Sends a response with headers and body, and the default reason phrase.
   *
   * @param status - 100 to 699
   * @param options - headers and body
   * @param callback - told whether it went out
   * @param fnAck - called with the ACK of a 2xx
   * @returns this response
   */
  send(status: number, options?: SendOptions, callback?: SendCallback | null, fnAck?: AckCallback): this;
  /**
   * Sends a response and calls back.
   *
   * @param status - 100 to 699
   * @param callback - told whether it went out
   * @returns this response
   */
  send(status: number, callback: SendCallback): this;
  /**
   * Sends a response with a reason phrase and calls back.
   *
   * @param status - 100 to 699
   * @param reason - the reason phrase
   * @param callback - told whether it went out
   * @returns this response
   */
  send(status: number, reason: string, callback: SendCallback): this;
  send(
    status: number,
    ...args: Array<string | SendOptions | SendCallback | AckCallback | null | undefined>
  ): this {
    let reason: string | undefined;
    let options: SendOptions | undefined;
    const functions: Array<SendCallback | AckCallback | undefined> = [];
    for (const arg of args) {
      if (typeof arg === 'string') reason = arg;
      // `send(200, opts, null, fnAck)`: a null callback keeps fnAck in its place.
      else if (typeof arg === 'function') functions.push(arg);
      else if (arg == null) {
        if (options !== undefined || functions.length > 0) functions.push(undefined);
      } else if (arg) options = arg;
    }
    const [callback, fnAck] = functions as [SendCallback | undefined, AckCallback | undefined];
    const sent = this.msg.send(status, reason, options ?? {}, callback);
    if (sent && fnAck && status >= 200 && status < 300) this.acks?.()?.pipe(take(1)).subscribe(fnAck);
    return this;
  }

  /** Sends the status set with `statusCode` (200 if none): express's `res.end()`. */
  end(): void {
    this.send(this.code ?? 200);
  }

  /** The status of the last response sent, or the one `end` will send. */
  get statusCode(): number | undefined {
    return this.code ?? this.msg.status;
  }
  set statusCode(value: number) {
    this.code = value;
  }
  /** drachtio-srf's name for `statusCode` of what was sent. */
  get status(): number | undefined {
    return this.msg.status;
  }
  /** The reason phrase of the final response sent. */
  get reason(): string | undefined {
    return this.msg.finalResponse?.reason;
  }
  /** True once a final response went out. */
  get finalResponseSent(): boolean {
    return this.msg.finalResponseSent;
  }
  /** True once any response went out. */
  get headersSent(): boolean {
    return this.msg.headersSent;
  }
  /** The final response sent, if any. */
  get finalResponse(): SipResponse | undefined {
    return this.msg.finalResponse;
  }

  /**
   * A header for every later response (sticky across 1xx and final, as in drachtio-srf).
   *
   * @param name - the header name
   * @param value - its value
   * @returns this response
   */
  set(name: string, value: string | number): this {
    this.msg.set(name, value);
    return this;
  }
  /**
   * express's `setHeader`: the same as {@link Response.set}.
   *
   * @param name - the header name
   * @param value - its value
   * @returns this response
   */
  setHeader(name: string, value: HeaderValue): this {
    this.msg.set(name, typeof value === 'object' ? value.join(', ') : value);
    return this;
  }
  /**
   * A header of the last response sent.
   *
   * @param name - the header name
   * @returns its value
   */
  get(name: string): string | undefined {
    return this.msg.finalResponse?.get(name);
  }
  /**
   * express's `getHeader`: the same as {@link Response.get}.
   *
   * @param name - the header name
   * @returns its value
   */
  getHeader(name: string): string | undefined {
    return this.get(name);
  }
  /**
   * Whether the last response sent has the header.
   *
   * @param name - the header name
   * @returns true if present
   */
  has(name: string): boolean {
    return this.msg.finalResponse?.has(name) ?? false;
  }
}
