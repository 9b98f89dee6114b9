// Property tests of the parser: it refuses bad bytes only with SipParseError and quickly, the
// header accessors do the same on damaged messages, generated messages survive a round trip,
// and StreamFramer cuts a stream the same way however it is chunked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SipMessage, SipRequest, SipResponse } from '../../src/index.js';
import {
  checkRequest,
  createResponse,
  type HeaderField,
  headerKey,
  type ParsedHeaders,
  parseMessage,
  parseUri,
  SipParseError,
  type SipUri,
  StreamFramer,
} from '../../src/sip.js';
import { corpus } from './corpus.js';

// A parse of at most a few KB that takes longer than this is a hang or super-linear work.
const PARSE_BUDGET_MS = 100;
const MAX_INPUT = 4096;

/** Runs `f`; a SipParseError gives `undefined`, anything else thrown fails the property. */
function onlyParseErrors<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (err instanceof SipParseError) return undefined;
    throw err;
  }
}

/** Milliseconds `f` takes; a slow run is timed again, so that a pause of the machine is not a failure. */
function elapsedMs(f: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 2 && best > PARSE_BUDGET_MS; attempt++) {
    const start = performance.now();
    f();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function parseQuickly(data: Buffer): SipMessage | undefined {
  let message: SipMessage | undefined;
  const elapsed = elapsedMs(() => {
    message = onlyParseErrors(() => parseMessage(data));
  });
  if (elapsed > PARSE_BUDGET_MS) throw new Error(`parsing ${data.length} bytes took ${elapsed} ms`);
  return message;
}

// Every structured header of message.ts; the type makes this list fail to compile when one is added.
const PARSED_HEADERS: Record<keyof ParsedHeaders, true> = {
  via: true,
  from: true,
  to: true,
  contact: true,
  route: true,
  'record-route': true,
  path: true,
  'service-route': true,
  'p-asserted-identity': true,
  'p-preferred-identity': true,
  'refer-to': true,
  'referred-by': true,
  cseq: true,
  'www-authenticate': true,
  'proxy-authenticate': true,
  authorization: true,
  'proxy-authorization': true,
  'max-forwards': true,
  'content-length': true,
  expires: true,
  'min-expires': true,
  'min-se': true,
  rseq: true,
  rack: true,
  'session-expires': true,
  'content-type': true,
  require: true,
  supported: true,
  'proxy-require': true,
  unsupported: true,
  allow: true,
};
const HEADER_KEYS = Object.keys(PARSED_HEADERS);

/**
 * Reads every structured header and derived value of a parsed message, serializes it and the
 * answers a server builds from it: all of it may refuse with SipParseError, nothing else.
 */
function readEverything(message: SipMessage): void {
  for (const key of HEADER_KEYS) {
    onlyParseErrors(() => message.getParsedHeader(key));
    onlyParseErrors(() => message.getParsedHeader(key));
  }
  for (const read of [
    (): unknown => message.callId,
    () => message.cseq,
    () => message.fromTag,
    () => message.toTag,
    () => message.topVia,
    () => message.callingNumber,
    () => message.callingName,
    () => message.calledNumber,
    () => message.headers,
    () => message.body,
  ]) {
    onlyParseErrors(read);
  }
  if (message instanceof SipRequest) {
    onlyParseErrors(() => message.requestUri);
    onlyParseErrors(() => checkRequest(message));
    onlyParseErrors(() => createResponse(message, 400).toBuffer());
  }
}

/** The error's offset is in the input: at the Request-URI, or at the start of a line. */
function expectOffsetInInput(error: SipParseError, data: Buffer): void {
  const offset = error.offset ?? -1;
  expect(offset).toBeGreaterThanOrEqual(0);
  expect(offset).toBeLessThanOrEqual(data.length);
  if (offset === 0 || offset === data.length) return;
  const before = data[offset - 1];
  if (error.reason.startsWith('Request-URI: ')) expect(before).toBe(0x20);
  else expect([0x0a, 0x0d]).toContain(before);
}

function parseError(data: Buffer): SipParseError | undefined {
  try {
    parseMessage(data);
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  return undefined;
}

/** Header fields without Content-Length, which serialization rewrites. */
function fieldsOf(message: SipMessage): Array<[string, string]> {
  return message.fields.filter((f) => f.key !== 'content-length').map((f) => [f.name, f.value]);
}

/** parse(toBuffer(m)) has m's start line, header fields and body bytes. */
function expectRoundTrip(message: SipMessage): void {
  const again = parseMessage(message.toBuffer());
  expect(again.startLine).toBe(message.startLine);
  expect(fieldsOf(again)).toEqual(fieldsOf(message));
  expect(again.payload.equals(message.payload)).toBe(true);
  expect(again.getAll('content-length')).toEqual([String(message.payload.length)]);
}

// Pieces of SIP that take a random input deeper into the parser than random bytes do.
const FRAGMENTS = [
  'INVITE',
  'REGISTER',
  'SIP/2.0',
  'SIP/2.0 200 OK',
  ' ',
  '  ',
  '\t',
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  '\r\n ',
  ':',
  ';',
  ',',
  '=',
  '"',
  '\\',
  '\\"',
  '<',
  '>',
  '[',
  ']',
  '@',
  '%',
  '%4',
  '%00',
  '%C3%A9',
  '%FF',
  '?',
  '&',
  '/',
  '*',
  'sip:',
  'sips:',
  'tel:',
  'user',
  'example.com',
  '192.0.2.1',
  '[2001:db8::1]',
  ':5060',
  '65536',
  'Via: ',
  'v: ',
  'SIP/2.0/UDP ',
  ';branch=z9hG4bK',
  ';received=',
  'From: ',
  'f: ',
  'To: ',
  't: ',
  ';tag=',
  'Call-ID: ',
  'i: ',
  'CSeq: ',
  '1 INVITE',
  'Content-Length: ',
  'l: ',
  '0',
  '10',
  '-1',
  '4294967296',
  'Max-Forwards: ',
  'Contact: ',
  'm: ',
  'Route: ',
  'Content-Type: ',
  'application/sdp',
  'Digest ',
  'realm="x"',
  'RAck: ',
  'Session-Expires: ',
  'Require: ',
  '__proto__',
  'constructor',
  'é',
  '大',
  '\ufffd',
  '\0',
];

const fragment: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FRAGMENTS).map((s) => Buffer.from(s, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }).map((s) => Buffer.from(s, 'utf8')) },
);

