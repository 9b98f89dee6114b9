import { type CSeq, parseCSeq } from './cseq.js';
import { EagerHeaders } from './eager-headers.js';
import { SipParseError } from './errors.js';
import { isToken, isWhitespace, trimLws } from './grammar.js';
import { COMMON_HEADERS, type CommonHeader, commonHeaderAt, headerKey } from './header-names.js';
import { type HeaderField, parseNumber, type SipMessage, SipRequest, SipResponse } from './message.js';
import { isPlainNameAddr, type NameAddr, parseNameAddr } from './name-addr.js';
import { RawBytes } from './raw-bytes.js';
import { checkRequestUriText } from './uri.js';
import { isPlainVia, parseTopVia, type Via } from './via.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');
const VERSION = /^SIP\/\d{1,3}\.\d{1,3}$/i;
const STATUS = /^[1-6]\d\d$/;

/** Beyond this many header lines a message is refused (a bound on work per message). */
export const MAX_HEADER_LINES = 256;

/** Finds the empty line ending the header section: `[headEnd, bodyStart]`, or `undefined`. */
export function findHeaderEnd(buf: Buffer, start: number): [number, number] | undefined {
  const crlf = buf.indexOf(CRLFCRLF, start);
  // Bare-LF line ends are looked for only when the first line has one: CRLF messages are the rule.
  // A start line is short: read in place, rather than by a second call into Buffer#indexOf.
  let firstLf = start;
  const near = Math.min(buf.length, start + 512);
  while (firstLf < near && buf[firstLf] !== 0x0a) firstLf++;
  if (firstLf === near) firstLf = buf.indexOf(0x0a, near);
  const bareLf = firstLf > start && buf[firstLf - 1] !== 0x0d;
  const lf = bareLf ? buf.indexOf(LFLF, start) : -1;
  if (lf >= 0 && (crlf < 0 || lf < crlf)) return [lf + 1, lf + 2];
  if (crlf >= 0) return [crlf + 2, crlf + 4];
  return undefined;
}

/** Offset just past leading CRLFs (RFC 3261 §7.5: ignored before the start line). */
export function skipLeadingNewlines(buf: Buffer, start: number): number {
  let i = start;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}

/** The input, and where its header section starts. */
interface Source {
  buf: Buffer;
  start: number;
}

/**
 * The byte offset in the input of `head[index]`, exact even where invalid UTF-8 was decoded to
 * U+FFFD: each "\n" of the head is a 0x0A byte of the input, so whole lines are counted in
 * bytes, and only the part of the line before `index` is re-encoded.
 */
function byteOffset(head: string, index: number, src: Source): number {
  const lineStart = index === 0 ? 0 : head.lastIndexOf('\n', index - 1) + 1;
  let at = src.start;
  for (let nl = head.indexOf('\n'); nl >= 0 && nl < lineStart; nl = head.indexOf('\n', nl + 1)) {
    at = src.buf.indexOf(0x0a, at) + 1;
  }
  return at + Buffer.byteLength(head.slice(lineStart, index), 'utf8');
}

function startLineError(line: string, reason: string, src: Source): SipParseError {
  return new SipParseError(`start line "${line.slice(0, 80)}": ${reason}`, src.start);
}

function isResponseLine(line: string): boolean {
  return (
    line.length > 4 &&
    (line.charCodeAt(0) | 0x20) === 0x73 /* s */ &&
    (line.charCodeAt(1) | 0x20) === 0x69 /* i */ &&
    (line.charCodeAt(2) | 0x20) === 0x70 /* p */ &&
    line.charCodeAt(3) === 0x2f /* / */
  );
}

