import { describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../src/engine/engine.js';
import { createResponse } from '../../src/sip/build.js';
import { at, B, countsAround, uasSetup, virtualTime, wire } from './harness.js';

const UAS = { address: B, port: 5060 };

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('sends nothing for retransmissions before the application answers, then repeats the final for Timer J (64*T1)', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = uasSetup(scheduler);
      const seen: string[] = [];
      const requests: InboundRequest[] = [];
      uas.requests$.subscribe((r) => {
        seen.push(`${scheduler.now()} ${r.message.method}`);
        requests.push(r);
      });
      const options = peer.request('OPTIONS', B);
      for (const t of [0, 500, 1500]) at(scheduler, t, () => peer.send(options, UAS));
      const results: boolean[] = [];
      const respond = (status: number) => () => {
        const inbound = requests[0] as InboundRequest;
        results.push(inbound.respond(createResponse(inbound.message, status)));
      };
      at(scheduler, 3000, respond(200));
      at(scheduler, 3100, respond(500));
      at(scheduler, 4000, () => peer.send(options, UAS));
      at(scheduler, 34_000, () => peer.send(options, UAS));
      const counts = countsAround(scheduler, uas, 'server', 35_000);
      flush();
      expect(seen).toEqual(['1 OPTIONS']);
      expect(wire(net, B)).toEqual(['3000 200 OPTIONS', '4001 200 OPTIONS', '34001 200 OPTIONS']);
      expect(results).toEqual([true, false]);
      expect(counts).toEqual(['34999 1', '35001 0']);
    });
  });

  it('repeats the last provisional response in Proceeding', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = uasSetup(scheduler);
      const requests: InboundRequest[] = [];
      uas.requests$.subscribe((r) => requests.push(r));
      const request = peer.request('SUBSCRIBE', B, { headers: { Event: 'presence' } });
      peer.send(request, UAS);
      at(scheduler, 100, () => requests[0]?.respond(createResponse(request, 100)));
      at(scheduler, 500, () => peer.send(request, UAS));
      at(scheduler, 600, () => requests[0]?.respond(createResponse(request, 202)));
      flush();
      expect(wire(net, B)).toEqual(['100 100 SUBSCRIBE', '501 100 SUBSCRIBE', '600 202 SUBSCRIBE']);
    });
  });

  it('ends at once over TCP (Timer J = 0)', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = uasSetup(scheduler, { protocols: ['tcp'] });
      uas.requests$.subscribe((r) => r.respond(createResponse(r.message, 200)));
      peer.send(peer.request('OPTIONS', B), UAS);
      const counts: number[] = [];
      at(scheduler, 2, () => counts.push(uas.layer.counts.server));
      flush();
      expect(wire(net, B)).toEqual(['1 200 OPTIONS']);
      expect(counts).toEqual([0]);
    });
  });

  it('answers a request the stack refuses itself, and the application never sees it', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = uasSetup(scheduler);
      const seen: string[] = [];
      uas.requests$.subscribe((r) => seen.push(r.message.method));
      const request = peer.request('OPTIONS', B, { headers: { Require: 'no-such-extension' } });
      peer.send(request, UAS);
      at(scheduler, 1000, () => peer.send(request, UAS));
      flush();
      expect(wire(net, B)).toEqual(['1 420 OPTIONS', '1001 420 OPTIONS']);
      expect(seen).toEqual([]);
    });
  });

  it('answers 503 with Retry-After, statelessly, when the transaction table is full', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = uasSetup(scheduler, { limits: { maxTransactions: 1 } });
      const seen: string[] = [];
      uas.requests$.subscribe((r) => seen.push(r.message.method));
      peer.send(peer.request('OPTIONS', B), UAS);
      at(scheduler, 10, () => peer.send(peer.request('OPTIONS', B), UAS));
      flush();
      expect(seen).toEqual(['OPTIONS']);
      // The second OPTIONS found the table full; the first, never answered by the application,
      // is answered 500 by the stack at 32 s and its transaction ends with Timer J.
      expect(wire(net, B)).toEqual(['11 503 OPTIONS', '32001 500 OPTIONS']);
      expect(peer.received[0]?.message.get('retry-after')).toBe('5');
      expect(uas.layer.counts.server).toBe(0);
    });
  });

  it('answers 513 to a request larger than the limit, in a transaction', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = uasSetup(scheduler, { limits: { maxRequestBytes: 600 } });
      const seen: string[] = [];
      uas.requests$.subscribe((r) => seen.push(r.message.method));
      const request = peer.request('MESSAGE', B);
      request.set('Content-Type', 'text/plain');
      request.body = 'x'.repeat(600);
      peer.send(request, UAS);
      at(scheduler, 500, () => peer.send(request, UAS));
      flush();
      expect(seen).toEqual([]);
      expect(wire(net, B)).toEqual(['1 513 MESSAGE', '501 513 MESSAGE']);
    });
  });
});