function capped(parts: Buffer[]): Buffer {
  const joined = Buffer.concat(parts);
  return joined.length > MAX_INPUT ? joined.subarray(0, MAX_INPUT) : joined;
}

const START_LINES = ['', 'INVITE sip:bob@example.com SIP/2.0\r\n', 'SIP/2.0 180 Ringing\r\n'];

/** A start line, then SIP-ish fragments, sometimes ended by an empty line. */
const sipish: fc.Arbitrary<Buffer> = fc
  .tuple(fc.constantFrom(...START_LINES), fc.array(fragment, { maxLength: 300 }), fc.boolean())
  .map(([start, parts, end]) => capped([Buffer.from(start), ...parts, Buffer.from(end ? '\r\n\r\n' : '')]));

const VALID_HEAD = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
  'From: <sip:alice@example.com>;tag=1',
  'To: <sip:bob@example.com>',
  'Call-ID: a@b',
  'CSeq: 1 OPTIONS',
];

/** One fragment repeated up to the size bound, in the start line, a header value or a header line. */
const repeated: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom(...FRAGMENTS),
    fc.integer({ min: 1, max: MAX_INPUT }),
    fc.constantFrom('start-line', 'via', 'from', 'contact', 'authorization', 'lines', 'x-header'),
  )
  .map(([piece, count, where]) => {
    const run = piece.repeat(Math.ceil(Math.min(count, MAX_INPUT) / Math.max(piece.length, 1)));
    const head = [...VALID_HEAD];
    if (where === 'start-line') head[0] = `OPTIONS ${run} SIP/2.0`;
    else if (where === 'lines') head.push(run);
    else head.push(`${where}: ${run}`);
    return capped([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8')]);
  });

describe('parseMessage on random input', () => {
  it('throws nothing but SipParseError on random bytes, and returns quickly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_INPUT }), (bytes) => {
        const message = parseQuickly(Buffer.from(bytes));
        if (message) readEverything(message);
      }),
      { numRuns: 2000 },
    );
  });

  it('throws nothing but SipParseError on random SIP-like input, and returns quickly', () => {
    fc.assert(
      fc.property(sipish, (data) => {
        const message = parseQuickly(data);
        if (message) readEverything(message);
      }),
      { numRuns: 2000 },
    );
  });

  it('parses a few KB of one repeated piece in bounded time (no super-linear scan)', () => {
    fc.assert(
      fc.property(repeated, (data) => {
        // Parsed afresh each time, as reading a message caches what it parsed.
        const elapsed = elapsedMs(() => {
          const message = onlyParseErrors(() => parseMessage(data));
          if (message) readEverything(message);
        });
        expect(elapsed).toBeLessThan(PARSE_BUDGET_MS);
      }),
      { numRuns: 600 },
    );
  });
});