function parseStartLine(line: string, head: string, src: Source): SipMessage {
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) throw startLineError(line, 'expected elements separated by single spaces', src);
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (isResponseLine(line)) {
    const version = line.slice(0, sp1);
    if (version !== 'SIP/2.0' && !VERSION.test(version))
      throw startLineError(line, `bad SIP version "${version}"`, src);
    const code = sp2 < 0 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, sp2);
    if (!STATUS.test(code))
      throw startLineError(line, `status code "${code}" is not three digits 100-699`, src);
    return new SipResponse(Number(code), sp2 < 0 ? '' : line.slice(sp2 + 1), [], undefined, version);
  }
  if (sp2 < 0) throw startLineError(line, 'a request line needs a method, a Request-URI and a version', src);
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) throw startLineError(line, `bad method "${method}"`, src);
  if (uri.length === 0)
    throw startLineError(line, 'empty Request-URI (more than one space between elements?)', src);
  if (version !== 'SIP/2.0' && !VERSION.test(version))
    throw startLineError(line, `bad SIP version "${version}" (trailing spaces?)`, src);
  const request = new SipRequest(method, uri, [], undefined, version);
  try {
    checkRequestUriText(uri, 'URI');
  } catch (err) {
    if (err instanceof SipParseError)
      throw new SipParseError(`Request-URI: ${err.reason}`, byteOffset(head, sp1 + 1, src));
    throw err;
  }
  return request;
}

/**
 * The request a malformed request line still names, so that it can be answered 400 (RFC 4475
 * §3.1.2.7-10): a method token, then anything, then a SIP version, separated by whitespace,
 * and header lines that can be read.
 */
function recoverRequest(line: string, head: string, pos: number, src: Source): SipRequest | undefined {
  const text = trimLws(line);
  const sp1 = text.indexOf(' ');
  const sp2 = text.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 <= sp1) return undefined;
  const method = text.slice(0, sp1);
  const uri = trimLws(text.slice(sp1 + 1, sp2));
  const version = text.slice(sp2 + 1);
  if (!isToken(method) || uri.length === 0 || !VERSION.test(version)) return undefined;
  try {
    return new SipRequest(method, uri, parseFields(head, pos, src), undefined, version);
  } catch {
    return undefined;
  }
}

// Header names already seen to be tokens, with their keys: most messages use the same dozen.
const KNOWN_NAMES = new Map<string, string>();

// The headers read as the message is parsed, by their entry in COMMON_HEADERS (-1: read later).
const VIA = 0;
const FROM = 1;
const TO = 2;
const CSEQ = 3;
const MAX_FORWARDS = 4;
const CONTENT_LENGTH = 5;
const CALL_ID = 6;
const EAGER_KEYS = ['via', 'from', 'to', 'cseq', 'max-forwards', 'content-length', 'call-id'];
const EAGER_OF = Int8Array.from(COMMON_HEADERS, (h) => EAGER_KEYS.indexOf(h.key));

/**
 * The lines to read at once, in wire order, as pairs (line index, what it is): the first Via,
 * From, To, CSeq and Max-Forwards, and every Content-Length and Call-ID. Filled by
 * `parseFields`, read by `readEagerHeaders` right after, in the same synchronous call.
 */
const EAGER_LINES = new Int32Array(2 * MAX_HEADER_LINES);
let eagerCount = 0;

