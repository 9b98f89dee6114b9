/**
 * A time as drachtio-server writes it in `sip` and `cdr` messages: `HH:MM:SS.uuuuuu`, UTC time of day.
 *
 * @param date - the moment
 * @returns the time text
 */
export function wireTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const micros = String(date.getUTCMilliseconds() * 1000).padStart(6, '0');
  return `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${micros}`;
}