// Names whose parsers the mutations swap in for one another.
const HEADER_NAMES = [
  'Via',
  'v',
  'From',
  'f',
  'To',
  't',
  'Call-ID',
  'i',
  'CSeq',
  'Contact',
  'm',
  'Route',
  'Record-Route',
  'Path',
  'Service-Route',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Refer-To',
  'r',
  'Referred-By',
  'b',
  'WWW-Authenticate',
  'Proxy-Authenticate',
  'Authorization',
  'Proxy-Authorization',
  'Max-Forwards',
  'Content-Length',
  'l',
  'Expires',
  'Min-Expires',
  'Min-SE',
  'RSeq',
  'RAck',
  'Session-Expires',
  'x',
  'Content-Type',
  'c',
  'Require',
  'Supported',
  'k',
  'Proxy-Require',
  'Unsupported',
  'Allow',
];

type Mutation = (data: string) => string;

/** Line boundaries of `text` (latin1, one char per byte). */
function lines(text: string): string[] {
  return text.split('\n').map((line, i, all) => (i < all.length - 1 ? `${line}\n` : line));
}

const latin1 = (b: Buffer): string => b.toString('latin1');

// Mutations work on latin1 strings, so that every byte is one character and survives.
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(
    ([at, byte]): Mutation =>
      (s) => {
        if (s.length === 0) return s;
        const i = at % s.length;
        return s.slice(0, i) + String.fromCharCode(byte) + s.slice(i + 1);
      },
  ),
  fc.nat().map(
    (at): Mutation =>
      (s) =>
        s.slice(0, at % (s.length + 1)),
  ),
  fc.tuple(fc.nat(), fragment).map(
    ([at, piece]): Mutation =>
      (s) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + latin1(piece) + s.slice(i);
      },
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 64 })).map(
    ([at, length]): Mutation =>
      (s) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + s.slice(i + length);
      },
  ),
  fc.tuple(fc.nat(), fc.nat()).map(
    ([from, to]): Mutation =>
      (s) => {
        const all = lines(s);
        all.splice(to % (all.length + 1), 0, all[from % all.length] ?? '');
        return all.join('');
      },
  ),
  fc.nat().map(
    (at): Mutation =>
      (s) =>
        lines(s)
          .toSpliced(at % lines(s).length, 1)
          .join(''),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...HEADER_NAMES)).map(
    ([at, name]): Mutation =>
      (s) => {
        // Gives a header line another header's name, so its value meets another parser.
        const all = lines(s);
        const i = 1 + (at % Math.max(all.length - 1, 1));
        const line = all[i] ?? '';
        const colon = line.indexOf(':');
        if (colon < 0) return s;
        all[i] = name + line.slice(colon);
        return all.join('');
      },
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...HEADER_NAMES), fc.array(fragment, { maxLength: 12 })).map(
    ([at, name, value]): Mutation =>
      (s) => {
        const all = lines(s);
        all.splice(1 + (at % Math.max(all.length - 1, 1)), 0, `${name}: ${latin1(Buffer.concat(value))}\r\n`);
        return all.join('');
      },
  ),
);

const CORPUS = corpus();

const mutated: fc.Arbitrary<Buffer> = fc
  .tuple(fc.constantFrom(...CORPUS), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([[, data], mutations]) => {
    let text = latin1(data);
    for (const mutate of mutations) text = mutate(text);
    return Buffer.from(text, 'latin1');
  });

describe('parseMessage on mutated RFC 4475 and RFC 5118 messages', () => {
  it('throws nothing but SipParseError, and returns quickly', () => {
    fc.assert(
      fc.property(mutated, (data) => {
        parseQuickly(data);
      }),
      { numRuns: 2500 },
    );
  });

  it('gives error offsets in the input, at the Request-URI or the line that is wrong', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, sipish), (data) => {
        const error = parseError(data);
        if (error) expectOffsetInInput(error, data);
      }),
      { numRuns: 2000 },
    );
  });

  it('counts offsets in bytes of the input even after invalid UTF-8', () => {
    const data = Buffer.concat([
      Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nX-A: '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(`\r\nVia: bad\r\n${VALID_HEAD.slice(2).join('\r\n')}\r\n\r\n`),
    ]);
    expect(parseError(data)).toMatchObject({
      reason: expect.stringMatching(/^Via: /),
      offset: data.indexOf('Via:'),
    });
  });

  it('reads every structured header, throwing nothing but SipParseError', () => {
    fc.assert(
      fc.property(mutated, (data) => {
        const message = parseQuickly(data);
        if (message) readEverything(message);
      }),
      { numRuns: 2500 },
    );
  });

  it('serializes what it parsed into a message that parses the same', () => {
    fc.assert(
      fc.property(mutated, (data) => {
        const message = parseQuickly(data);
        if (message) expectRoundTrip(message);
      }),
      { numRuns: 1500 },
    );
  });

  it('reads every structured header of every corpus message without other exceptions', () => {
    for (const [, data] of CORPUS) {
      const message = onlyParseErrors(() => parseMessage(data));
      if (message) readEverything(message);
    }
  });
});

