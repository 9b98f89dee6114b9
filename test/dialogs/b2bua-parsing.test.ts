// Issue 14: a B2BUA call parses no SIP text twice. parseUri, parseNameAddr(List) and the Via
// parsers are wrapped (ESM mocks see only calls through the module exports, which is how every
// other module reaches them) and each call is charged to the party whose packet is being
// delivered, so what bob (the B2BUA) parses is told apart from what alice and carol parse.
import { timer } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { Srf } from '../../src/drachtio.js';
import { b2bua, tieLegs } from '../../src/index.js';
import { sipTest } from '../../src/testing.js';
import { SDP_A, SDP_C } from '../support/virtual-call.js';

interface Parse {
  fn: string;
  text: string;
  /** parseNameAddr's URI check: `'syntax'` on the parser's fast path for a received From or To. */
  mode?: string;
}

const parses: Parse[] = [];
/** The keys of the headers whose values the message layer parsed (From, CSeq, Contact, ...). */
const headerParses: string[] = [];

vi.mock('../../src/sip/uri.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/sip/uri.js')>();
  return {
    ...m,
    parseUri: (text: string) => {
      parses.push({ fn: 'parseUri', text });
      return m.parseUri(text);
    },
  };
});
vi.mock('../../src/sip/name-addr.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/sip/name-addr.js')>();
  return {
    ...m,
    parseNameAddr: (...args: Parameters<typeof m.parseNameAddr>) => {
      parses.push({ fn: 'parseNameAddr', text: args[0], mode: args[2] ?? 'parse' });
      return m.parseNameAddr(...args);
    },
    parseNameAddrList: (...args: Parameters<typeof m.parseNameAddrList>) => {
      parses.push({ fn: 'parseNameAddrList', text: args[0] });
      return m.parseNameAddrList(...args);
    },
  };
});
vi.mock('../../src/sip/header-parsers.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/sip/header-parsers.js')>();
  return {
    ...m,
    parseHeaderValues: (key: string, values: readonly string[]) => {
      headerParses.push(key);
      return m.parseHeaderValues(key, values);
    },
  };
});
vi.mock('../../src/sip/via.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/sip/via.js')>();
  const wrap =
    (fn: string, parse: (text: string) => unknown) =>
    (text: string): never => {
      parses.push({ fn, text });
      return parse(text) as never;
    };
  return {
    ...m,
    parseVia: wrap('parseVia', m.parseVia),
    parseTopVia: wrap('parseTopVia', m.parseTopVia),
    parseViaList: wrap('parseViaList', m.parseViaList),
  };
});

const VIA_PARSERS = new Set(['parseVia', 'parseTopVia', 'parseViaList']);

/** What bob parsed while one packet was delivered to it (and what it sent meanwhile). */
interface Block {
  received: string;
  parses: Parse[];
  headers: string[];
  sent: string[];
}

const BOB = '10.0.0.2';

/** alice → bob (b2bua) → carol: 180, 200 after 1 s, ACK, alice hangs up after 500 ms. */
function b2buaCall(): { blocks: Block[]; total: number } {
  const blocks: Block[] = [];
  sipTest(
    (kit) => {
      const bind = kit.network.bind.bind(kit.network);
      kit.network.bind = (endpoint, receiver) =>
        bind(endpoint, (data, source) => {
          const start = parses.length;
          const headersStart = headerParses.length;
          const sentBefore = kit.network.packets.length;
          receiver(data, source);
          const mine = parses.splice(start);
          const headers = headerParses.splice(headersStart);
          if (endpoint.address !== BOB) return;
          const sent = kit.network.packets.slice(sentBefore).filter((p) => p.from.startsWith(`${BOB}:`));
          blocks.push({
            received: data.toString('utf8'),
            parses: mine,
            headers,
            sent: sent.map((p) => p.data.toString('utf8')),
          });
        });
      const make = (o: ConstructorParameters<typeof Srf>[0]) => new Srf(o);
      const alice = kit.app({ make, name: 'A', address: '10.0.0.1' });
      const bob = kit.app({ make, name: 'B', address: BOB });
      const carol = kit.app({ make, name: 'C', address: '10.0.0.3' });
      bob.invite$.pipe(b2bua('sip:carol@10.0.0.3'), tieLegs()).subscribe();
      carol.invite((req, res) => {
        res.send(180);
        timer(1000).subscribe(() => void carol.createUas(req, res, { localSdp: SDP_C }));
      });
      alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe((p) => {
        if (p.type === 'dialog') timer(500).subscribe(() => void p.dialog.end());
      });
    },
    { random: Math.random },
  );
  return { blocks, total: blocks.reduce((n, b) => n + b.parses.length + b.headers.length, 0) };
}

const firstLine = (text: string) => text.slice(0, text.indexOf('\r\n'));
const header = (text: string, name: string) =>
  text
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();

