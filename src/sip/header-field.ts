import { splitList } from './grammar.js';

/** One header line: `name` as written, `key` the lower-case long form used for lookups. */
export interface HeaderField {
  /** The header name as written on the wire or by the application (`Contact`, `m`). */
  name: string;
  /** The lower-case long form lookups use (`contact`), as `headerKey` makes it. */
  key: string;
  /** The line's value, as written after the colon. */
  value: string;
}

/** Headers given to builders and `set`: a value, or several (one header line each). */
export type HeaderValue = string | number | readonly (string | number)[];
/**
 * Headers by name, as applications give them to `createRequest`, `res.send` or `set`: any
 * case or compact form; an array is one line per value; `undefined` means "not this header".
 */
export type HeaderInit = Record<string, HeaderValue | undefined>;

/**
 * @internal The header lines a value makes: one per element of an array, numbers as text.
 *
 * @param value - a header value as given
 * @returns one string per line
 */
export function toFieldValues(value: HeaderValue): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  return value.map(String);
}

/**
 * @internal The lines with `field` added after the header's existing lines, or before them
 * (`first`, as a proxy adds Via and Record-Route, RFC 3261 §16.6); a new array.
 *
 * @param fields - the header lines
 * @param field - the line to add
 * @param first - above the header's existing lines
 * @returns the new lines
 */
export function withLine(fields: readonly HeaderField[], field: HeaderField, first: boolean): HeaderField[] {
  const out = fields.slice();
  if (!first) out.push(field);
  else
    out.splice(
      Math.max(
        out.findIndex((f) => f.key === field.key),
        0,
      ),
      0,
      field,
    );
  return out;
}

/**
 * @internal The lines without the first value of a list header (the top Via, the first Route,
 * as a proxy pops a Route naming itself, RFC 3261 §16.4); the same array when it is absent.
 *
 * @param fields - the header lines
 * @param key - the header's key
 * @returns the new lines
 */
export function withoutFirstValue(fields: HeaderField[], key: string): HeaderField[] {
  const index = fields.findIndex((f) => f.key === key);
  if (index < 0) return fields;
  const field = fields[index] as HeaderField;
  const rest = splitList(field.value).slice(1);
  const out = fields.slice();
  if (rest.length === 0) out.splice(index, 1);
  else out[index] = { name: field.name, key: field.key, value: rest.join(', ') };
  return out;
}

/**
 * @internal Header lines as `{key: value}`, repeated lines joined with a comma.
 *
 * @param fields - the header lines
 * @returns the headers by key
 */
export function joinedHeaders(fields: readonly HeaderField[]): Record<string, string> {
  const joined = new Map<string, string>();
  for (const f of fields) {
    const value = joined.get(f.key);
    joined.set(f.key, value === undefined ? f.value : `${value}, ${f.value}`);
  }
  return Object.fromEntries(joined);
}
