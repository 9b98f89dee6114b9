import { describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../src/engine/engine.js';
import { createResponse } from '../../src/sip/build.js';
import { newBranch } from '../../src/sip/ids.js';
import type { SipRequest, SipResponse } from '../../src/sip/message.js';
import type { MemoryEngine } from '../../src/testing/memory-engine.js';
import {
  A,
  at,
  B,
  beforeDeadline,
  derive,
  invite,
  Peer,
  record,
  uacSetup,
  uasSetup,
  virtualTime,
  wire,
} from './harness.js';

const UAS = { address: B, port: 5060 };
const C = '10.0.0.3';

function application(uas: MemoryEngine, status?: number) {
  const seen: InboundRequest[] = [];
  uas.requests$.subscribe((inbound) => {
    seen.push(inbound);
    if (status !== undefined && inbound.message.method !== 'ACK')
      inbound.respond(createResponse(inbound.message, status, { toTag: 'uas' }));
  });
  return seen;
}

describe('server transaction matching (RFC 3261 §17.2.3)', () => {
  it('takes a request with the same branch, sent-by and method for a retransmission, whatever address it came from', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = uasSetup(scheduler);
      const seen = application(uas);
      const moved = new Peer(net, C);
      const request = peer.request('INVITE', B);
      peer.send(request, UAS);
      at(scheduler, 500, () => moved.send(request, UAS));
      flush();
      expect(seen.map((r) => r.message.method)).toEqual(['INVITE']);
      // answered from the transaction: a 100 at once, to where the transaction sends (the first source)
      expect(beforeDeadline(wire(net, B))).toEqual(['201 100 INVITE', '501 100 INVITE']);
      expect(moved.received).toEqual([]);
    });
  });

  it('tells requests apart by sent-by and by method when the branch is the same', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = uasSetup(scheduler);
      const seen = application(uas, 200);
      const other = new Peer(net, C);
      const branch = newBranch();
      peer.send(peer.request('OPTIONS', B, { branch }), UAS);
      other.send(other.request('OPTIONS', B, { branch }), UAS);
      peer.send(peer.request('INFO', B, { branch }), UAS);
      flush();
      expect(seen.map((r) => `${r.message.method} ${r.source.address}`)).toEqual([
        `OPTIONS ${A}`,
        `OPTIONS ${C}`,
        `INFO ${A}`,
      ]);
      expect(wire(net, B)).toEqual(['1 200 OPTIONS', '1 200 OPTIONS', '1 200 INFO']);
    });
  });

  it('matches an ACK to its INVITE by branch, and passes up an ACK with another branch', () => {
    virtualTime((scheduler, flush) => {
      const { uas, peer } = uasSetup(scheduler, { protocols: ['tcp'] });
      const seen = application(uas, 486);
      const request = peer.request('INVITE', B);
      peer.send(request, UAS);
      at(scheduler, 100, () => {
        const stranger = derive(request, 'ACK', 'uas');
        stranger.removeFirstValue('via');
        stranger.append('Via', `SIP/2.0/TCP ${A}:5060;branch=${newBranch()}`, { first: true });
        peer.send(stranger, UAS);
      });
      const counts: string[] = [];
      at(scheduler, 102, () => counts.push(`102 ${uas.layer.counts.server}`));
      at(scheduler, 200, () => peer.send(derive(request, 'ACK', 'uas'), UAS));
      at(scheduler, 202, () => counts.push(`202 ${uas.layer.counts.server}`));
      flush();
      expect(seen.map((r) => `${r.message.method}`)).toEqual(['INVITE', 'ACK']);
      // the INVITE transaction waited in Completed for its own ACK (Timer I = 0 over TCP)
      expect(counts).toEqual(['102 1', '202 0']);
    });
  });

  it('matches a CANCEL to its INVITE, and answers a retransmitted CANCEL from its own transaction', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = uasSetup(scheduler, { protocols: ['tcp'] });
      const seen = application(uas);
      const request = peer.request('INVITE', B);
      peer.send(request, UAS);
      const cancel = derive(request, 'CANCEL');
      at(scheduler, 1000, () => peer.send(cancel, UAS));
      at(scheduler, 1500, () => peer.send(cancel, UAS));
      flush();
      expect(wire(net, B)).toEqual([
        '201 100 INVITE',
        '1001 200 CANCEL',
        '1001 487 INVITE',
        '1501 200 CANCEL',
      ]);
      expect(seen.map((r) => r.message.method)).toEqual(['INVITE']);
    });
  });

  describe('RFC 2543 requests (no magic cookie in the branch)', () => {
    it.each([
      ['no branch', null],
      ['an RFC 2543 branch', '7e1a.1'],
    ])('detects a retransmitted INVITE with %s, and matches the ACK for a non-2xx', (_name, branch) => {
      virtualTime((scheduler, flush) => {
        const { net, uas, peer } = uasSetup(scheduler);
        const seen = application(uas);
        const request = peer.request('INVITE', B, { branch });
        peer.send(request, UAS);
        at(scheduler, 100, () => peer.send(request, UAS));
        at(scheduler, 300, () => seen[0]?.respond(createResponse(seen[0].message, 486, { toTag: 'busy' })));
        at(scheduler, 1000, () => peer.send(derive(request, 'ACK', 'busy'), UAS));
        flush();
        expect(seen.map((r) => r.message.method)).toEqual(['INVITE']);
        // 100 for the retransmission, the 486 and one Timer G retransmission before the ACK
        expect(wire(net, B)).toEqual(['101 100 INVITE', '300 486 INVITE', '800 486 INVITE']);
      });
    });

    it('matches a CANCEL to its INVITE', () => {
      virtualTime((scheduler, flush) => {
        const { net, uas, peer } = uasSetup(scheduler, { protocols: ['tcp'] });
        const seen = application(uas);
        const request = peer.request('INVITE', B, { branch: null });
        peer.send(request, UAS);
        at(scheduler, 100, () => peer.send(derive(request, 'CANCEL'), UAS));
        flush();
        expect(wire(net, B)).toEqual(['101 200 CANCEL', '101 487 INVITE']);
        expect(seen.map((r) => r.message.method)).toEqual(['INVITE']);
      });
    });

    it('tells INVITEs apart by Call-ID, From tag, CSeq and Request-URI', () => {
      virtualTime((scheduler, flush) => {
        const { uas, peer } = uasSetup(scheduler);
        const seen = application(uas);
        const request = peer.request('INVITE', B, { branch: null });
        const variants: SipRequest[] = [request];
        const nextCSeq = request.clone();
        nextCSeq.set('CSeq', '2 INVITE');
        variants.push(nextCSeq);
        const otherCall = request.clone();
        otherCall.set('Call-ID', 'another-call');
        variants.push(otherCall);
        const otherFrom = request.clone();
        otherFrom.set('From', '<sip:carol@example.com>;tag=carol');
        variants.push(otherFrom);
        const otherUri = request.clone();
        otherUri.uri = `sip:carol@${B}`;
        variants.push(otherUri);
        for (const v of variants) peer.send(v, UAS);
        flush();
        expect(seen).toHaveLength(variants.length);
      });
    });

    it('passes up an ACK that matches no INVITE', () => {
      virtualTime((scheduler, flush) => {
        const { uas, peer } = uasSetup(scheduler);
        const seen = application(uas, 486);
        const request = peer.request('INVITE', B, { branch: null });
        peer.send(request, UAS);
        at(scheduler, 100, () => {
          const ack = derive(request, 'ACK', 'uas');
          ack.set('CSeq', '7 ACK');
          peer.send(ack, UAS);
        });
        flush();
        expect(seen.map((r) => r.message.method)).toEqual(['INVITE', 'ACK']);
      });
    });
  });
});

describe('client transaction matching (RFC 3261 §17.1.3)', () => {
  it('gives the user only responses with the branch of its request and the CSeq method of its transaction', () => {
    virtualTime((scheduler, flush) => {
      const { net, uac, peer } = uacSetup(scheduler);
      const events = record(scheduler);
      uac.send(invite(B)).subscribe(events);
      const reply = (edit: (r: SipResponse) => void) => () => {
        const response = createResponse(peer.first('INVITE'), 486, { toTag: 'b' });
        edit(response);
        peer.send(response, { address: A, port: 5060 });
      };
      at(
        scheduler,
        10,
        reply((r) => r.set('CSeq', '1 OPTIONS')),
      );
      at(
        scheduler,
        20,
        reply((r) => r.set('Via', `SIP/2.0/UDP ${A}:5060;branch=${newBranch()}`)),
      );
      at(
        scheduler,
        30,
        reply(() => undefined),
      );
      flush();
      expect(events.lines).toEqual([`0 sent ${B}`, '31 486', '31 complete']);
      expect(wire(net, A)).toEqual(['0 INVITE', '31 ACK']);
    });
  });
});