describe('header names that are Object.prototype properties', () => {
  const base = [...VALID_HEAD, ''].join('\r\n');
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    it(`"${name}" is an extension header like any other`, () => {
      const message = parseMessage(`${base}${name}: one\r\n${name}: two\r\n\r\n`);
      expect(message.get(name)).toBe('one, two');
      expect(message.getParsedHeader(name)).toBe('one, two');
      expect(message.headers[name.toLowerCase()]).toBe('one, two');
      expect(Object.keys(message.headers)).toContain(name.toLowerCase());
      expectRoundTrip(message);
    });
  }
});

describe('URI unescaping', () => {
  const cases: Array<[string, string]> = [
    ['sip:%EF%BF%BD@h', '\ufffd'], // valid UTF-8 for U+FFFD is not invalid UTF-8
    ['sip:%EF%BB%BFa@h', '\ufeffa'], // a BOM is a character of the user
    ['sip:大%E5%A4%A7@h', '大大'], // a raw character next to escaped octets
    ['sip:é%C3%A9@h', 'éé'],
    ['sip:%FF@h', '\u00ff'], // octets that are not UTF-8 read as Latin-1
    ['sip:%c3%a9%41@h', 'éA'],
  ];
  for (const [text, user] of cases) {
    it(`reads the user of ${text} as ${JSON.stringify(user)}`, () => {
      expect((parseUri(text) as SipUri).user).toBe(user);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Generated valid messages

const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function chars(alphabet: string, minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
}

const token = chars(TOKEN_CHARS, 1, 10);
const label = chars(ALNUM, 1, 8);

const host: fc.Arbitrary<string> = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `${labels.join('.')}.example.com`),
  fc.ipV4(),
  fc.ipV6().map((a) => `[${a}]`),
);

const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });

/** Part of a URI: its text with %-escapes and what it decodes to. */
interface Escaped {
  text: string;
  decoded: string;
}

/** An escaped character, ASCII or not: its UTF-8 octets, each as %XX. */
const escapedChar: fc.Arbitrary<Escaped> = fc
  .oneof(
    fc.constantFrom('\ufffd', '\ufeff', 'é', '大', '%', '@', ' ', ';', '?', '&', '=', '<'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  )
  .map((ch) => ({
    text: [...Buffer.from(ch, 'utf8')]
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
    decoded: ch,
  }));

/** Characters safe as they are (RFC 3261 §25.1), mixed with escaped ones. */
function escapedText(safe: string): fc.Arbitrary<Escaped> {
  const piece = fc.oneof(
    chars(safe, 1, 6).map((s) => ({ text: s, decoded: s })),
    escapedChar,
  );
  return fc.array(piece, { minLength: 1, maxLength: 4 }).map((pieces) => ({
    text: pieces.map((p) => p.text).join(''),
    decoded: pieces.map((p) => p.decoded).join(''),
  }));
}

const UNRESERVED = `${ALNUM}-_.!~*'()`;
const user = escapedText(`${UNRESERVED}&=+$,;?/`);
const paramValueText = escapedText(`${UNRESERVED}[]/:&+$`);
const headerText = escapedText(`${UNRESERVED}[]/?:+$`);

interface GeneratedUri {
  text: string;
  scheme: 'sip' | 'sips';
  user?: string;
  host: string;
  port?: number;
  params: Record<string, string | null>;
  headers: Record<string, string>;
}

const uriParam = fc.tuple(chars(`${ALNUM}-`, 1, 8), fc.option(paramValueText, { nil: null }));

const sipUri: fc.Arbitrary<GeneratedUri> = fc
  .record({
    scheme: fc.constantFrom<'sip' | 'sips'>('sip', 'sips'),
    user: fc.option(user, { nil: undefined }),
    host,
    port,
    params: fc.uniqueArray(uriParam, { maxLength: 3, selector: ([name]) => name.toLowerCase() }),
    headers: fc.uniqueArray(fc.tuple(headerText, headerText), {
      maxLength: 2,
      selector: ([name]) => name.decoded,
    }),
  })
  .map(({ scheme, user, host, port, params, headers }) => {
    let text = `${scheme}:`;
    if (user) text += `${user.text}@`;
    text += host;
    if (port !== undefined) text += `:${port}`;
    for (const [name, value] of params) text += value === null ? `;${name}` : `;${name}=${value.text}`;
    text += headers.map(([name, value], i) => `${i === 0 ? '?' : '&'}${name.text}=${value.text}`).join('');
    const uri: GeneratedUri = {
      text,
      scheme,
      host,
      params: Object.fromEntries(params.map(([n, v]) => [n.toLowerCase(), v === null ? null : v.decoded])),
      headers: Object.fromEntries(headers.map(([n, v]) => [n.decoded, v.decoded])),
    };
    if (user) uri.user = user.decoded;
    if (port !== undefined) uri.port = port;
    return uri;
  });

const requestUri: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: sipUri.map((u) => u.text) },
  { weight: 1, arbitrary: chars('0123456789', 1, 12).map((n) => `tel:+${n}`) },
  { weight: 1, arbitrary: chars(`${ALNUM}:.-`, 1, 16).map((s) => `urn:${s}`) },
);

