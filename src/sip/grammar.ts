// Character classes of RFC 3261 §25.1, as lookup tables so the scanners never backtrack.

function table(chars: string, ranges: Array<[number, number]> = []): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  for (const [from, to] of ranges) for (let c = from; c <= to; c++) t[c] = 1;
  return t;
}

const ALNUM: Array<[number, number]> = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
];

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~", ALNUM);
/** Characters allowed in a hostname, IPv4 address or IPv6 reference (lenient on `_`). */
export const HOST = table('-._:[]', ALNUM);

/** A token character (RFC 3261 §25.1) as a regular-expression class. */
export const TOKEN_CLASS = "[A-Za-z0-9.!%*_+`'~-]";

/**
 * Header parameters as nearly every header writes them, `;name` or `;name=value` with no
 * whitespace, quotes or commas, as a regular-expression source: a subset of what `parseParams`
 * accepts, for fast paths that check a value in one scan.
 */
export const PLAIN_PARAMS = String.raw`(?:;${TOKEN_CLASS}+(?:=[^;\s",]+)?)*`;

export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN[code] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

/**
 * The value of `s` up to `end` when it is 1 to 10 ASCII digits (so at most 9,999,999,999, which a
 * double holds exactly), else -1: the one-pass read of a number as nearly every header writes it.
 */
export function digitsValue(s: string, end: number): number {
  if (end <= 0 || end > 10) return -1;
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** `s` without leading and trailing SP, HTAB, CR and LF: unlike `String#trim`, keeps NBSP, BOM, ... */
export function trimLws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isWhitespace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

export function skipWhitespace(s: string, i: number): number {
  while (i < s.length && isWhitespace(s.charCodeAt(i))) i++;
  return i;
}

/** Index just past the closing quote of the quoted-string starting at `start`, or -1. */
export function endOfQuoted(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 /* " */) return i + 1;
  }
  return -1;
}

/** Removes surrounding quotes and quoted-pair escapes: `"a \"b\""` → `a "b"`. */
export function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(0) !== 0x22 || s.charCodeAt(s.length - 1) !== 0x22) return s;
  const inner = s.slice(1, -1);
  return inner.includes('\\') ? inner.replace(/\\(.)/gs, '$1') : inner;
}

export function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * The index of the next comma at or after `from` that separates list elements (commas inside
 * quoted strings and `<...>` do not), or -1 when there is none or a quoted string is unterminated.
 */
function listComma(value: string, from: number): number {
  let angle = false;
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) {
      const end = endOfQuoted(value, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    else if (c === 0x2c && !angle) return i;
  }
  return -1;
}

/** The first element of a list header value (the top Via, the first Route). */
export function firstListElement(value: string): string {
  if (!value.includes(',')) return trimLws(value);
  const comma = listComma(value, 0);
  return trimLws(comma < 0 ? value : value.slice(0, comma));
}

/**
 * Splits a header value on commas that separate list elements: commas inside quoted strings
 * and `<...>` are kept. Empty elements are kept so callers can reject them.
 */
export function splitList(value: string): string[] {
  if (!value.includes(',')) return [value.trim()];
  const parts: string[] = [];
  let start = 0;
  for (let comma = listComma(value, 0); comma >= 0; comma = listComma(value, start)) {
    parts.push(value.slice(start, comma).trim());
    start = comma + 1;
  }
  parts.push(value.slice(start).trim());
  return parts;
}
