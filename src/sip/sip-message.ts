import type { CSeq } from './cseq.js';
import type { EagerHeaders } from './eager-headers.js';
import { SipParseError } from './errors.js';
import {
  type HeaderField,
  type HeaderInit,
  type HeaderValue,
  joinedHeaders,
  toFieldValues,
  withLine,
  withoutFirstValue,
} from './header-field.js';
import { canonicalHeaderName, headerKey } from './header-names.js';
import { type ParsedHeader, type ParsedHeaders, parseHeaderValues } from './header-parsers.js';
import { loneVia } from './lone-via.js';
import type { NameAddr } from './name-addr.js';
import type { RawBytes } from './raw-bytes.js';
import { serializeMessage } from './serialize.js';
import { userOfNameAddr } from './user-of.js';
import { parseTopVia, type Via } from './via.js';

export type { HeaderField, HeaderInit, HeaderValue } from './header-field.js';

const EMPTY = Buffer.alloc(0);

/**
 * What requests and responses share: header access in the seed's style, structured header
 * values parsed on first access and cached, the body as bytes and text, and serialization.
 * Header names are case-insensitive and compact forms are the long ones (RFC 3261 §7.3.1, §7.3.3).
 *
 * @example
 * ```ts
 * import { createRequest } from 'rxsip/sip';
 *
 * const message = createRequest({ method: 'MESSAGE', uri: 'sip:bob@example.com', from: '<sip:alice@example.com>' });
 * message.set('Content-Type', 'text/plain').append('Route', '<sip:proxy.example.com;lr>');
 * message.body = 'Hello, Bob';
 * console.log(message.get('c'), message.cseq.seq, message.fromTag, message.toString());
 * ```
 */
export abstract class SipMessage {
  /** @internal Header lines in wire order. */
  fields: HeaderField[];
  private payloadBytes: Buffer;
  private bodyText: string | undefined;
  private cache: Map<string, unknown> | undefined;
  /** The cache is shared with a message over the same lines until either changes a header. */
  private cacheShared = false;
  /** What the parser read at once; moved into the cache when a header changes. */
  private eager: EagerHeaders | undefined;
  private top: Via | undefined;
  private raw: RawBytes | undefined;

  /**
   * @param fields - the header lines in wire order; the message keeps the array
   * @param payload - the body bytes; none when omitted
   */
  constructor(fields: HeaderField[] = [], payload: Buffer = EMPTY) {
    this.fields = fields;
    this.payloadBytes = payload;
  }

  /** `'request'` or `'response'`: which of the two this message is, without `instanceof`. */
  abstract get type(): 'request' | 'response';
  /** The first line, without CRLF. */
  abstract get startLine(): string;

  /**
   * The value of a header (case-insensitive, compact forms too); repeated lines joined by `, `.
   *
   * @param name - the header name in any spelling
   * @returns the value, or `undefined` when the message has no such header
   */
  get(name: string): string | undefined {
    const key = headerKey(name);
    let result: string | undefined;
    for (const f of this.fields)
      if (f.key === key) result = result === undefined ? f.value : `${result}, ${f.value}`;
    return result;
  }

