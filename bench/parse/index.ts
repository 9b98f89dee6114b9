// Messages per second for parsing, "parse and read what a stack reads", and serializing a
// typical INVITE, for rxsip and for the parsers of the npm `sip` package and drachtio-srf,
// measured in the same process on the same bytes.
import { parseMessage, type SipRequest } from '../../src/index.js';
import { type Case, measure, type Throughput } from '../lib/measure.js';
import type { Cell, Goal, Scenario, ScenarioResult } from '../lib/scenario.js';
import { EXPECTED, INVITE } from './invite.js';
import { DrachtioSipMessage, drachtioParser, PEER_VERSIONS, sipJs } from './peers.js';

const OPERATIONS = ['parse', 'parse + read', 'serialize'] as const;
type Operation = (typeof OPERATIONS)[number];

const PARSERS = {
  rxsip: 'rxsip',
  sip: 'sip (npm)',
  drachtio: 'drachtio-srf SipMessage',
  drachtioEager: 'drachtio-srf parser.js (eager)',
} as const;
type Parser = keyof typeof PARSERS;

/** The goal: rxsip this many times as fast as each. */
const TARGETS: Partial<Record<Parser, number>> = { sip: 2, drachtio: 3 };

const BODY = EXPECTED.bodyLength;

function fail(what: string): never {
  throw new Error(`bench parse: ${what} gave a wrong result`);
}

/** The fields a SIP stack reads on every message: transaction and dialog matching. */
function checkRead(
  what: string,
  callId: string | undefined,
  seq: number,
  method: string,
  fromTag: string | null | undefined,
  toTag: string | null | undefined,
  branch: string | null | undefined,
): void {
  if (
    callId !== EXPECTED.callId ||
    seq !== EXPECTED.cseq ||
    method !== EXPECTED.method ||
    fromTag !== EXPECTED.fromTag ||
    toTag != null ||
    branch !== EXPECTED.branch
  )
    fail(what);
}

/** Bytes a serializer produced must be a SIP message equal to the original in what matters. */
function checkSerialized(what: string, bytes: Buffer): number {
  const m = parseMessage(bytes) as SipRequest;
  checkRead(what, m.callId, m.cseq.seq, m.cseq.method, m.fromTag, m.toTag, m.topVia.params.branch);
  if (m.via.length !== 3 || m.payload.length !== BODY || m.uri !== 'sip:+15551234567@example.com;user=phone')
    fail(what);
  return bytes.length;
}

type NamedCase = Case & { operation: Operation; parser: Parser };

function named(operation: Operation, parser: Parser, op: () => void): NamedCase {
  return { name: `${operation} / ${parser}`, operation, parser, op };
}

function cases(): NamedCase[] {
  const input = INVITE;

  // Parsed once, for the serializers.
  const rxsipMessage = parseMessage(input);
  const sipMessage = sipJs.parse(input) ?? fail('sip parse');
  const drachtioMessage = new DrachtioSipMessage(input.toString('utf8'));
  const rxsipLength = checkSerialized('rxsip serialize', rxsipMessage.toBuffer());
  const sipLength = checkSerialized('sip serialize', Buffer.from(sipJs.stringify(sipMessage), 'latin1'));
  const drachtioLength = checkSerialized(
    'drachtio serialize',
    Buffer.from(drachtioMessage.toString(), 'utf8'),
  );

  return [
    named('parse', 'rxsip', () => {
      const m = parseMessage(input);
      if (m.payload.length !== BODY) fail('rxsip parse');
    }),
    named('parse', 'sip', () => {
      const m = sipJs.parse(input);
      if (m?.content.length !== BODY) fail('sip parse');
    }),
    named('parse', 'drachtio', () => {
      // drachtio-srf receives the message as text; decoding the datagram is part of the work.
      const m = new DrachtioSipMessage(input.toString('utf8'));
      if (m.body.length !== BODY) fail('drachtio parse');
    }),
    named('parse', 'drachtioEager', () => {
      const m = drachtioParser.parseSipMessage(input, false);
      if (m?.body.length !== BODY) fail('drachtio eager parse');
    }),
    named('parse + read', 'rxsip', () => {
      const m = parseMessage(input);
      const cseq = m.cseq;
      checkRead('rxsip read', m.callId, cseq.seq, cseq.method, m.fromTag, m.toTag, m.topVia.params.branch);
    }),
    named('parse + read', 'sip', () => {
      const m = sipJs.parse(input) ?? fail('sip parse');
      const h = m.headers;
      checkRead(
        'sip read',
        h['call-id'],
        h.cseq.seq,
        h.cseq.method,
        h.from.params.tag,
        h.to.params.tag,
        h.via[0]?.params.branch,
      );
    }),
    named('parse + read', 'drachtio', () => {
      const m = new DrachtioSipMessage(input.toString('utf8'));
      const cseq = m.getParsedHeader('cseq');
      checkRead(
        'drachtio read',
        m.get('call-id'),
        cseq.seq,
        cseq.method,
        m.getParsedHeader('from').params.tag,
        m.getParsedHeader('to').params.tag,
        m.getParsedHeader('via')[0]?.params.branch,
      );
    }),
    named('parse + read', 'drachtioEager', () => {
      const m = drachtioParser.parseSipMessage(input, false) ?? fail('drachtio eager parse');
      const h = m.headers;
      checkRead(
        'drachtio eager read',
        h['call-id'],
        h.cseq.seq,
        h.cseq.method,
        h.from.params.tag,
        h.to.params.tag,
        h.via[0]?.params.branch,
      );
    }),
    named('serialize', 'rxsip', () => {
      if (rxsipMessage.toBuffer().length !== rxsipLength) fail('rxsip serialize');
    }),
    named('serialize', 'sip', () => {
      if (Buffer.from(sipJs.stringify(sipMessage), 'latin1').length !== sipLength) fail('sip serialize');
    }),
    named('serialize', 'drachtio', () => {
      if (Buffer.from(drachtioMessage.toString(), 'utf8').length !== drachtioLength)
        fail('drachtio serialize');
    }),
    // drachtio-srf's eager result cannot be serialized: its stringify expects header objects
    // wrapped as `{parsed}` and throws on the plain parsed ones.
  ];
}