/** Reads the header lines from `pos` on, noting in EAGER_LINES those to read at once. */
function parseFields(head: string, pos: number, src: Source): HeaderField[] {
  const fields: HeaderField[] = [];
  let last: HeaderField | undefined;
  let seen = 0;
  eagerCount = 0;
  while (pos < head.length) {
    let end = head.indexOf('\n', pos);
    if (end < 0) end = head.length;
    const lineEnd = end > pos && head.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
    const first = head.charCodeAt(pos);
    if (first === 0x20 || first === 0x09) {
      // RFC 3261 §7.3.1: a line starting with whitespace continues the previous header.
      if (!last) throw new SipParseError('continuation line before any header', byteOffset(head, pos, src));
      const more = trimLws(head.slice(pos, lineEnd));
      if (more.length) last.value = last.value.length ? `${last.value} ${more}` : more;
    } else if (lineEnd > pos) {
      const colon = head.indexOf(':', pos);
      if (colon < 0 || colon > lineEnd) {
        throw new SipParseError(
          `header line without ":": "${head.slice(pos, Math.min(lineEnd, pos + 40))}"`,
          byteOffset(head, pos, src),
        );
      }
      let nameEnd = colon;
      while (
        nameEnd > pos &&
        (head.charCodeAt(nameEnd - 1) === 0x20 || head.charCodeAt(nameEnd - 1) === 0x09)
      )
        nameEnd--;
      const common = commonHeaderAt(head, pos, nameEnd);
      let name: string;
      let key: string;
      if (common >= 0) {
        const entry = COMMON_HEADERS[common >> 1] as CommonHeader;
        name = common & 1 ? entry.name : head.slice(pos, nameEnd);
        key = entry.key;
        const eager = EAGER_OF[common >> 1] as number;
        if (eager >= 0 && (eager >= CONTENT_LENGTH || !(seen & (1 << eager)))) {
          seen |= 1 << eager;
          EAGER_LINES[2 * eagerCount] = fields.length;
          EAGER_LINES[2 * eagerCount + 1] = eager;
          eagerCount++;
        }
      } else {
        name = head.slice(pos, nameEnd);
        const known = KNOWN_NAMES.get(name);
        if (known === undefined) {
          if (!isToken(name))
            throw new SipParseError(`bad header name "${name}"`, byteOffset(head, pos, src));
          key = headerKey(name);
          if (KNOWN_NAMES.size < 1024) KNOWN_NAMES.set(name, key);
        } else key = known;
      }
      if (fields.length >= MAX_HEADER_LINES)
        throw new SipParseError(`more than ${MAX_HEADER_LINES} header lines`, byteOffset(head, pos, src));
      let valueStart = colon + 1;
      while (valueStart < lineEnd && isWhitespace(head.charCodeAt(valueStart))) valueStart++;
      let valueEnd = lineEnd;
      while (valueEnd > valueStart && isWhitespace(head.charCodeAt(valueEnd - 1))) valueEnd--;
      last = { name, key, value: head.slice(valueStart, valueEnd) };
      fields.push(last);
    }
    pos = end + 1;
  }
  return fields;
}

/**
 * Parses a header section (start line and header lines, no empty line) into a message;
 * `firstLine` is its first line, without the line end. A bad request line throws with the
 * request it names as `partial` when the header lines can be read.
 */
function parseHead(head: string, firstLine: string, src: Source): SipMessage {
  const nl = head.indexOf('\n');
  const pos = nl < 0 ? head.length : nl + 1;
  let message: SipMessage;
  try {
    message = parseStartLine(firstLine, head, src);
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
    const partial = recoverRequest(firstLine, head, pos, src);
    if (partial) err.partial = partial;
    throw err;
  }
  message.fields = parseFields(head, pos, src);
  return message;
}

// SP, HTAB, CR or LF (irregexp scans far faster than a loop of charCodeAt).
const WHITESPACE = /[ \t\r\n]/;

/** The string index of the line where the `n`-th header field starts (for error offsets). */
function fieldLineStart(head: string, n: number): number {
  let pos = head.indexOf('\n') + 1;
  let seen = -1;
  while (pos > 0 && pos < head.length) {
    const first = head.charCodeAt(pos);
    const isField = first !== 0x20 && first !== 0x09 && first !== 0x0d && first !== 0x0a;
    if (isField && ++seen === n) return pos;
    pos = head.indexOf('\n', pos) + 1;
  }
  return 0;
}

function failAt(message: SipMessage, reason: string, index: number, head: string, src: Source): never {
  const error = new SipParseError(reason, byteOffset(head, index, src));
  error.partial = message;
  throw error;
}

/**
 * Reads the headers every layer needs, noted by `parseFields`: the top Via, From, To, CSeq,
 * Max-Forwards, Content-Length and Call-ID. The values are kept in the message, so nothing is
 * parsed twice; a malformed one fails the parse with the message as `partial` and the byte
 * offset of its line. Puts the Content-Length values in `lengths`.
 */