  /**
   * Every line's value of a header, in order.
   *
   * @param name - the header name in any spelling
   * @returns one string per header line, empty when there is none
   */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.fields) if (f.key === key) out.push(f.value);
    return out;
  }

  /**
   * Whether the message has at least one line of a header.
   *
   * @param name - the header name in any spelling (`Contact`, `contact` or `m`)
   * @returns `true` when the header is present
   */
  has(name: string): boolean {
    const key = headerKey(name);
    for (const f of this.fields) if (f.key === key) return true;
    return false;
  }

  /**
   * Replaces a header (all its lines) or, given an object, several. `undefined` removes.
   * Unlike drachtio-srf, `set` never appends; use {@link SipMessage.append} to add a line.
   *
   * @param name - the header name in any spelling; the new lines take the place of the first old one
   * @param value - the value, an array for one line each, or `undefined` to remove the header
   * @returns this message, for chaining
   */
  set(name: string, value: HeaderValue | undefined): this;
  /**
   * Replaces several headers at once, each as `set(name, value)` would.
   *
   * @param headers - headers by name; an `undefined` value removes that header
   * @returns this message, for chaining
   */
  set(headers: HeaderInit): this;
  set(nameOrHeaders: string | HeaderInit, value?: HeaderValue): this {
    if (typeof nameOrHeaders !== 'string') {
      for (const name in nameOrHeaders) this.set(name, nameOrHeaders[name]);
      return this;
    }
    const key = headerKey(nameOrHeaders);
    const index = this.fields.findIndex((f) => f.key === key);
    this.fields = this.fields.filter((f) => f.key !== key);
    this.invalidate(key);
    if (value === undefined) return this;
    const added = toFieldValues(value).map((v) => ({ name: nameOrHeaders, key, value: v }));
    this.fields.splice(index < 0 ? this.fields.length : index, 0, ...added);
    return this;
  }

  /**
   * Adds a header line after existing ones, or before them with `first`, as a proxy adds Via
   * and Record-Route (RFC 3261 §16.6).
   *
   * @param name - the header name in any spelling
   * @param value - the line's value
   * @param options - `first: true` puts the line above the header's existing lines
   * @returns this message, for chaining
   */
  append(name: string, value: string | number, options?: { first?: boolean }): this {
    const key = headerKey(name);
    // Header lines are copied on write: a wrapper (the application's request) shares them.
    this.fields = withLine(this.fields, { name, key, value: String(value) }, options?.first ?? false);
    this.invalidate(key);
    return this;
  }

  /**
   * Removes every line of a header.
   *
   * @param name - the header name in any spelling
   * @returns this message, for chaining
   */
  remove(name: string): this {
    return this.set(name, undefined);
  }

  /**
   * Removes the first value of a list header (the top Via, the first Route), keeping the rest,
   * as a proxy pops a Route that names itself (RFC 3261 §16.4).
   *
   * @param name - the header name in any spelling
   * @returns this message, for chaining
   */
  removeFirstValue(name: string): this {
    const key = headerKey(name);
    this.fields = withoutFirstValue(this.fields, key);
    this.invalidate(key);
    return this;
  }

  /** Header lines as `{key: value}` with repeated lines joined, for logging and inspection. */
  get headers(): Record<string, string> {
    return joinedHeaders(this.fields);
  }

  /**
   * A header's structured value, parsed on first access and cached; `undefined` when absent.
   * Throws `SipParseError` when the header is malformed. Headers without a parser come
   * back as their string value.
   *
   * @param name - the header name in any spelling; the parsed ones are the keys of `ParsedHeaders`
   * @returns the structured value (a `NameAddr` for From, `Via[]` for Via, a number for Expires,
   *   ...), or `undefined` when the message has no such header
   * @example
   * ```ts
   * import type { SipRequest } from 'rxsip';
   *
   * declare const req: SipRequest;
   * const tag = req.getParsedHeader('From')?.params.tag;
   * const branch = req.getParsedHeader('Via')?.[0]?.params.branch;
   * ```
   */
  getParsedHeader<N extends string>(name: N): ParsedHeader<N> | undefined {
    const key = headerKey(name);
    const cached = this.eager?.get(key) ?? this.cache?.get(key);
    if (cached !== undefined) return cached as ParsedHeader<N>;
    const values = this.getAll(key);
    if (values.length === 0) return undefined;
    const parsed = (key === 'via' && loneVia(values, this.top)) || parseHeaderValues(key, values);
    this.cache ??= new Map();
    this.cache.set(key, parsed);
    return parsed as ParsedHeader<N>;
  }

  private invalidate(key: string): void {
    this.foldEager();
    this.cache?.delete(key);
    this.raw = undefined;
    if (key === 'via') this.top = undefined;
  }

  /** Makes the cache this message's own, with what the parser read at once moved into it. */
  private foldEager(): void {
    if (this.cacheShared && this.cache) this.cache = new Map(this.cache);
    this.cacheShared = false;
    if (this.eager) this.cache = this.eager.movedInto(this.cache);
    this.eager = undefined;
  }

  /**
   * @internal What the parser read at once (From, To, CSeq, ...), and the bytes the message was
   * parsed from when they are canonical enough to send again (one Content-Length, matching the
   * body): `toBuffer` returns them while nothing has changed. Parse lazily, serialize once.
   */
  received(eager: EagerHeaders, raw: RawBytes | undefined): void {
    this.eager = eager;
    this.raw = raw;
  }

  /**
   * @internal Takes over what `source`, a message over the same header lines, has already
   * parsed and the bytes it came from, so a wrapper (the application's request) parses nothing twice.
   */
  adoptParsed(source: SipMessage): void {
    source.cache ??= new Map();
    this.cache = source.cache;
    this.cacheShared = source.cacheShared = true;
    this.eager = source.eager;
    this.top = source.top;
    this.raw = source.raw;
  }

  /** @internal Stores a value the parser has already read, so it is not parsed again. */
  seedParsed(key: string, value: unknown): void {
    if (key === 'via') this.top = value as Via;
    else {
      this.foldEager();
      this.cache ??= new Map();
      this.cache.set(key, value);
    }
  }

  private required<N extends keyof ParsedHeaders>(name: N): ParsedHeaders[N] {
    const value = this.getParsedHeader(name);
    if (value === undefined) throw new SipParseError(`missing ${canonicalHeaderName(name)} header`);
    return value as ParsedHeaders[N];
  }

  /** The Call-ID; throws `SipParseError` when the message has none. */
  get callId(): string {
    const value = this.get('call-id');
    if (value === undefined) throw new SipParseError('missing Call-ID header');
    return value;
  }

  /** The CSeq, parsed; throws `SipParseError` when missing or malformed. */
  get cseq(): CSeq {
    return this.eager?.cseq ?? this.required('cseq');
  }

  /** The From header, parsed; throws `SipParseError` when missing or malformed. */
  get from(): NameAddr {
    return this.eager?.from ?? this.required('from');
  }

  /** The To header, parsed; throws `SipParseError` when missing or malformed. */
  get to(): NameAddr {
    return this.eager?.to ?? this.required('to');
  }

  /** The From tag: the initiator's part of the dialog ID (RFC 3261 §12). */
  get fromTag(): string | undefined {
    return this.from.params.tag ?? undefined;
  }

  /** The To tag; `undefined` on a request outside a dialog and on a 100 (RFC 3261 §8.2.6.2). */
  get toTag(): string | undefined {
    return this.to.params.tag ?? undefined;
  }

  /** Every Via value, top first; throws `SipParseError` when missing or malformed. */
  get via(): Via[] {
    return this.required('via');
  }

  /** The top Via, parsed alone (the others are parsed when {@link SipMessage.via} is read). */
  get topVia(): Via {
    const top = this.top ?? (this.cache?.get('via') as Via[] | undefined)?.[0];
    if (top) return top;
    const first = this.fields.find((f) => f.key === 'via');
    if (!first) throw new SipParseError('missing Via header');
    this.top = parseTopVia(first.value);
    return this.top;
  }

  /** The body as bytes; Content-Length counts these. */
  get payload(): Buffer {
    return this.payloadBytes;
  }

  /** The body as text (UTF-8). Setting it replaces the bytes. */
  get body(): string {
    if (this.bodyText === undefined)
      this.bodyText = this.payloadBytes.length ? this.payloadBytes.toString('utf8') : '';
    return this.bodyText;
  }

  set body(value: string | Buffer) {
    this.raw = undefined;
    if (typeof value === 'string') {
      this.payloadBytes = Buffer.from(value, 'utf8');
      this.bodyText = value;
    } else {
      this.payloadBytes = value;
      this.bodyText = undefined;
    }
  }

  /** The calling party: the user of P-Asserted-Identity, else of From. */
  get callingNumber(): string | undefined {
    const pai = this.tryParsedHeader('p-asserted-identity')?.[0];
    return userOfNameAddr(pai) ?? userOfNameAddr(this.tryParsedHeader('from'));
  }

  /** The display name of P-Asserted-Identity, else of From. */
  get callingName(): string | undefined {
    return this.tryParsedHeader('p-asserted-identity')?.[0]?.name ?? this.tryParsedHeader('from')?.name;
  }

  /** The called party: the Request-URI's user for a request, the To URI's for a response. */
  abstract get calledNumber(): string | undefined;

  /**
   * A header's structured value, or `undefined` when it is absent or malformed: for code that
   * only acts on a well-formed header and needs no error (a missing RAck, an unreadable Contact).
   *
   * @param name - the header name in any spelling
   * @returns the structured value, or `undefined` when absent or malformed
   * @example
   * ```ts
   * import type { SipRequest } from 'rxsip';
   *
   * declare const req: SipRequest;
   * const expires = req.tryParsedHeader('Expires') ?? 3600;
   * ```
   */
  tryParsedHeader<N extends string>(name: N): ParsedHeader<N> | undefined {
    try {
      return this.getParsedHeader(name);
    } catch (err) {
      if (err instanceof SipParseError) return undefined;
      throw err;
    }
  }

  /**
   * The message in wire form. Content-Length is always written, counting bytes. A parsed message
   * nobody changed comes back as the bytes it was parsed from.
   *
   * @returns the start line, header lines, empty line and body
   */
  toBuffer(): Buffer {
    if (this.raw !== undefined && this.startLine === this.raw.startLine) return this.raw.bytes();
    return serializeMessage(this.startLine, this.fields, this.payloadBytes);
  }

  /**
   * The message in wire form as text, for logs and tests.
   *
   * @returns what {@link SipMessage.toBuffer} returns, decoded as UTF-8
   */
  toString(): string {
    return this.toBuffer().toString('utf8');
  }

  /** @internal Copies fields and body into `target`. */
  protected copyInto<T extends SipMessage>(target: T): T {
    target.fields = this.fields.map((f) => ({ ...f }));
    target.payloadBytes = this.payloadBytes;
    return target;
  }
}