const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'MESSAGE', 'SUBSCRIBE', 'NOTIFY'];
const method = fc.oneof(fc.constantFrom(...METHODS), token);

// Characters that are whitespace to JavaScript or Unicode but not to SIP, which knows only SP and
// HTAB (RFC 3261 §25.1 LWS), and separators: a value keeps all of them.
const TRICKY = [
  '\u00a0',
  '\u3000',
  '\ufeff',
  '\u2028',
  '\u0085',
  '\v',
  '\f',
  '\0',
  '"',
  '\\',
  ',',
  ';',
  '<',
  '>',
];

/** Any character but CR and LF, often one of {@link TRICKY}. */
const textChar: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\r' && c !== '\n'),
);

/** A display name: token words, or any text in a quoted string (no CR or LF there). */
const displayName: fc.Arbitrary<{ text: string; name: string }> = fc.oneof(
  fc
    .array(token, { minLength: 1, maxLength: 3 })
    .map((words) => ({ text: words.join(' '), name: words.join(' ') })),
  fc
    .string({ unit: fc.oneof(textChar, fc.constantFrom(' ', '\t')), maxLength: 12 })
    .map((s) => ({ text: `"${s.replace(/(["\\])/g, '\\$1')}"`, name: s })),
);

interface GeneratedNameAddr {
  text: string;
  name?: string;
  uri: GeneratedUri;
  params: Record<string, string | null>;
}

/** A header parameter value: a token, or a quoted string (kept with its quotes) of any text. */
const paramValue: fc.Arbitrary<string> = fc.oneof(
  token,
  fc
    .string({ unit: fc.oneof(textChar, fc.constantFrom(' ', '<', '>', ',', ';', '=')), maxLength: 8 })
    .map((v) => `"${v.replace(/(["\\])/g, '\\$1')}"`),
);

const headerParam = fc.tuple(token, fc.option(paramValue, { nil: null }));

function nameAddr(required: Array<[string, string]>): fc.Arbitrary<GeneratedNameAddr> {
  return fc
    .record({
      display: fc.option(displayName, { nil: undefined }),
      uri: sipUri,
      angle: fc.boolean(),
      params: fc.uniqueArray(headerParam, { maxLength: 3, selector: ([name]) => name.toLowerCase() }),
    })
    .map(({ display, uri, angle, params }) => {
      const all = [...required, ...params.filter(([n]) => !required.some(([r]) => r === n.toLowerCase()))];
      // An addr-spec ends at the first ";": a URI with parameters (or a display name) needs <>.
      const bare = !display && !angle && !/[;?,]/.test(uri.text);
      let text = display ? `${display.text} <${uri.text}>` : bare ? uri.text : `<${uri.text}>`;
      for (const [name, value] of all) text += value === null ? `;${name}` : `;${name}=${value}`;
      const value: GeneratedNameAddr = {
        text,
        uri,
        params: Object.fromEntries(all.map(([n, v]) => [n.toLowerCase(), v])),
      };
      if (display) value.name = display.name;
      return value;
    });
}

interface GeneratedVia {
  text: string;
  transport: string;
  host: string;
  port?: number;
  branch: string;
  extra?: string;
}

const via: fc.Arbitrary<GeneratedVia> = fc
  .record({
    transport: fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS'),
    host,
    port,
    branch: token.map((t) => `z9hG4bK${t}`),
    extra: fc.option(paramValue, { nil: undefined }),
  })
  .map(({ transport, host, port, branch, extra }) => {
    let text = `SIP/2.0/${transport} ${host}${port === undefined ? '' : `:${port}`};branch=${branch}`;
    if (extra !== undefined) text += `;x-extra=${extra}`;
    const value: GeneratedVia = { text, transport, host, branch };
    if (extra !== undefined) value.extra = extra;
    if (port !== undefined) value.port = port;
    return value;
  });

