import { EventEmitter } from 'node:events';
import { firstValueFrom } from 'rxjs';
import { proxy$ } from '../proxy/proxy-call.js';
import type { ProxyOptions, ProxyResult } from '../proxy/proxy-request.js';
import type { DigestAuthorizationFields } from '../requests/digest-server.js';
import type { SrfRequest } from '../requests/srf-request.js';
import type { HeaderValue, ParsedHeader, SipRequest } from '../sip/message.js';
import type { NameAddr } from '../sip/name-addr.js';

/** One part of a request's body, as drachtio-srf gives `req.payload`. */
export interface PayloadPart {
  /** The part's Content-Type. */
  type: string;
  /** The part's content. */
  content: string;
}

/** What `drachtio-mw-registration-parser` puts on a REGISTER. */
export interface Registration {
  /** `unregister` when the expiry is 0. */
  type: 'register' | 'unregister';
  /** The expiry asked for, in seconds. */
  expires: number;
  /** The Contact header, parsed. */
  contact: NameAddr[];
  /** The address of record (the To URI). */
  aor: string;
}

/**
 * What `drachtio-mw-digest-auth` (or rxsip's own digest middleware) parses from an Authorization
 * or Proxy-Authorization header and leaves on `req.authorization`.
 */
export type DigestAuthorization = DigestAuthorizationFields;

/** The events of an incoming request. */
export interface RequestEvents {
  /** The caller sent CANCEL (the stack has answered it 200 and the INVITE 487). */
  cancel: [SipRequest];
}

/**
 * drachtio-srf's Request: an incoming request as its middleware and event listeners see it.
 * It reads through to the rxsip request (`req.msg`, an {@link SrfRequest}) and adds what
 * drachtio-srf apps rely on: `payload` as parts, `server`, an assignable `canceled`, the
 * `cancel` event, and room for what middleware attaches (`registration`, `authorization`,
 * `locals`).
 *
 * @example
 * ```ts
 * srf.invite((req, res) => {
 *   req.on('cancel', () => console.log('caller gave up'));
 *   res.send(486);
 * });
 * ```
 */
export class Request extends EventEmitter<RequestEvents> {
  /** The rxsip request underneath. */
  readonly msg: SrfRequest;
  /** What `drachtio-mw-registration-parser` found in a REGISTER. */
  registration?: Registration;
  /** What `drachtio-mw-digest-auth` parsed from the credentials. */
  authorization?: DigestAuthorization;
  /** Room for the application's own per-request state. */
  locals: Record<string, unknown> = {};
  private cancelled: boolean | undefined;

  private constructor(msg: SrfRequest) {
    super();
    this.msg = msg;
    msg.cancel$.subscribe((cancel) => this.emit('cancel', cancel));
  }

  /**
   * The Request for an rxsip request: always the same object, so what one middleware attaches
   * the next one sees.
   *
   * @param msg - the rxsip request
   * @returns its drachtio-srf view
   */
  static of(msg: SrfRequest): Request {
    // Kept on the request, not in a WeakMap: V8's scavenger keeps a WeakMap's young values alive.
    if (msg.view instanceof Request) return msg.view;
    const req = new Request(msg);
    msg.view = req;
    return req;
  }

