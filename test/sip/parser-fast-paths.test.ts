// The parser checks a plainly written Via, From or To in one scan and builds it when it is read.
// These properties hold it to the general parsers on values close to the plain forms: a message
// parses exactly when its headers are well formed, and what it gives when read is what the
// general parser gives; the Request-URI likewise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  SipParseError,
  type SipRequest,
} from '../../src/sip.js';

const SEEDS = {
  via: [
    'SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK74bf9;rport',
    'SIP/2.0/TCP host.example.com;branch=z9hG4bKx;received=192.0.2.4',
    'SIP/2.0/WSS a_b:6553;rport=5060',
  ],
  from: [
    '<sip:alice@example.com>;tag=9fxced76sl',
    '"Alice" <sip:+15557654321@example.org>;tag=9fxced76sl',
    'Bob Smith <sips:bob@example.com;transport=tcp>',
    '<tel:+15551234567>',
  ],
  uri: ['sip:bob@example.com', 'sip:+15551234567@example.com;user=phone', 'sips:host:5060;lr?x=y', 'tel:+1'],
};

// Characters that matter to the grammar, a few letters and digits, and two that no token has.
const CHARS = [...' \t;:=,@<>"\\/.[]?&%+-_!~*\'`()aAzZ09SIPUDPT', '\x7f', 'é'];

/** A seed with a few characters inserted, removed or replaced. */
function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'remove', 'replace'), fc.constantFrom(...CHARS));
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 3 }))
    .map(([seed, edits]) =>
      edits.reduce((s, [at, kind, c]) => {
        const i = at % (s.length + 1);
        if (kind === 'insert') return s.slice(0, i) + c + s.slice(i);
        return s.slice(0, i) + (kind === 'replace' ? c : '') + s.slice(i + 1);
      }, seed),
    );
}

/** What `f` returns, or the reason of the SipParseError it throws. */
function outcome<T>(f: () => T): { value: T } | { reason: string } {
  try {
    return { value: f() };
  } catch (err) {
    if (err instanceof SipParseError) return { reason: err.reason };
    throw err;
  }
}

function invite(uri: string, headers: Record<string, string>): Buffer {
  const lines = {
    Via: 'SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK74bf9',
    From: '<sip:alice@example.com>;tag=1',
    To: '<sip:bob@example.com>',
    'Call-ID': 'a@b',
    CSeq: '1 INVITE',
    'Max-Forwards': '70',
    'Content-Length': '0',
    ...headers,
  };
  const head = Object.entries(lines).map(([name, value]) => `${name}: ${value}\r\n`);
  return Buffer.from(`INVITE ${uri} SIP/2.0\r\n${head.join('')}\r\n`, 'utf8');
}

const RUNS = { numRuns: 3000 };

describe('parser fast paths against the general parsers', () => {
  it('a message parses exactly when its top Via does, and topVia gives what parseVia gives', () => {
    fc.assert(
      fc.property(mutated(SEEDS.via), (via) => {
        // parseVia reads one via-parm: values with a list comma, or none, are not this property's.
        fc.pre(!via.includes(',') && via.trim().length > 0);
        const expected = outcome(() => parseVia(via.trim()));
        const message = outcome(() => parseMessage(invite('sip:bob@example.com', { Via: via })));
        if ('reason' in expected) expect(message).toEqual(expected);
        else {
          expect('value' in message).toBe(true);
          if ('value' in message) expect(message.value.topVia).toEqual(expected.value);
        }
      }),
      RUNS,
    );
  });

  it('a message parses exactly when its From and To do, and they read as parseNameAddr reads them', () => {
    fc.assert(
      fc.property(mutated(SEEDS.from), (from) => {
        const expected = outcome(() => parseNameAddr(from.trim(), 'From', 'syntax'));
        const message = outcome(() => parseMessage(invite('sip:bob@example.com', { From: from, To: from })));
        if ('reason' in expected) expect(message).toEqual(expected);
        else {
          expect('value' in message).toBe(true);
          if ('value' in message) {
            expect(message.value.from).toEqual(expected.value);
            expect(message.value.to).toEqual(parseNameAddr(from.trim(), 'To', 'syntax'));
          }
        }
      }),
      RUNS,
    );
  });

  it('a Request-URI the parser accepts has a host and port parseUri accepts', () => {
    fc.assert(
      fc.property(mutated(SEEDS.uri), (uri) => {
        fc.pre(uri.length > 0 && !/[\s]/.test(uri));
        const message = outcome(() => parseMessage(invite(uri, {})));
        if (!('value' in message)) return;
        const parsed = outcome(() => parseUri((message.value as SipRequest).uri));
        // parseUri also checks parameters and escapes, which the parser leaves until the URI is read.
        if ('reason' in parsed)
          expect(parsed.reason).not.toMatch(/host|port|IPv6|user part|has no scheme|bad scheme|not allowed/);
      }),
      RUNS,
    );
  });
});