/** Text of an unknown header: words of any characters but SP, HTAB, CR and LF. */
const freeText: fc.Arbitrary<string> = fc
  .array(
    fc.string({ unit: textChar, minLength: 1, maxLength: 6 }).filter((w) => !/[ \t]/.test(w)),
    { maxLength: 5 },
  )
  .map((words) => words.join(' '));

/** A header as the model has it: the name as written on the wire and the unfolded value. */
interface GeneratedField {
  name: string;
  value: string;
}

/** Header names as senders write them: long form in any case, or the compact form. */
function nameOf(long: string, compact?: string): fc.Arbitrary<string> {
  const forms = [fc.constant(long), fc.mixedCase(fc.constant(long))];
  if (compact) forms.push(fc.constantFrom(compact, compact.toUpperCase()));
  return fc.oneof(...forms);
}

function field(long: string, compact: string | undefined, value: fc.Arbitrary<string>) {
  return fc.record({ name: nameOf(long, compact), value });
}

const optionalFields: fc.Arbitrary<GeneratedField[]> = fc.array(
  fc.oneof(
    field('Subject', 's', freeText),
    field(
      'Contact',
      'm',
      fc
        .array(nameAddr([]), { minLength: 1, maxLength: 3 })
        .map((list) => list.map((c) => c.text).join(', ')),
    ),
    field(
      'Supported',
      'k',
      fc.array(token, { minLength: 1, maxLength: 3 }).map((t) => t.join(', ')),
    ),
    field(
      'Content-Type',
      'c',
      fc.constantFrom('application/sdp', 'text/plain;charset=UTF-8', 'multipart/mixed;boundary=x'),
    ),
    field('Expires', undefined, fc.nat().map(String)),
    field(
      'Route',
      undefined,
      nameAddr([]).map((r) => r.text),
    ),
    fc.record({ name: token.map((t) => `X-${t}`), value: freeText }),
  ),
  { maxLength: 6 },
);

interface GeneratedMessage {
  startLine: string;
  request?: { method: string; uri: string };
  response?: { status: number; reason: string };
  /** Header fields in wire order, Content-Length among them. */
  fields: GeneratedField[];
  body: Buffer;
  from: GeneratedNameAddr;
  to: GeneratedNameAddr;
  vias: GeneratedVia[];
  cseq: { seq: number; method: string };
  callId: string;
}

const body: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.string({ unit: 'binary', maxLength: 80 }).map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
  fc.constant(Buffer.from('v=0\r\n\r\nContent-Length: 99\r\n\r\nINVITE sip:x SIP/2.0\r\n')),
);

const callId = fc.tuple(token, fc.option(host, { nil: undefined })).map(([id, h]) => (h ? `${id}@${h}` : id));

const generatedMessage: fc.Arbitrary<GeneratedMessage> = fc
  .record({
    kind: fc.constantFrom('request', 'response'),
    method,
    requestUri,
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.string({ unit: fc.oneof(textChar, fc.constant(' ')), maxLength: 20 }),
    vias: fc.array(via, { minLength: 1, maxLength: 3 }),
    joinVias: fc.boolean(),
    from: nameAddr([['tag', 'a1']]),
    to: nameAddr([]),
    callId,
    seq: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    maxForwards: fc.integer({ min: 0, max: 255 }),
    viaName: nameOf('Via', 'v'),
    fromName: nameOf('From', 'f'),
    toName: nameOf('To', 't'),
    callIdName: nameOf('Call-ID', 'i'),
    cseqName: nameOf('CSeq'),
    lengthName: nameOf('Content-Length', 'l'),
    optional: optionalFields,
    body,
    lengthAt: fc.nat(),
  })
  .map((g) => {
    const isRequest = g.kind === 'request';
    const cseqMethod = isRequest ? g.method : 'INVITE';
    const viaFields = g.joinVias
      ? [{ name: g.viaName, value: g.vias.map((v) => v.text).join(', ') }]
      : g.vias.map((v) => ({ name: g.viaName, value: v.text }));
    const fields: GeneratedField[] = [
      ...viaFields,
      { name: g.fromName, value: g.from.text },
      { name: g.toName, value: g.to.text },
      { name: g.callIdName, value: g.callId },
      { name: g.cseqName, value: `${g.seq} ${cseqMethod}` },
      ...(isRequest ? [{ name: 'Max-Forwards', value: String(g.maxForwards) }] : []),
      ...g.optional,
    ];
    // Content-Length anywhere after the Vias (which must stay in order).
    const at = viaFields.length + (g.lengthAt % (fields.length - viaFields.length + 1));
    fields.splice(at, 0, { name: g.lengthName, value: String(g.body.length) });
    const generated: GeneratedMessage = {
      startLine: isRequest ? `${g.method} ${g.requestUri} SIP/2.0` : `SIP/2.0 ${g.status} ${g.reason}`,
      fields,
      body: g.body,
      from: g.from,
      to: g.to,
      vias: g.vias,
      cseq: { seq: g.seq, method: cseqMethod },
      callId: g.callId,
    };
    if (isRequest) generated.request = { method: g.method, uri: g.requestUri };
    else generated.response = { status: g.status, reason: g.reason };
    return generated;
  });

