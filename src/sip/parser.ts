import { SipParseError } from './errors.js';
import { isToken, trimLws } from './grammar.js';
import { headerKey } from './header-names.js';
import { type HeaderField, type SipMessage, SipRequest, SipResponse } from './message.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');
const VERSION = /^SIP\/\d{1,3}\.\d{1,3}$/i;

/** Beyond this many header lines a message is refused (a bound on work per message). */
export const MAX_HEADER_LINES = 256;

// Headers parsed while the message is read, so that a malformed one fails the parse:
// the ones every layer of the stack reads on every message.
const EAGER = ['via', 'cseq', 'from', 'to', 'content-length', 'max-forwards'] as const;

/** Finds the empty line ending the header section: `[headEnd, bodyStart]`, or `undefined`. */
export function findHeaderEnd(buf: Buffer, start: number): [number, number] | undefined {
  const crlf = buf.indexOf(CRLFCRLF, start);
  const lfSearchEnd = crlf < 0 ? buf.length : crlf;
  const lf = buf.subarray(0, lfSearchEnd).indexOf(LFLF, start);
  if (lf >= 0) return [lf + 1, lf + 2];
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

function parseStartLine(line: string, head: string, src: Source): SipMessage {
  const fail = (reason: string): never => {
    throw new SipParseError(`start line "${line.slice(0, 80)}": ${reason}`, src.start);
  };
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) fail('expected elements separated by single spaces');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (line.slice(0, 4).toUpperCase() === 'SIP/') {
    const version = line.slice(0, sp1);
    if (!VERSION.test(version)) fail(`bad SIP version "${version}"`);
    const code = sp2 < 0 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, sp2);
    if (!/^[1-6]\d\d$/.test(code)) fail(`status code "${code}" is not three digits 100-699`);
    return new SipResponse(Number(code), sp2 < 0 ? '' : line.slice(sp2 + 1), [], undefined, version);
  }
  if (sp2 < 0) fail('a request line needs a method, a Request-URI and a version');
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) fail(`bad method "${method}"`);
  if (uri.length === 0) fail('empty Request-URI (more than one space between elements?)');
  if (!VERSION.test(version)) fail(`bad SIP version "${version}" (trailing spaces?)`);
  const request = new SipRequest(method, uri, [], undefined, version);
  try {
    void request.requestUri;
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
    return new SipRequest(method, uri, parseFields(head, pos, src).fields, undefined, version);
  } catch {
    return undefined;
  }
}

/** Reads the header lines from `pos` on; returns them and each line's string index. */
function parseFields(head: string, pos: number, src: Source): { fields: HeaderField[]; offsets: number[] } {
  const fields: HeaderField[] = [];
  const offsets: number[] = [];
  let last: HeaderField | undefined;
  while (pos < head.length) {
    const nl = head.indexOf('\n', pos);
    const end = nl < 0 ? head.length : nl;
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
      const name = head.slice(pos, nameEnd);
      if (!isToken(name)) throw new SipParseError(`bad header name "${name}"`, byteOffset(head, pos, src));
      if (fields.length >= MAX_HEADER_LINES)
        throw new SipParseError(`more than ${MAX_HEADER_LINES} header lines`, byteOffset(head, pos, src));
      last = { name, key: headerKey(name), value: trimLws(head.slice(colon + 1, lineEnd)) };
      fields.push(last);
      offsets.push(pos);
    }
    pos = end + 1;
  }
  return { fields, offsets };
}

/**
 * Parses a header section (start line and header lines, no empty line) into a message.
 * Returns each header line's string index, so errors can point at it. A bad request line
 * throws with the request it names as `partial` when the header lines can be read.
 */
function parseHead(head: string, src: Source): { message: SipMessage; offsets: number[] } {
  const nl = head.indexOf('\n');
  const lineEnd = nl < 0 ? head.length : nl;
  const firstLine = head.slice(0, head.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd);
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
  const { fields, offsets } = parseFields(head, pos, src);
  message.fields = fields;
  return { message, offsets };
}

/** `offsets` are the string indices of each header line; converted to bytes only on error. */
function validateEager(message: SipMessage, head: string, offsets: number[], src: Source): void {
  const fail = (reason: string, key: string): never => {
    const index = offsets[message.fields.findIndex((f) => f.key === key)] ?? 0;
    const error = new SipParseError(reason, byteOffset(head, index, src));
    error.partial = message;
    throw error;
  };
  for (const key of EAGER) {
    try {
      message.getParsedHeader(key);
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      fail(err.reason, key);
    }
  }
  for (const callId of message.getAll('call-id')) {
    if (callId.length === 0 || /\s/.test(callId)) fail('Call-ID: empty or contains whitespace', 'call-id');
  }
}

/**
 * Parses one SIP message from a datagram or a frame cut by {@link StreamFramer}.
 *
 * The body is the `Content-Length` bytes after the header section; extra bytes are ignored
 * (RFC 3261 §18.3). Without Content-Length (allowed on datagrams) the body is the rest.
 * Headers every layer needs (Via, CSeq, From, To, Call-ID, Content-Length, Max-Forwards and
 * the Request-URI) are validated now; the others are parsed on first access.
 *
 * @throws {SipParseError} with a reason and byte offset.
 *
 * @example
 * const msg = parseMessage(datagram);
 * if (msg instanceof SipRequest) console.log(msg.method, msg.getParsedHeader('From').params.tag);
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
  const { message, offsets } = parseHead(head, src);
  validateEager(message, head, offsets, src);
  const lengths = message.getAll('content-length').map((v) => Number(v.trim()));
  const available = buf.length - bodyStart;
  if (lengths.length === 0 || lengths.some((l) => l !== lengths[0])) {
    // No Content-Length, or conflicting ones (RFC 4475 mcl01, answered 400 above the parser).
    message.body = buf.subarray(bodyStart);
  } else {
    const length = lengths[0] as number;
    if (length > available) {
      const error = new SipParseError(
        `Content-Length ${length} is larger than the ${available} bytes of body`,
        bodyStart,
      );
      error.partial = message;
      throw error;
    }
    message.body = buf.subarray(bodyStart, bodyStart + length);
  }
  return message as SipRequest | SipResponse;
}
