import type { VirtualNetwork, WirePacket } from './virtual-network.js';

/** Names for the parties of a ladder, by `address:port` (or address alone). */
export type PartyNames = ReadonlyMap<string, string>;

function nameOf(names: PartyNames, endpoint: string): string {
  return names.get(endpoint) ?? names.get(endpoint.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')) ?? endpoint;
}

/** `INVITE` for a request, `180 Ringing` for a response. */
function summary(packet: WirePacket): string {
  const line = packet.data.toString('utf8', 0, Math.min(packet.data.length, 256)).split('\r\n')[0] ?? '';
  if (line.startsWith('SIP/2.0 ')) return line.slice(8);
  return line.split(' ')[0] ?? line;
}

/**
 * The SIP ladder of what crossed a virtual network: one line per message,
 * `time from->to what` (`1 app->alice 180 Ringing`), `(lost)` after one the network dropped.
 *
 * @param network - the virtual network
 * @param names - party names by address
 * @returns the ladder's lines, in order
 * @example
 * ```ts
 * import { ladderOf, sipTest } from 'rxsip/testing';
 *
 * const kit = sipTest(({ app, registerer }) => {
 *   app().register$.subscribe(({ res }) => res.send(200));
 *   registerer('carol').register('sip:10.0.0.2').subscribe();
 * });
 * ladderOf(kit.network, kit.names); // ['0 carol->app REGISTER', '1 app->carol 200 OK']
 * ```
 */
export function ladderOf(network: VirtualNetwork, names: PartyNames = new Map()): string[] {
  return network.packets.map(
    (p) =>
      `${p.time} ${nameOf(names, p.from)}->${nameOf(names, p.to)} ${summary(p)}${p.dropped ? ' (lost)' : ''}`,
  );
}

/** A ladder line without its time, for expectations that leave time out. */
function untimed(line: string): string {
  return line.replace(/^\d+ /, '');
}

/**
 * The ladder, printed with its first divergence from `expected` marked `>>`, and what was
 * expected there: what a failing call-flow test shows.
 *
 * @param actual - the ladder's lines
 * @param expected - the lines expected (with or without leading times)
 * @returns the report, or undefined when they agree
 * @example
 * ```ts
 * import { ladderDivergence } from 'rxsip/testing';
 *
 * const report = ladderDivergence(['0 alice->app INVITE', '1 app->alice 486 Busy Here'], ['alice->app INVITE', 'app->alice 200 OK']);
 * // SIP ladder (first divergence marked >>):
 * //    1  0 alice->app INVITE
 * // >> 2  1 app->alice 486 Busy Here
 * // expected at line 2: app->alice 200 OK
 * ```
 */
export function ladderDivergence(actual: readonly string[], expected: readonly string[]): string | undefined {
  const timed = expected.some((l) => /^\d+ /.test(l));
  const same = (a: string | undefined, e: string | undefined) =>
    a !== undefined && e !== undefined && (timed ? a === e : untimed(a) === untimed(e));
  let first = 0;
  while (first < Math.max(actual.length, expected.length) && same(actual[first], expected[first])) first++;
  if (first === actual.length && first === expected.length) return undefined;
  const width = String(actual.length).length;
  const lines = actual.map(
    (line, i) => `${i === first ? '>>' : '  '} ${String(i + 1).padStart(width)}  ${line}`,
  );
  const wanted = expected[first];
  const note =
    wanted === undefined
      ? `expected no more messages after line ${first}`
      : `expected at line ${first + 1}: ${wanted}`;
  if (first >= actual.length) lines.push(`>> ${' '.repeat(width)}  (nothing more was sent)`);
  return `SIP ladder (first divergence marked >>):\n${lines.join('\n')}\n${note}`;
}

/**
 * Asserts the SIP ladder: throws an Error printing the whole ladder with the first divergence
 * marked when it differs from `expected` (lines with or without times).
 *
 * @param actual - the ladder's lines
 * @param expected - the lines expected
 * @example
 * ```ts
 * import { expectLadder, type SipTestKit } from 'rxsip/testing';
 *
 * declare const kit: SipTestKit;
 * expectLadder(kit.ladder(), ['alice->app INVITE', 'app->alice 200 OK', 'alice->app ACK']);
 * ```
 */
export function expectLadder(actual: readonly string[], expected: readonly string[]): void {
  const report = ladderDivergence(actual, expected);
  if (report) throw new Error(report);
}
