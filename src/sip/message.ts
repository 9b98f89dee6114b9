import { type AuthHeader, parseAuthHeader } from './auth-header.js';
import { type CSeq, parseCSeq } from './cseq.js';
import { SipParseError } from './errors.js';
import { isDigits, splitList, trimLws } from './grammar.js';
import { canonicalHeaderName, headerKey } from './header-names.js';
import { type NameAddr, parseNameAddr, parseNameAddrList } from './name-addr.js';
import { emptyParams, type Params, parseParams } from './params.js';
import { isSipUri, isTelUri, parseUri, type Uri } from './uri.js';
import { parseTopVia, parseViaList, type Via } from './via.js';

/** One header line: `name` as written, `key` the lower-case long form used for lookups. */
export interface HeaderField {
  name: string;
  key: string;
  value: string;
}

/** Headers given to builders and `set`: a value, or several (one header line each). */
export type HeaderValue = string | number | readonly (string | number)[];
export type HeaderInit = Record<string, HeaderValue | undefined>;

export interface ContentType {
  type: string;
  subtype: string;
  params: Params;
}

export interface RAck {
  rseq: number;
  cseq: number;
  method: string;
}

export interface SessionExpires {
  delta: number;
  refresher?: 'uac' | 'uas';
  params: Params;
}

/** Structured values returned by {@link SipMessage.getParsedHeader}, by header key. */
export interface ParsedHeaders {
  via: Via[];
  from: NameAddr;
  to: NameAddr;
  contact: NameAddr[] | '*';
  route: NameAddr[];
  'record-route': NameAddr[];
  path: NameAddr[];
  'service-route': NameAddr[];
  'p-asserted-identity': NameAddr[];
  'p-preferred-identity': NameAddr[];
  'refer-to': NameAddr;
  'referred-by': NameAddr;
  cseq: CSeq;
  'www-authenticate': AuthHeader[];
  'proxy-authenticate': AuthHeader[];
  authorization: AuthHeader[];
  'proxy-authorization': AuthHeader[];
  'max-forwards': number;
  'content-length': number;
  expires: number;
  'min-expires': number;
  'min-se': number;
  rseq: number;
  rack: RAck;
  'session-expires': SessionExpires;
  'content-type': ContentType;
  require: string[];
  supported: string[];
  'proxy-require': string[];
  unsupported: string[];
  allow: string[];
}

export type ParsedHeader<N extends string> =
  Lowercase<N> extends keyof ParsedHeaders ? ParsedHeaders[Lowercase<N>] : string;

const EMPTY = Buffer.alloc(0);
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/** A header value that must be a number in 0..max (Content-Length, Max-Forwards, Expires, ...). */
export function parseNumber(value: string, name: string, max = 2 ** 32 - 1): number {
  const v = trimLws(value);
  if (!isDigits(v) || v.length > 10 || Number(v) > max) {
    throw new SipParseError(`${canonicalHeaderName(name)}: "${v}" is not a number in 0..${max}`);
  }
  return Number(v);
}

