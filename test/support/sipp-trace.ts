// Reads SIPp's -trace_msg log into messages, without rxsip's parser, for assertions on the wire.
import { expect } from 'vitest';
import type { SippResult } from './sipp.js';

/** One message of SIPp's trace: who sent it, when, and what it said. */
export interface Wire {
  by: 'sipp' | 'rxsip';
  /** When SIPp sent or received it (ms since the epoch, from the log's separator line). */
  at: number;
  method?: string;
  status?: number;
  uri?: string;
  /** Header values by lower-case name, in order. */
  headers: Map<string, string[]>;
  body: string;
  raw: string;
}

export function header(message: Wire | undefined, name: string): string | undefined {
  return message?.headers.get(name.toLowerCase())?.[0];
}

export function cseqOf(message: Wire | undefined): { seq: number; method: string } {
  const [seq, method] = (header(message, 'cseq') ?? '').split(/\s+/);
  return { seq: Number(seq), method: method ?? '' };
}

export function tagOf(value: string | undefined): string | undefined {
  return /;\s*tag=([^;\s]+)/i.exec(value ?? '')?.[1];
}

export function branchOf(message: Wire | undefined): string | undefined {
  return /;\s*branch=([^;\s]+)/i.exec(header(message, 'via') ?? '')?.[1];
}

/** The separator SIPp writes before each message: dashes, then `YYYY-MM-DD hh:mm:ss.uuuuuu`. */
const SEPARATOR = /^-{20,}\s*(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)?.*$/m;

/** Every message in SIPp's message log, in the order SIPp saw them. */
export function trace(result: SippResult): Wire[] {
  const messages: Wire[] = [];
  const parts = result.messages.split(new RegExp(SEPARATOR.source, 'gm'));
  // split() with a capture group interleaves the timestamps: [before, stamp, block, stamp, block...]
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const stamp = parts[i];
    const block = parts[i + 1] ?? '';
    const m = /^\s*(?:UDP|TCP) message (sent|received)[^\n]*\n\r?\n([\s\S]*)$/.exec(block);
    if (!m?.[2]) continue;
    const raw = m[2];
    const split = /\r?\n\r?\n/.exec(raw);
    const head = split ? raw.slice(0, split.index) : raw;
    const rest = split ? raw.slice(split.index + split[0].length) : '';
    const [start = '', ...lines] = head.split(/\r?\n/);
    const headers = new Map<string, string[]>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    const length = Number(headers.get('content-length')?.[0] ?? 0);
    const wire: Wire = {
      by: m[1] === 'sent' ? 'sipp' : 'rxsip',
      at: stamp ? Date.parse(`${stamp.replace(' ', 'T').slice(0, 23)}Z`) : Number.NaN,
      headers,
      body: Buffer.from(rest).subarray(0, length).toString(),
      raw,
    };
    const status = /^SIP\/2\.0 (\d{3})/.exec(start);
    if (status) wire.status = Number(status[1]);
    else [wire.method, wire.uri] = start.split(' ');
    messages.push(wire);
  }
  return messages;
}

/** The call flow as SIPp saw it, 100 Trying left out: `sipp INVITE`, `rxsip 200 INVITE`, ... */
export function ladder(messages: Wire[]): string[] {
  return messages
    .filter((m) => m.status !== 100)
    .map((m) => `${m.by} ${m.status ? `${m.status} ${cseqOf(m).method}` : m.method}`);
}

/** The `nth` message `by` one side that is the request `what` or the response `'<status> <method>'`. */
export function find(messages: Wire[], by: Wire['by'], what: string, nth = 0): Wire {
  const found = all(messages, by, what)[nth];
  if (!found) throw new Error(`no ${what} from ${by} in the trace:\n${ladder(messages).join('\n')}`);
  return found;
}

/** Every message `by` one side that is the request `what` or the response `'<status> <method>'`. */
export function all(messages: Wire[], by: Wire['by'], what: string): Wire[] {
  return messages.filter(
    (m) => m.by === by && (m.method === what || `${m.status} ${cseqOf(m).method}` === what),
  );
}

/**
 * Each SIPp process stamps a message when it logs it, so of two messages seen by different SIPp
 * processes the one caused by the other can carry a stamp a millisecond or two earlier. Orders
 * across traces are checked with this much slack; orders within one trace need none.
 */
export const CROSS_TRACE_SLACK_MS = 10;

/** `later` (from one SIPp's trace) did not happen before `earlier` (from another's). */
export function expectNotBefore(later: Wire, earlier: Wire): void {
  expect(later.at).toBeGreaterThanOrEqual(earlier.at - CROSS_TRACE_SLACK_MS);
}