function readEagerHeaders(message: SipMessage, head: string, src: Source, lengths: number[]): EagerHeaders {
  const fields = message.fields;
  let top: Via | undefined;
  let from: NameAddr | string | undefined;
  let to: NameAddr | string | undefined;
  let cseq: CSeq | undefined;
  let maxForwards: number | undefined;
  let contentLength: number | undefined;
  for (let n = 0; n < eagerCount; n++) {
    const i = EAGER_LINES[2 * n] as number;
    const value = (fields[i] as HeaderField).value;
    try {
      switch (EAGER_LINES[2 * n + 1]) {
        // A value written plainly is checked in one scan and parsed when read.
        case VIA:
          if (!isPlainVia(value)) top = parseTopVia(value);
          break;
        case FROM:
          from = isPlainNameAddr(value) ? value : parseNameAddr(value, 'From', 'syntax');
          break;
        case TO:
          to = isPlainNameAddr(value) ? value : parseNameAddr(value, 'To', 'syntax');
          break;
        case CSEQ:
          cseq = parseCSeq(value);
          break;
        case MAX_FORWARDS:
          // RFC 3261 §20.22: 0..255.
          maxForwards = parseNumber(value, 'max-forwards', 255);
          break;
        case CONTENT_LENGTH:
          if (contentLength !== undefined) lengths.push(Number(trimLws(value)));
          else {
            contentLength = parseNumber(value, 'content-length');
            lengths.push(contentLength);
          }
          break;
        case CALL_ID:
          if (value.length === 0 || WHITESPACE.test(value)) {
            throw new SipParseError('Call-ID: empty or contains whitespace');
          }
          break;
      }
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      // The values read so far go with the message, as a 400 may need them.
      if (top) message.seedParsed('via', top);
      message.received(new EagerHeaders(from, to, cseq, maxForwards, contentLength), undefined);
      failAt(message, err.reason, fieldLineStart(head, i), head, src);
    }
  }
  if (top) message.seedParsed('via', top);
  return new EagerHeaders(from, to, cseq, maxForwards, contentLength);
}

function sameAsFirst(length: number, _: number, lengths: number[]): boolean {
  return length === lengths[0];
}

/**
 * Parses one SIP message from a datagram or a frame cut by {@link StreamFramer}.
 *
 * The body is the `Content-Length` bytes after the header section; extra bytes are ignored
 * (RFC 3261 §18.3). Without Content-Length (allowed on datagrams) the body is the rest.
 * Headers every layer needs (Via, CSeq, From, To, Call-ID, Content-Length, Max-Forwards and
 * the Request-URI) are validated now; the others are parsed on first access. A top Via, From or
 * To written plainly is checked in one scan now and built into its object when first read.
 *
 * @param data - the bytes (or text) of exactly one message
 * @returns the request or response
 * @throws {@link SipParseError} with a reason and byte offset; its `partial` holds the message
 *   when the lines could be read but a value was bad, so a request can still be answered 400
 *
 * @example
 * ```ts
 * import { parseMessage, SipRequest } from 'rxsip/sip';
 *
 * declare const datagram: Buffer;
 * const msg = parseMessage(datagram);
 * if (msg instanceof SipRequest) console.log(msg.method, msg.getParsedHeader('From')?.params.tag);
 * ```
 */
export function parseMessage(data: Buffer | string): SipRequest | SipResponse {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const start = skipLeadingNewlines(buf, 0);
  if (start >= buf.length) throw new SipParseError('empty message', start);
  const bounds = findHeaderEnd(buf, start);
  if (!bounds)
    throw new SipParseError('no empty line ends the header section (truncated message?)', buf.length);
  const [headEnd, bodyStart] = bounds;
  const head = buf.toString('utf8', start, headEnd);
  const src = { buf, start };
  const nl = head.indexOf('\n');
  const lineEnd = nl < 0 ? head.length : nl;
  const firstLine = head.slice(0, head.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd);
  const message = parseHead(head, firstLine, src);
  const lengths: number[] = [];
  const eager = readEagerHeaders(message, head, src, lengths);
  const available = buf.length - bodyStart;
  if (lengths.length === 0 || !lengths.every(sameAsFirst)) {
    // No Content-Length, or conflicting ones (RFC 4475 mcl01, answered 400 above the parser).
    message.body = buf.subarray(bodyStart);
    message.received(eager, undefined);
  } else {
    const length = lengths[0] as number;
    if (length > available) {
      const error = new SipParseError(
        `Content-Length ${length} is larger than the ${available} bytes of body`,
        bodyStart,
      );
      message.received(eager, undefined);
      error.partial = message;
      throw error;
    }
    message.body = buf.subarray(bodyStart, bodyStart + length);
    // A request's start line is the line as read; a response's may differ (no reason phrase).
    const startLine = message instanceof SipRequest ? firstLine : message.startLine;
    const raw = lengths.length === 1 ? new RawBytes(buf, start, bodyStart + length, startLine) : undefined;
    message.received(eager, raw);
  }
  return message as SipRequest | SipResponse;
}