/** `table[key]` when `key` is the table's own: header names such as "constructor" are not. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function parseTokenList(value: string): string[] {
  return splitList(value).filter((t) => t.length > 0);
}

// Headers whose lines are comma-separated lists and merge into one array.
const LIST_PARSERS: Record<string, (value: string) => unknown[]> = {
  via: parseViaList,
  route: (v) => parseNameAddrList(v, 'Route'),
  'record-route': (v) => parseNameAddrList(v, 'Record-Route'),
  path: (v) => parseNameAddrList(v, 'Path'),
  'service-route': (v) => parseNameAddrList(v, 'Service-Route'),
  'p-asserted-identity': (v) => parseNameAddrList(v, 'P-Asserted-Identity'),
  'p-preferred-identity': (v) => parseNameAddrList(v, 'P-Preferred-Identity'),
  'www-authenticate': parseAuthHeader,
  'proxy-authenticate': parseAuthHeader,
  authorization: parseAuthHeader,
  'proxy-authorization': parseAuthHeader,
  require: parseTokenList,
  supported: parseTokenList,
  'proxy-require': parseTokenList,
  unsupported: parseTokenList,
  allow: parseTokenList,
};

// Headers with one value: the first line is parsed.
const SINGLE_PARSERS: Record<string, (value: string) => unknown> = {
  from: (v) => parseNameAddr(v, 'From'),
  to: (v) => parseNameAddr(v, 'To'),
  'refer-to': (v) => parseNameAddr(v, 'Refer-To'),
  'referred-by': (v) => parseNameAddr(v, 'Referred-By'),
  cseq: parseCSeq,
  // RFC 3261 §20.22: Max-Forwards is 0..255.
  'max-forwards': (v) => parseNumber(v, 'max-forwards', 255),
  'content-length': (v) => parseNumber(v, 'content-length'),
  expires: (v) => parseNumber(v, 'expires'),
  'min-expires': (v) => parseNumber(v, 'min-expires'),
  'min-se': (v) => parseNumber(v.split(';')[0] ?? '', 'min-se'),
  rseq: (v) => parseNumber(v, 'rseq'),
  rack: parseRAck,
  'session-expires': parseSessionExpires,
  'content-type': parseContentType,
};

function parseRAck(value: string): RAck {
  const parts = value.trim().split(/\s+/);
  if (parts.length !== 3) throw new SipParseError('RAck: expected "<rseq> <cseq> <method>"');
  return {
    rseq: parseNumber(parts[0] ?? '', 'rack'),
    cseq: parseNumber(parts[1] ?? '', 'rack'),
    method: parts[2] ?? '',
  };
}

function parseSessionExpires(value: string): SessionExpires {
  const semi = value.indexOf(';');
  const delta = parseNumber(semi < 0 ? value : value.slice(0, semi), 'session-expires');
  const params = semi < 0 ? emptyParams() : parseParams(value, semi, 'Session-Expires');
  const refresher = params.refresher?.toLowerCase();
  const se: SessionExpires = { delta, params };
  if (refresher === 'uac' || refresher === 'uas') se.refresher = refresher;
  return se;
}

function parseContentType(value: string): ContentType {
  const semi = value.indexOf(';');
  const media = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const slash = media.indexOf('/');
  if (slash <= 0 || slash === media.length - 1)
    throw new SipParseError(`Content-Type: bad media type "${media}"`);
  return {
    type: media.slice(0, slash).trim(),
    subtype: media.slice(slash + 1).trim(),
    params: semi < 0 ? emptyParams() : parseParams(value, semi, 'Content-Type'),
  };
}

function parseContact(values: string[]): NameAddr[] | '*' {
  if (values.length === 1 && values[0]?.trim() === '*') return '*';
  return values.flatMap((v) => parseNameAddrList(v, 'Contact'));
}

function userOf(uriText: string | undefined): string | undefined {
  if (uriText === undefined) return undefined;
  try {
    const uri = parseUri(uriText);
    if (isSipUri(uri)) return uri.user;
    if (isTelUri(uri)) return uri.number;
  } catch {
    // an unparseable URI has no user
  }
  return undefined;
}

function toFieldValues(value: HeaderValue): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  return value.map(String);
}

/**
 * What requests and responses share: header access in the seed's style, structured header
 * values parsed on first access and cached, the body as bytes and text, and serialization.
 */
export abstract class SipMessage {
  /** @internal Header lines in wire order. */
  fields: HeaderField[];
  private payloadBytes: Buffer;
  private bodyText: string | undefined;
  private cache: Map<string, unknown> | undefined;
  /** The cache is shared with a message over the same lines until either changes a header. */
  private cacheShared = false;
  private top: Via | undefined;
  private raw: Buffer | undefined;
  private rawStartLine: string | undefined;

  constructor(fields: HeaderField[] = [], payload: Buffer = EMPTY) {
    this.fields = fields;
    this.payloadBytes = payload;
  }

  abstract get type(): 'request' | 'response';
  /** The first line, without CRLF. */
  abstract get startLine(): string;

  /** The value of a header (case-insensitive, compact forms too); repeated lines joined by `, `. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    let result: string | undefined;
    for (const f of this.fields) {
      if (f.key === key) result = result === undefined ? f.value : `${result}, ${f.value}`;
    }
    return result;
  }

  /** Every line's value of a header, in order. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.fields) if (f.key === key) out.push(f.value);
    return out;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    for (const f of this.fields) if (f.key === key) return true;
    return false;
  }

  /**
   * Replaces a header (all its lines) or, given an object, several. `undefined` removes.
   * Unlike drachtio-srf, `set` never appends; use {@link append} to add a line.
   */
  set(name: string, value: HeaderValue | undefined): this;
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

