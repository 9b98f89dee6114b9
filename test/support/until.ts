/**
 * Polls `read` every 25 ms until `ok` accepts what it returns, and resolves with that value.
 * For what a real peer or a child process reports asynchronously (a log line through a pipe, a
 * metrics scrape); virtual-time tests never need it.
 * @param what - named in the error when `ms` passes first
 * @param read - reads the current value
 * @param ok - accepts it
 * @param ms - how long to wait, 20 s unless told
 * @returns the first value `ok` accepted
 */
export async function until<T>(
  what: string,
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