  /** The method. */
  get method(): string {
    return this.msg.method;
  }
  /** The Request-URI. */
  get uri(): string {
    return this.msg.uri;
  }
  /** drachtio-srf's alias of `uri`. */
  get url(): string {
    return this.msg.uri;
  }
  /** The headers, keyed by lower-case name, repeated values joined with a comma. */
  get headers(): Record<string, string> {
    return this.msg.headers;
  }
  /** The body as text. */
  get body(): string {
    return this.msg.body;
  }
  /** The body as drachtio-srf gives it: one part, or each part of a multipart body; none when empty. */
  get payload(): PayloadPart[] {
    return payloadOf(this.msg.get('content-type'), this.msg.body);
  }
  /** Always `request`. */
  get type(): 'request' {
    return 'request';
  }
  /** The request as received, as text. */
  get raw(): string {
    return this.msg.toString();
  }
  /** The caller's number: the From user, or the P-Asserted-Identity user. */
  get callingNumber(): string | undefined {
    return this.msg.callingNumber;
  }
  /** The caller's display name. */
  get callingName(): string | undefined {
    return this.msg.callingName;
  }
  /** The number called: the Request-URI user. */
  get calledNumber(): string | undefined {
    return this.msg.calledNumber;
  }
  /** True for an INVITE or SUBSCRIBE outside a dialog. */
  get canFormDialog(): boolean {
    return (this.method === 'INVITE' || this.method === 'SUBSCRIBE') && this.msg.toTag === undefined;
  }
  /** An INVITE outside any dialog. */
  get isNewInvite(): boolean {
    return this.msg.isNewInvite;
  }
  /** Always `network`: the request came from a peer. */
  get source(): 'network' {
    return 'network';
  }
  /** The sender's address. */
  get source_address(): string {
    return this.msg.source_address;
  }
  /** The sender's port. */
  get source_port(): number {
    return this.msg.source_port;
  }
  /** The transport: udp, tcp, tls, ws or wss. */
  get protocol(): string {
    return this.msg.protocol;
  }
  /** `address:port` of the listening point it arrived on. */
  get receivedOn(): string {
    return this.msg.receivedOn;
  }
  /** The listening point it arrived on, as drachtio-srf names it: `{address, hostport}`. */
  get server(): { address: string; hostport: string } {
    return { address: this.msg.source.local.address, hostport: this.msg.receivedOn };
  }
  /** drachtio-srf's dialog id for the request: Call-ID and From tag. */
  get stackDialogId(): string {
    return `${this.msg.callId};from-tag=${this.msg.fromTag ?? ''}`;
  }
  /** True once the caller cancelled; an application may set it too, as drachtio-srf apps do. */
  get canceled(): boolean {
    return this.cancelled ?? this.msg.canceled;
  }
  set canceled(value: boolean) {
    this.cancelled = value;
  }

  /**
   * Proxies this request statefully (drachtio-srf's `req.proxy`), as `srf.proxyRequest` does:
   * to `options.destination` (an address, a URI or a list; default the Request-URI).
   *
   * @param options - destination, recordRoute, forking, timeouts
   * @param callback - drachtio-srf's `(err, result)`
   * @returns the outcome
   */
  proxy(
    options: ProxyOptions & { destination?: string | string[] } = {},
    callback?: (err: Error | null, result?: ProxyResult) => void,
  ): Promise<ProxyResult> {
    const { destination, ...opts } = options;
    const destinations =
      destination === undefined ? [] : Array.isArray(destination) ? destination : [destination];
    const result = firstValueFrom(proxy$({ req: this.msg }, destinations, opts));
    if (callback)
      result.then(
        (r) => callback(null, r),
        (err: Error) => callback(err),
      );
    return result;
  }

  /**
   * A header's value (case-insensitive name, compact forms too).
   *
   * @param name - the header name
   * @returns its value, repeated values joined with a comma
   */
  get(name: string): string | undefined {
    return this.msg.get(name);
  }
  /**
   * Whether the header is present.
   *
   * @param name - the header name
   * @returns true if present
   */
  has(name: string): boolean {
    return this.msg.has(name);
  }
  /**
   * Sets a header on the request as the application sees it.
   *
   * @param name - the header name
   * @param value - its value
   * @returns this request
   */
  set(name: string, value: HeaderValue): this {
    this.msg.set(name, value);
    return this;
  }
  /**
   * A header parsed: From/To/Contact as name-addr, Via, CSeq and the rest as rxsip parses them.
   * drachtio-srf throws when the header is absent, and so does this.
   *
   * @param name - the header name
   * @returns the parsed value
   */
  getParsedHeader<N extends string>(name: N): ParsedHeader<N> {
    const value = this.msg.getParsedHeader(name);
    if (value === undefined) throw new Error(`getParsedHeader: no ${name} header`);
    return value;
  }
}

/** A body as drachtio-srf's parts: a multipart body split on its boundary (RFC 2046 §5.1). */
export function payloadOf(contentType: string | undefined, body: string): PayloadPart[] {
  if (body.length === 0) return [];
  const type = contentType ?? 'application/octet-stream';
  const boundary = /^multipart\/[^;]+;.*boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary) return [{ type, content: body }];
  const parts: PayloadPart[] = [];
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const text = chunk.replace(/^\r?\n/, '');
    const split = text.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const head = text.slice(0, split);
    const content = text
      .slice(split)
      .replace(/^\r?\n\r?\n/, '')
      .replace(/\r?\n$/, '');
    const partType = /^content-type:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? 'text/plain';
    parts.push({ type: partType, content });
  }
  return parts;
}