describe('B2BUA: no SIP text parsed twice (issue 14)', () => {
  const { blocks, total } = b2buaCall();
  const block = (first: RegExp, from: string) => {
    const found = blocks.find(
      (b) => first.test(firstLine(b.received)) && header(b.received, 'Via')?.includes(from),
    );
    if (!found) throw new Error(`bob received no ${first} from ${from}`);
    return found;
  };
  const invite = block(/^INVITE/, '10.0.0.1');
  const ringing = block(/^SIP\/2\.0 180/, '10.0.0.2');
  const answer = block(/^SIP\/2\.0 200/, '10.0.0.2');
  const bye = block(/^BYE/, '10.0.0.1');
  const inviteToB = invite.sent.find((t) => t.startsWith('INVITE')) ?? '';
  const summary = blocks.map(
    (b) => `${firstLine(b.received)}: ${b.parses.length} + ${b.headers.length} header values`,
  );
  console.log(`bob parsed ${total} times per B2BUA call\n  ${summary.join('\n  ')}`);

  it('the call went through, and the counting sees the parses that must happen', () => {
    expect(blocks.map((b) => firstLine(b.received).replace(/ sip:\S+/, ''))).toEqual([
      'INVITE SIP/2.0',
      'SIP/2.0 180 Ringing',
      'SIP/2.0 200 OK',
      'ACK SIP/2.0',
      'BYE SIP/2.0',
      'SIP/2.0 200 OK',
    ]);
    // A's Request-URI, checked once; carol's Contact, read for the early dialog.
    expect(invite.parses).toContainEqual({ fn: 'parseUri', text: 'sip:carol@10.0.0.2' });
    expect(ringing.parses).toContainEqual({ fn: 'parseUri', text: 'sip:10.0.0.3:5060' });
    expect(inviteToB).toMatch(/^INVITE sip:carol@10\.0\.0\.3 /);
    expect(bye.sent.some((t) => t.startsWith('BYE sip:10.0.0.3:5060 '))).toBe(true);
  });

  it('each text is parsed at most once while bob handles one message', () => {
    for (const b of blocks) {
      const seen = new Map<string, number>();
      for (const p of b.parses) seen.set(`${p.fn}(${p.text})`, (seen.get(`${p.fn}(${p.text})`) ?? 0) + 1);
      const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
      expect({ received: firstLine(b.received), twice }).toEqual({
        received: firstLine(b.received),
        twice: [],
      });
    }
  });

  it('the Via of each message bob receives is parsed once, and no Via it sends', () => {
    for (const b of blocks) {
      const vias = b.parses.filter((p) => VIA_PARSERS.has(p.fn)).map((p) => p.text);
      expect({ received: firstLine(b.received), vias: vias.length }).toEqual({
        received: firstLine(b.received),
        vias: 1,
      });
      expect(header(b.received, 'Via')?.startsWith(vias[0]?.split(';')[0] ?? '-')).toBe(true);
    }
  });

  it("B's INVITE, built from structures, is never parsed back: its From tag read from what was built", () => {
    const fromToB = header(inviteToB, 'From');
    expect(fromToB).toMatch(/;tag=/);
    const all = blocks.flatMap((b) => b.parses);
    // Received From and To are read on the parser's fast path ('syntax'); a full parse of the
    // From bob wrote would be bob reading its own request back.
    expect(all.filter((p) => p.fn === 'parseNameAddr' && p.text === fromToB && p.mode === 'parse')).toEqual(
      [],
    );
    // The Request-URI of B's INVITE (also its To) is parsed once, for the next hop.
    expect(all.filter((p) => p.fn === 'parseUri' && p.text === 'sip:carol@10.0.0.3')).toHaveLength(1);
  });

  it('bob parses no From, To, CSeq or Via header: received ones the parser read, sent ones were built', () => {
    expect(blocks.map((b) => [firstLine(b.received), b.headers])).toEqual([
      ['INVITE sip:carol@10.0.0.2 SIP/2.0', []],
      ['SIP/2.0 180 Ringing', ['contact', 'contact']], // carol's for B's early dialog, alice's for A's
      ['SIP/2.0 200 OK', ['contact']],
      ['ACK sip:10.0.0.2:5060 SIP/2.0', []],
      ['BYE sip:10.0.0.2:5060 SIP/2.0', []],
      ['SIP/2.0 200 OK', []],
    ]);
  });

  it("relaying carol's 180 and 200 to alice parses nothing of alice's INVITE but its Contact, once", () => {
    const parsedForInvite = new Set(invite.parses.map((p) => p.text));
    for (const b of [ringing, answer]) {
      const again = b.parses.filter((p) => parsedForInvite.has(p.text)).map((p) => `${p.fn}(${p.text})`);
      expect({ received: firstLine(b.received), again }).toEqual({
        received: firstLine(b.received),
        again: [],
      });
      const ofA = b.parses.filter((p) => !b.received.includes(p.text)).map((p) => `${p.fn}(${p.text})`);
      expect(ofA).toEqual(
        b === ringing ? ['parseNameAddrList(<sip:10.0.0.1:5060>)', 'parseUri(sip:10.0.0.1:5060)'] : [],
      );
    }
    expect(ringing.sent.map(firstLine)).toEqual(['SIP/2.0 180 Ringing']);
    expect(answer.sent.map(firstLine)).toEqual(['ACK sip:10.0.0.3:5060 SIP/2.0', 'SIP/2.0 200 OK']);
  });

  it("the ACK to carol goes to her Contact as her 200's parse read it", () => {
    expect(answer.parses.filter((p) => p.text === 'sip:10.0.0.3:5060')).toEqual([
      { fn: 'parseUri', text: 'sip:10.0.0.3:5060' },
    ]);
  });

  it("hanging up carol parses only what alice's BYE carries, and carol's target once", () => {
    // A dialog keeps its remote target as text for the call's life, not as a parsed URI (an idle
    // dialog's memory): the BYE's next hop parses it, once.
    const foreign = bye.parses.filter((p) => !bye.received.includes(p.text)).map((p) => `${p.fn}(${p.text})`);
    expect(foreign).toEqual(['parseUri(sip:10.0.0.3:5060)']);
    expect(bye.parses.map((p) => p.fn)).toEqual([
      'parseTopVia',
      'parseNameAddr',
      'parseNameAddr',
      'parseUri',
      'parseUri',
    ]);
  });
});
