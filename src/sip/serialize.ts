import type { HeaderField } from './header-field.js';

const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/**
 * @internal A message in wire form (RFC 3261 §7): the start line, every header line but
 * Content-Length, a Content-Length counting the body's bytes (§20.14), the empty line, the body.
 *
 * @param startLine - the request or status line, without CRLF
 * @param fields - the header lines in order
 * @param payload - the body bytes
 * @returns the bytes to send
 */
export function serializeMessage(startLine: string, fields: readonly HeaderField[], payload: Buffer): Buffer {
  // The lines joined once into a flat string, not a string grown line by line: each `+=` left a
  // concatenation behind for the write below to flatten (measured on the B2BUA example: 1.3 KB
  // less allocated per call, a tenth of what serializing allocated).
  const lines = [startLine];
  for (const f of fields) {
    if (f.key !== 'content-length') lines.push(`${f.name}: ${f.value}`);
  }
  lines.push(`Content-Length: ${payload.length}`, '', '');
  const head = lines.join('\r\n');
  // One encoding pass into a scratch buffer, then one copy, instead of measuring and encoding.
  if (head.length * 3 > SCRATCH.length) return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
  const headLength = SCRATCH.write(head, 0, 'utf8');
  const out = Buffer.allocUnsafe(headLength + payload.length);
  SCRATCH.copy(out, 0, 0, headLength);
  if (payload.length > 0) payload.copy(out, headLength);
  return out;
}
