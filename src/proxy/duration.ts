/** `'2s'`, `'1500ms'`, `'1m'` or a number of milliseconds. */
export function parseDuration(value: string | number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(String(value));
  if (!match) throw new TypeError(`${field}: "${value}" is not a duration like "2s" or "1500ms"`);
  const n = Number(match[1]);
  return match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1000;
}