/** How a sender lays a header out: spaces around ":", and which of its single spaces fold. */
interface Layout {
  beforeColon: string;
  afterColon: string;
  folds: boolean[];
  indent: string;
}

const layout: fc.Arbitrary<Layout> = fc.record({
  beforeColon: fc.constantFrom('', '', ' ', '\t', '  '),
  afterColon: fc.constantFrom(' ', ' ', '', '\t', '   ', '\r\n '),
  folds: fc.array(fc.boolean(), { maxLength: 40 }),
  indent: fc.constantFrom(' ', '\t', '  ', ' \t '),
});

const isLws = (ch: string | undefined): boolean => ch === undefined || ch === ' ' || ch === '\t';

/**
 * The value with some of its single spaces folded into CRLF + whitespace (RFC 3261 §7.3.1),
 * which a reader turns back into one space.
 */
function fold(value: string, l: Layout): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const single = ch === ' ' && !isLws(value[i - 1]) && !isLws(value[i + 1]);
    out += single && l.folds[n++ % Math.max(l.folds.length, 1)] ? `\r\n${l.indent}` : ch;
  }
  return out;
}

/** The message as a sender may write it: names as generated, odd spacing, folded values. */
function wireOf(m: GeneratedMessage, layouts: Layout[]): Buffer {
  let head = `${m.startLine}\r\n`;
  m.fields.forEach((f, i) => {
    const l = layouts[i % Math.max(layouts.length, 1)] ?? {
      beforeColon: '',
      afterColon: ' ',
      folds: [],
      indent: ' ',
    };
    head += `${f.name}${l.beforeColon}:${l.afterColon}${fold(f.value, l)}\r\n`;
  });
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'utf8'), m.body]);
}

function expectModel(parsed: SipMessage, m: GeneratedMessage): void {
  expect(parsed.startLine).toBe(m.startLine);
  expect(parsed.fields.map((f: HeaderField) => ({ name: f.name, value: f.value }))).toEqual(m.fields);
  expect(parsed.payload.equals(m.body)).toBe(true);
  expect(parsed.callId).toBe(m.callId);
  expect(parsed.cseq).toEqual(m.cseq);
  expect(
    parsed.via.map((v) => [v.protocol, v.transport, v.host, v.port, v.params.branch, v.params['x-extra']]),
  ).toEqual(m.vias.map((v) => ['SIP/2.0', v.transport, v.host, v.port, v.branch, v.extra]));
  for (const [read, want] of [
    [parsed.from, m.from],
    [parsed.to, m.to],
  ] as const) {
    expect(read.name).toBe(want.name);
    expect(read.params).toEqual(want.params);
    expect(read.uri).toBe(want.uri.text);
    const uri = parseUri(read.uri) as SipUri;
    expect([uri.scheme, uri.user, uri.host, uri.port]).toEqual([
      want.uri.scheme,
      want.uri.user,
      want.uri.host,
      want.uri.port,
    ]);
    expect(uri.params).toEqual(want.uri.params);
    expect(uri.headers).toEqual(want.uri.headers);
  }
  if (m.request) {
    expect(parsed).toBeInstanceOf(SipRequest);
    expect([(parsed as SipRequest).method, (parsed as SipRequest).uri]).toEqual([
      m.request.method,
      m.request.uri,
    ]);
    expect(() => (parsed as SipRequest).requestUri).not.toThrow();
  } else {
    expect(parsed).toBeInstanceOf(SipResponse);
    expect([(parsed as SipResponse).status, (parsed as SipResponse).reason]).toEqual([
      m.response?.status,
      m.response?.reason,
    ]);
  }
}