  /** Adds a header line after existing ones (or first, with `{first: true}`, as Via and Record-Route want). */
  append(name: string, value: string | number, options?: { first?: boolean }): this {
    const key = headerKey(name);
    const field = { name, key, value: String(value) };
    // Header lines are copied on write: a wrapper (the application's request) shares them.
    const fields = this.fields.slice();
    if (options?.first) {
      const index = fields.findIndex((f) => f.key === key);
      fields.splice(Math.max(index, 0), 0, field);
    } else {
      fields.push(field);
    }
    this.fields = fields;
    this.invalidate(key);
    return this;
  }

  remove(name: string): this {
    return this.set(name, undefined);
  }

  /** Removes the first value of a list header (the top Via, the first Route), keeping the rest. */
  removeFirstValue(name: string): this {
    const key = headerKey(name);
    const index = this.fields.findIndex((f) => f.key === key);
    if (index < 0) return this;
    const field = this.fields[index] as HeaderField;
    const rest = splitList(field.value).slice(1);
    const fields = this.fields.slice();
    if (rest.length === 0) fields.splice(index, 1);
    else fields[index] = { ...field, value: rest.join(', ') };
    this.fields = fields;
    this.invalidate(key);
    return this;
  }

  /** Header lines as `{key: value}` with repeated lines joined, for logging and inspection. */
  get headers(): Record<string, string> {
    const joined = new Map<string, string>();
    for (const f of this.fields) {
      const value = joined.get(f.key);
      joined.set(f.key, value === undefined ? f.value : `${value}, ${f.value}`);
    }
    return Object.fromEntries(joined);
  }

  /**
   * A header's structured value, parsed on first access and cached; `undefined` when absent.
   * Throws {@link SipParseError} when the header is malformed. Headers without a parser come
   * back as their string value.
   *
   * @example
   * req.getParsedHeader('From').params.tag
   * req.getParsedHeader('Via')[0].branch
   */
  getParsedHeader<N extends string>(name: N): ParsedHeader<N> | undefined {
    const key = headerKey(name);
    const cached = this.cache?.get(key);
    if (cached !== undefined) return cached as ParsedHeader<N>;
    const values = this.getAll(key);
    if (values.length === 0) return undefined;
    let parsed: unknown;
    const list = own(LIST_PARSERS, key);
    const single = own(SINGLE_PARSERS, key);
    if (key === 'contact') parsed = parseContact(values);
    else if (list) parsed = values.length === 1 ? list(values[0] as string) : values.flatMap((v) => list(v));
    else if (single) parsed = single(values[0] as string);
    else parsed = values.join(', ');
    if (!this.cache) this.cache = new Map();
    this.cache.set(key, parsed);
    return parsed as ParsedHeader<N>;
  }

  private invalidate(key: string): void {
    if (this.cacheShared && this.cache) {
      this.cache = new Map(this.cache);
      this.cacheShared = false;
    }
    this.cache?.delete(key);
    this.raw = undefined;
    if (key === 'via') this.top = undefined;
  }

  /**
   * @internal The bytes this message was parsed from, given by the parser when they are
   * canonical enough to send again (one Content-Length, matching the body). `toBuffer` returns
   * them while nothing has changed: parse lazily, serialize once.
   */
  keepRaw(bytes: Buffer): void {
    this.raw = bytes;
    this.rawStartLine = this.startLine;
  }

  /**
   * @internal Takes over what `source`, a message over the same header lines, has already
   * parsed and the bytes it came from, so a wrapper (the application's request) parses nothing twice.
   */
  adoptParsed(source: SipMessage): void {
    source.cache ??= new Map();
    this.cache = source.cache;
    this.cacheShared = source.cacheShared = true;
    this.top = source.top;
    this.raw = source.raw;
    this.rawStartLine = source.rawStartLine;
  }

  /** @internal Stores a value the parser has already read, so it is not parsed again. */
  seedParsed(key: string, value: unknown): void {
    if (key === 'via') {
      this.top = value as Via;
      return;
    }
    if (!this.cache) this.cache = new Map();
    this.cache.set(key, value);
  }

  private required<N extends keyof ParsedHeaders>(name: N): ParsedHeaders[N] {
    const value = this.getParsedHeader(name);
    if (value === undefined) throw new SipParseError(`missing ${canonicalHeaderName(name)} header`);
    return value as ParsedHeaders[N];
  }

  get callId(): string {
    const value = this.get('call-id');
    if (value === undefined) throw new SipParseError('missing Call-ID header');
    return value;
  }

  get cseq(): CSeq {
    return this.required('cseq');
  }

  get from(): NameAddr {
    return this.required('from');
  }