function ratio(a: Throughput | undefined, b: Throughput | undefined): number | null {
  return a && b ? a.median / b.median : null;
}

const scenario: Scenario = {
  name: 'parse',
  description: 'parse / parse + read / serialize a ~950-byte INVITE with SDP: rxsip vs sip vs drachtio-srf',
  async run({ quick }): Promise<ScenarioResult> {
    const options = quick
      ? { warmupMs: 100, rounds: 3, roundMs: 100 }
      : { warmupMs: 1000, rounds: 7, roundMs: 400 };
    const all = cases();
    // Every case ran once in cases() or runs here before timing: a wrong result stops the bench.
    for (const c of all) c.op();
    const progress = (text: string) => {
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${text}`);
    };
    const results = await measure(all, options, progress);
    progress('');
    const find = (operation: Operation, parser: Parser) =>
      results.find((r) => r.name === `${operation} / ${parser}`);

    const rows: Record<string, Cell>[] = all.map((c) => {
      const r = find(c.operation, c.parser) as Throughput;
      const rx = find(c.operation, 'rxsip');
      return {
        operation: c.operation,
        parser: PARSERS[c.parser],
        'ops/s': Math.round(r.median),
        'µs/op': Number((1e6 / r.median).toFixed(2)),
        'spread %': Number((((r.max - r.min) / r.median) * 100).toFixed(1)),
        'rxsip ×': c.parser === 'rxsip' ? null : Number((ratio(rx, r) as number).toFixed(2)),
      };
    });

    const goals: Goal[] = [];
    for (const operation of OPERATIONS) {
      const rx = find(operation, 'rxsip');
      const sipRatio = ratio(rx, find(operation, 'sip'));
      if (sipRatio !== null) {
        const target = TARGETS.sip as number;
        goals.push({
          goal: `${operation}: rxsip / sip`,
          target,
          measured: sipRatio,
          met: sipRatio >= target,
        });
      }
      // Against drachtio-srf, the faster of its two modes counts.
      const drachtio = [find(operation, 'drachtio'), find(operation, 'drachtioEager')]
        .filter((r): r is Throughput => r !== undefined)
        .sort((a, b) => b.median - a.median)[0];
      const drachtioRatio = ratio(rx, drachtio);
      if (drachtioRatio !== null) {
        const target = TARGETS.drachtio as number;
        goals.push({
          goal: `${operation}: rxsip / drachtio-srf (faster mode)`,
          target,
          measured: drachtioRatio,
          met: drachtioRatio >= target,
        });
      }
    }

    return {
      rows,
      goals,
      settings: { ...options, messageBytes: INVITE.length, versions: PEER_VERSIONS },
      notes: [
        'ops/s is the median of the rounds; spread % is (max - min) / median over the rounds.',
        '"parse + read" also reads Call-ID, CSeq, From/To tags and the top Via branch, parsed.',
        'drachtio-srf SipMessage keeps headers as text and parses them on each getParsedHeader call.',
        "drachtio-srf's eager parse result cannot be serialized by its own stringify (it throws).",
      ],
    };
  },
};

export default scenario;