describe('generated valid messages', () => {
  it('parse as generated, through odd spacing, folding and compact names', () => {
    fc.assert(
      fc.property(generatedMessage, fc.array(layout, { minLength: 1, maxLength: 8 }), (m, layouts) => {
        expectModel(parseMessage(wireOf(m, layouts)), m);
      }),
      { numRuns: 800 },
    );
  });

  it('satisfy parse(serialize(m)) = m: start line, header fields and body bytes', () => {
    fc.assert(
      fc.property(generatedMessage, (m) => {
        const fields = m.fields.map((f) => ({ name: f.name, key: headerKey(f.name), value: f.value }));
        const built = m.request
          ? new SipRequest(m.request.method, m.request.uri, fields, m.body)
          : new SipResponse(m.response?.status ?? 0, m.response?.reason ?? '', fields, m.body);
        expect(built.startLine).toBe(m.startLine);
        const parsed = parseMessage(built.toBuffer());
        expect(parsed.startLine).toBe(built.startLine);
        expect(fieldsOf(parsed)).toEqual(fieldsOf(built));
        expect(parsed.payload.equals(m.body)).toBe(true);
        expectModel(parseMessage(wireOf(m, [])), m);
        expectRoundTrip(parsed);
      }),
      { numRuns: 800 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// StreamFramer

describe('Content-Length as the parser and StreamFramer read it', () => {
  const head = `${VALID_HEAD.join('\r\n')}\r\n`;
  const VALUES = [
    '3',
    '03',
    ' 3',
    '3 ',
    '\t3',
    '3\u00a0',
    '\u00a03',
    '3\ufeff',
    '+3',
    '3.0',
    '0x3',
    '-3',
    '3 3',
    '',
    '\u0663',
    '99999999999',
  ];
  for (const value of VALUES) {
    it(`agree on ${JSON.stringify(value)}: both refuse it, or both read the same length`, () => {
      const data = Buffer.from(`${head}Content-Length: ${value}\r\n\r\nabcdef`);
      const parsed = onlyParseErrors(() => parseMessage(data));
      const frames = onlyParseErrors(() => new StreamFramer().push(data));
      if (parsed === undefined) {
        expect(frames).toBeUndefined();
        return;
      }
      expect(frames).toHaveLength(1);
      const frame = frames?.[0];
      expect(frame?.kind === 'message' && frame.data.length).toBe(
        data.indexOf('\r\n\r\n') + 4 + parsed.payload.length,
      );
    });
  }

  it.fails('agree on a folded Content-Length (bug in stream-framer.ts contentLength)', () => {
    // BUG (src/sip/stream-framer.ts, contentLength): the framer reads Content-Length with a
    // one-line regex, so a value folded onto the next line (RFC 3261 §7.3.1, legal wherever LWS
    // is) reads as "" and the stream is refused, while parseMessage reads 3.
    const data = Buffer.from(`${head}Content-Length:\r\n 3\r\n\r\nabc`);
    expect(parseMessage(data).payload.toString()).toBe('abc');
    expect(new StreamFramer().push(data)).toHaveLength(1);
  });
});

const KEEP_ALIVES = ['', '', '\r\n', '\r\n\r\n', '\r\n\r\n\r\n\r\n', '\r\n\r\n\r\n'];

describe('StreamFramer', () => {
  it('cuts a stream of messages and CRLF keep-alives the same at any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...KEEP_ALIVES), generatedMessage), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...KEEP_ALIVES),
        fc.array(fc.nat(), { maxLength: 30 }),
        (items, trailing, cuts) => {
          const wires = items.map(([, m]) => parseMessage(wireOf(m, [])).toBuffer());
          const gaps = [...items.map(([gap]) => gap), trailing];
          const stream = Buffer.concat(
            wires.flatMap((w, i) => [Buffer.from(gaps[i] ?? ''), w]).concat(Buffer.from(trailing)),
          );
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const framer = new StreamFramer();
          const messages: Buffer[] = [];
          let pings = 0;
          let from = 0;
          for (const to of [...points, stream.length]) {
            for (const frame of framer.push(stream.subarray(from, to))) {
              if (frame.kind === 'ping') pings++;
              else messages.push(frame.data);
            }
            from = to;
          }
          expect(messages.map((b) => b.toString('latin1'))).toEqual(wires.map((b) => b.toString('latin1')));
          // Each run of CRLFs between messages holds floor(LFs / 2) double-CRLF pings.
          const expected = gaps.reduce((n, gap) => n + Math.floor((gap.match(/\n/g) ?? []).length / 2), 0);
          expect(pings).toBe(expected);
          expect(framer.pendingBytes).toBe(0);
          for (const [i, data] of messages.entries()) {
            const again = parseMessage(data);
            expect(again.startLine).toBe(parseMessage(wires[i] as Buffer).startLine);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
