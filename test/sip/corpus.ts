// The RFC 4475 and RFC 5118 torture messages, read relative to this file.
import { readdirSync, readFileSync } from 'node:fs';

const RFC4475 = new URL('../fixtures/rfc4475/', import.meta.url);
const RFC5118 = new URL('../fixtures/rfc5118/', import.meta.url);

/** An RFC 4475 message, bit-exact (`name` without `.dat`). */
export function rfc4475(name: string): Buffer {
  return readFileSync(new URL(`${name}.dat`, RFC4475));
}

export function rfc4475Names(): string[] {
  return readdirSync(RFC4475)
    .filter((f) => f.endsWith('.dat'))
    .map((f) => f.slice(0, -4))
    .sort();
}

export function rfc5118Names(): string[] {
  return readdirSync(RFC5118).sort();
}

/** An RFC 5118 message as archived (bare LF line ends, see {@link rfc5118Wire}). */
export function rfc5118Raw(name: string): string {
  return readFileSync(new URL(name, RFC5118), 'utf8');
}

/**
 * An RFC 5118 message in wire form, changing nothing else (test/fixtures/README.md): CRLF line
 * ends, the empty line that ends the header section added where missing, and, for a message with
 * a body, Content-Length set to the body's real length.
 */
export function rfc5118Wire(name: string): Buffer {
  let crlf = rfc5118Raw(name).replaceAll('\n', '\r\n');
  if (!crlf.includes('\r\n\r\n')) crlf += '\r\n';
  const split = crlf.indexOf('\r\n\r\n') + 4;
  const body = crlf.slice(split);
  if (body.length === 0) return Buffer.from(crlf, 'utf8');
  const length = Buffer.byteLength(body, 'utf8');
  const head = crlf.slice(0, split).replace(/^Content-Length: \d+\r$/m, `Content-Length: ${length}\r`);
  return Buffer.from(head + body, 'utf8');
}

/** Every message of both corpora, by name, in wire form. */
export function corpus(): Array<[string, Buffer]> {
  return [
    ...rfc4475Names().map((n): [string, Buffer] => [`rfc4475/${n}`, rfc4475(n)]),
    ...rfc5118Names().map((n): [string, Buffer] => [`rfc5118/${n}`, rfc5118Wire(n)]),
  ];
}