  get to(): NameAddr {
    return this.required('to');
  }

  get fromTag(): string | undefined {
    return this.from.params.tag ?? undefined;
  }

  get toTag(): string | undefined {
    return this.to.params.tag ?? undefined;
  }

  /** Every Via value, top first. */
  get via(): Via[] {
    return this.required('via');
  }

  /** The top Via, parsed alone (the others are parsed when {@link via} is read). */
  get topVia(): Via {
    if (this.top) return this.top;
    const all = this.cache?.get('via') as Via[] | undefined;
    if (all?.[0]) return all[0];
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
    const pai = this.safeParsed('p-asserted-identity')?.[0];
    return userOf(pai?.uri) ?? userOf(this.safeParsed('from')?.uri);
  }

  /** The display name of P-Asserted-Identity, else of From. */
  get callingName(): string | undefined {
    return this.safeParsed('p-asserted-identity')?.[0]?.name ?? this.safeParsed('from')?.name;
  }

  /** The called party: the Request-URI's user for a request, the To URI's for a response. */
  abstract get calledNumber(): string | undefined;

  protected safeParsed<N extends keyof ParsedHeaders>(name: N): ParsedHeaders[N] | undefined {
    try {
      return this.getParsedHeader(name) as ParsedHeaders[N] | undefined;
    } catch {
      return undefined;
    }
  }

  /** The message in wire form. Content-Length is always written, counting bytes. */
  toBuffer(): Buffer {
    if (this.raw !== undefined && this.startLine === this.rawStartLine) return this.raw;
    let head = `${this.startLine}\r\n`;
    for (const f of this.fields) {
      if (f.key !== 'content-length') head += `${f.name}: ${f.value}\r\n`;
    }
    const payload = this.payloadBytes;
    head += `Content-Length: ${payload.length}\r\n\r\n`;
    // One encoding pass into a scratch buffer, then one copy, instead of measuring and encoding.
    if (head.length * 3 > SCRATCH.length) return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
    const headLength = SCRATCH.write(head, 0, 'utf8');
    const out = Buffer.allocUnsafe(headLength + payload.length);
    SCRATCH.copy(out, 0, 0, headLength);
    if (payload.length > 0) payload.copy(out, headLength);
    return out;
  }

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

/** A SIP request. `uri` is the Request-URI as text; {@link requestUri} its parsed form. */
export class SipRequest extends SipMessage {
  private parsedUriText: string | undefined;
  private parsedUri: Uri | undefined;

  constructor(
    public method: string,
    public uri: string,
    fields: HeaderField[] = [],
    payload?: Buffer,
    public version = 'SIP/2.0',
  ) {
    super(fields, payload);
  }

  get type(): 'request' {
    return 'request';
  }

  get startLine(): string {
    return `${this.method} ${this.uri} ${this.version}`;
  }

  /** The Request-URI parsed (cached until `uri` changes). Throws {@link SipParseError}. */
  get requestUri(): Uri {
    if (this.parsedUri === undefined || this.parsedUriText !== this.uri) {
      this.parsedUri = parseUri(this.uri);
      this.parsedUriText = this.uri;
    }
    return this.parsedUri;
  }

  get calledNumber(): string | undefined {
    return userOf(this.uri);
  }

  override adoptParsed(source: SipMessage): void {
    super.adoptParsed(source);
    if (source instanceof SipRequest) {
      this.parsedUri = source.parsedUri;
      this.parsedUriText = source.parsedUriText;
    }
  }

  clone(): SipRequest {
    return this.copyInto(new SipRequest(this.method, this.uri, [], undefined, this.version));
  }
}

/** A SIP response. */
export class SipResponse extends SipMessage {
  constructor(
    public status: number,
    public reason: string,
    fields: HeaderField[] = [],
    payload?: Buffer,
    public version = 'SIP/2.0',
  ) {
    super(fields, payload);
  }

  get type(): 'response' {
    return 'response';
  }

  /** drachtio-srf's name for {@link status}. */
  get statusCode(): number {
    return this.status;
  }

  get startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }

  get calledNumber(): string | undefined {
    return userOf(this.safeParsed('to')?.uri);
  }

  clone(): SipResponse {
    return this.copyInto(new SipResponse(this.status, this.reason, [], undefined, this.version));
  }
}

export function isRequest(message: SipMessage): message is SipRequest {
  return message.type === 'request';
}

export function isResponse(message: SipMessage): message is SipResponse {
  return message.type === 'response';
}
