import type { SchedulerLike } from 'rxjs';
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
  countsAround,
  derive,
  type Peer,
  type SetupOptions,
  uasSetup,
  virtualTime,
  wire,
} from './harness.js';

const UAS = { address: B, port: 5060 };

/** What the application sees: `time METHOD`, and the requests themselves. */
function application(scheduler: SchedulerLike, uas: MemoryEngine) {
  const seen: string[] = [];
  const requests: InboundRequest[] = [];
  uas.requests$.subscribe((inbound) => {
    seen.push(`${scheduler.now()} ${inbound.message.method}`);
    requests.push(inbound);
  });
  const answer = (status: number, toTag = 'uas', index = 0) => {
    const inbound = requests.filter((r) => r.message.method === 'INVITE')[index] as InboundRequest;
    return inbound.respond(createResponse(inbound.message, status, { toTag }));
  };
  return { seen, requests, answer };
}

/** The ACK a UAC sends for a non-2xx final response (same branch as the INVITE). */
function ackFor(invite: SipRequest, response: SipResponse): SipRequest {
  const ack = invite.clone();
  ack.method = 'ACK';
  ack.set('CSeq', `${invite.cseq.seq} ACK`);
  ack.set('To', response.get('to'));
  return ack;
}

function lastResponse(peer: Peer): SipResponse {
  return peer.received.map((r) => r.message).findLast((m) => m.type === 'response') as SipResponse;
}

/** The UAS engine with the application on it, and a scripted peer as its UAC (see uasSetup). */
function setup(scheduler: SchedulerLike, options?: SetupOptions) {
  const { net, uas, peer } = uasSetup(scheduler, options);
  return { net, uas, app: application(scheduler, uas), peer };
}

describe('INVITE server transaction (RFC 3261 §17.2.1)', () => {
  it('sends 100 Trying 200 ms after the INVITE when the application has not answered', () => {
    virtualTime((scheduler, flush) => {
      const { net, app, peer } = setup(scheduler);
      peer.send(peer.request('INVITE', B), UAS);
      flush();
      expect(app.seen).toEqual(['1 INVITE']);
      expect(beforeDeadline(wire(net, B))).toEqual(['201 100 INVITE']);
    });
  });

  it('sends no 100 Trying when the application answers within 200 ms', () => {
    virtualTime((scheduler, flush) => {
      const { net, app, peer } = setup(scheduler);
      peer.send(peer.request('INVITE', B), UAS);
      at(scheduler, 100, () => app.answer(180));
      flush();
      expect(beforeDeadline(wire(net, B))).toEqual(['100 180 INVITE']);
    });
  });

  it('with tryingDelay 0 sends 100 Trying as the INVITE arrives, ahead of an answer given in the same tick', () => {
    virtualTime((scheduler, flush) => {
      const { net, app, peer } = setup(scheduler, { timers: { tryingDelay: 0 } });
      peer.send(peer.request('INVITE', B), UAS);
      at(scheduler, 1, () => app.answer(486));
      flush();
      // (the 486 is then resent by Timer G until the peer's ACK, which this peer never sends)
      expect(beforeDeadline(wire(net, B)).slice(0, 3)).toEqual([
        '1 100 INVITE',
        '1 486 INVITE',
        '501 486 INVITE',
      ]);
    });
  });

  it('with tryingDelay 0 sends no second 100 when the application sends one after a provisional', () => {
    virtualTime((scheduler, flush) => {
      const { net, app, peer } = setup(scheduler, { timers: { tryingDelay: 0 } });
      peer.send(peer.request('INVITE', B), UAS);
      at(scheduler, 10, () => app.answer(180));
      at(scheduler, 20, () => app.answer(100));
      flush();
      expect(beforeDeadline(wire(net, B))).toEqual(['1 100 INVITE', '10 180 INVITE']);
    });
  });

  it('answers a retransmitted INVITE with the last provisional response (or a 100) and does not pass it up', () => {
    virtualTime((scheduler, flush) => {
      const { net, app, peer } = setup(scheduler);
      const invite = peer.request('INVITE', B);
      peer.send(invite, UAS);
      at(scheduler, 100, () => peer.send(invite, UAS));
      at(scheduler, 300, () => app.answer(180));
      at(scheduler, 400, () => app.answer(183));
      at(scheduler, 500, () => peer.send(invite, UAS));
      flush();
      expect(app.seen).toEqual(['1 INVITE']);
      expect(beforeDeadline(wire(net, B))).toEqual([
        '101 100 INVITE',
        '300 180 INVITE',
        '400 183 INVITE',
        '501 183 INVITE',
      ]);
    });
  });

  describe('a non-2xx final response', () => {
    it('is retransmitted by Timer G (500, 1000, 2000, 4000, 4000 ms...) until Timer H (64*T1) without an ACK', () => {
      virtualTime((scheduler, flush) => {
        const { net, uas, app, peer } = setup(scheduler);
        peer.send(peer.request('INVITE', B), UAS);
        at(scheduler, 100, () => app.answer(486));
        const counts = countsAround(scheduler, uas, 'server', 32_100);
        flush();
        expect(wire(net, B)).toEqual(
          [100, 600, 1600, 3600, 7600, 11_600, 15_600, 19_600, 23_600, 27_600, 31_600].map(
            (t) => `${t} 486 INVITE`,
          ),
        );
        expect(counts).toEqual(['32099 1', '32101 0']);
      });
    });

    it('stops at the ACK, which the transaction absorbs and keeps absorbing for Timer I (T4)', () => {
      virtualTime((scheduler, flush) => {
        const { net, uas, app, peer } = setup(scheduler);
        const invite = peer.request('INVITE', B);
        peer.send(invite, UAS);
        at(scheduler, 100, () => app.answer(486));
        const ack = () => peer.send(ackFor(invite, lastResponse(peer)), UAS);
        at(scheduler, 2000, ack);
        at(scheduler, 3000, ack);
        at(scheduler, 3000, () => peer.send(invite, UAS));
        const counts = countsAround(scheduler, uas, 'server', 7001);
        flush();
        expect(wire(net, B)).toEqual(['100 486 INVITE', '600 486 INVITE', '1600 486 INVITE']);
        expect(app.seen).toEqual(['1 INVITE']);
        // the ACK arrived at 2001: Timer I ends the transaction at 7001
        expect(counts).toEqual(['7000 1', '7002 0']);
      });
    });

    it('honours a configured T4 in Timer I', () => {
      virtualTime((scheduler, flush) => {
        const { uas, app, peer } = setup(scheduler, { timers: { t4: 1000 } });
        const invite = peer.request('INVITE', B);
        peer.send(invite, UAS);
        at(scheduler, 100, () => app.answer(486));
        at(scheduler, 200, () => peer.send(ackFor(invite, lastResponse(peer)), UAS));
        const counts = countsAround(scheduler, uas, 'server', 1201);
        flush();
        expect(counts).toEqual(['1200 1', '1202 0']);
      });
    });

    it('is not retransmitted over TCP; Timer H still waits 64*T1 for the ACK, Timer I is 0', () => {
      virtualTime((scheduler, flush) => {
        const { net, uas, app, peer } = setup(scheduler, { protocols: ['tcp'] });
        const invite = peer.request('INVITE', B);
        peer.send(invite, UAS);
        at(scheduler, 100, () => app.answer(486));
        const counts: string[] = [];
        at(scheduler, 30_000, () => counts.push(`30000 ${uas.layer.counts.server}`));
        at(scheduler, 31_000, () => peer.send(ackFor(invite, lastResponse(peer)), UAS));
        at(scheduler, 31_002, () => counts.push(`31002 ${uas.layer.counts.server}`));
        flush();
        expect(wire(net, B)).toEqual(['100 486 INVITE']);
        expect(app.seen).toEqual(['1 INVITE']);
        expect(counts).toEqual(['30000 1', '31002 0']);
      });
    });

    it('is re-sent for a retransmitted INVITE', () => {
      virtualTime((scheduler, flush) => {
        const { net, app, peer } = setup(scheduler, { protocols: ['tcp'] });
        const invite = peer.request('INVITE', B);
        peer.send(invite, UAS);
        at(scheduler, 100, () => app.answer(486));
        at(scheduler, 200, () => peer.send(invite, UAS));
        flush();
        expect(wire(net, B)).toEqual(['100 486 INVITE', '201 486 INVITE']);
        expect(app.seen).toEqual(['1 INVITE']);
      });
    });

    it('honours a configured T1 and T2 in Timers G and H', () => {
      virtualTime((scheduler, flush) => {
        const { net, uas, app, peer } = setup(scheduler, { timers: { t1: 100, t2: 400 } });
        peer.send(peer.request('INVITE', B), UAS);
        at(scheduler, 100, () => app.answer(486));
        const counts = countsAround(scheduler, uas, 'server', 6500);
        flush();
        const times = wire(net, B).map((l) => Number(l.split(' ')[0]));
        expect(times.slice(0, 6)).toEqual([100, 200, 400, 800, 1200, 1600]);
        expect(counts).toEqual(['6499 1', '6501 0']);
      });
    });
  });

  describe('a 2xx response (RFC 6026 Accepted)', () => {
    it('absorbs retransmitted INVITEs, sends the application 2xx retransmissions, gives it the ACK, ends with Timer L', () => {
      virtualTime((scheduler, flush) => {
        const { net, uas, app, peer } = setup(scheduler);
        const invite = peer.request('INVITE', B);
        peer.send(invite, UAS);
        const results: boolean[] = [];
        at(scheduler, 100, () => results.push(app.answer(200)));
        at(scheduler, 500, () => peer.send(invite, UAS));
        at(scheduler, 600, () => results.push(app.answer(200)));
        at(scheduler, 700, () => results.push(app.answer(486)));
        // the ACK for a 2xx is a transaction of its own: a new branch (RFC 3261 §17.1.1.3)
        at(scheduler, 1000, () => {
          const ack = ackFor(invite, lastResponse(peer));
          ack.removeFirstValue('via');
          ack.append('Via', `SIP/2.0/UDP ${A}:5060;branch=${newBranch()}`, { first: true });
          peer.send(ack, UAS);
        });
        const counts = countsAround(scheduler, uas, 'server', 32_100);
        flush();
        expect(wire(net, B)).toEqual(['100 200 INVITE', '600 200 INVITE']);
        expect(results).toEqual([true, true, false]);
        expect(app.seen).toEqual(['1 INVITE', '1001 ACK']);
        expect(counts).toEqual(['32099 1', '32101 0']);
      });
    });

    it('passes up an ACK that matches the INVITE transaction itself (same branch)', () => {
      virtualTime((scheduler, flush) => {
        const { app, peer } = setup(scheduler);
        const invite = peer.request('INVITE', B);
        peer.send(invite, UAS);
        at(scheduler, 100, () => app.answer(200));
        at(scheduler, 200, () => peer.send(ackFor(invite, lastResponse(peer)), UAS));
        flush();
        expect(app.seen).toEqual(['1 INVITE', '201 ACK']);
      });
    });
  });

  describe('CANCEL (RFC 3261 §9.2)', () => {
    it('answers the CANCEL with 200 and the INVITE with 487, both with the To tag already sent, and tells the application', () => {
      virtualTime((scheduler, flush) => {
        const { net, app, peer } = setup(scheduler);
        const invite = peer.request('INVITE', B);
        peer.send(invite, UAS);
        const cancels: string[] = [];
        const results: boolean[] = [];
        at(scheduler, 2, () =>
          app.requests[0]?.cancel$.subscribe(() => cancels.push(`${scheduler.now()} cancel`)),
        );
        at(scheduler, 50, () => app.answer(180, 'ringing'));
        at(scheduler, 1000, () => peer.send(derive(invite, 'CANCEL'), UAS));
        at(scheduler, 1100, () => results.push(app.answer(200)));
        at(scheduler, 1200, () => peer.send(ackFor(invite, lastResponse(peer)), UAS));
        flush();
        expect(wire(net, B)).toEqual(['50 180 INVITE', '1001 200 CANCEL', '1001 487 INVITE']);
        const responses = peer.received.map((r) => r.message as SipResponse);
        expect(responses.slice(1).map((r) => r.toTag)).toEqual(['ringing', 'ringing']);
        expect(cancels).toEqual(['1001 cancel']);
        expect(results).toEqual([false]);
        expect(app.seen).toEqual(['1 INVITE']);
        expect(app.requests[0]?.finalSent).toBe(true);
      });
    });

    it('chooses one To tag for the 200 and the 487 when none was sent yet', () => {
      virtualTime((scheduler, flush) => {
        const { net, peer } = setup(scheduler);
        const invite = peer.request('INVITE', B);
        peer.send(invite, UAS);
        at(scheduler, 300, () => peer.send(derive(invite, 'CANCEL'), UAS));
        flush();
        // (no ACK comes: the 487 is retransmitted after these)
        expect(wire(net, B).slice(0, 4)).toEqual([
          '201 100 INVITE',
          '301 200 CANCEL',
          '301 487 INVITE',
          '801 487 INVITE',
        ]);
        const [trying, ok, terminated] = peer.received.map((r) => r.message as SipResponse);
        expect(trying?.toTag).toBeUndefined();
        expect(ok?.toTag).toBeDefined();
        expect(terminated?.toTag).toBe(ok?.toTag);
      });
    });

    it('after the final response gets a 200 and changes nothing else', () => {
      virtualTime((scheduler, flush) => {
        const { net, app, peer } = setup(scheduler, { protocols: ['tcp'] });
        const invite = peer.request('INVITE', B);
        peer.send(invite, UAS);
        const cancels: string[] = [];
        at(scheduler, 2, () =>
          app.requests[0]?.cancel$.subscribe({
            next: () => cancels.push('cancel'),
            complete: () => cancels.push(`${scheduler.now()} complete`),
          }),
        );
        at(scheduler, 50, () => app.answer(486, 'busy'));
        at(scheduler, 1000, () => peer.send(derive(invite, 'CANCEL'), UAS));
        flush();
        expect(wire(net, B)).toEqual(['50 486 INVITE', '1001 200 CANCEL']);
        expect(cancels).toEqual(['50 complete']);
      });
    });

    it('matching no INVITE gets a 481', () => {
      virtualTime((scheduler, flush) => {
        const { net, app, peer } = setup(scheduler);
        peer.send(peer.request('CANCEL', B), UAS);
        flush();
        expect(wire(net, B)).toEqual(['1 481 CANCEL']);
        expect(app.seen).toEqual([]);
      });
    });
  });
});

describe('the stack answers for a silent application', () => {
  it('answers an INVITE nobody answers with 408 after inviteAnswerTimeout, so its transaction ends', () => {
    virtualTime((scheduler, flush) => {
      const { net, uas, peer } = setup(scheduler, { timers: { inviteAnswerTimeout: 60_000 } });
      peer.send(peer.request('INVITE', B), UAS);
      flush();
      expect(wire(net, B).slice(0, 2)).toEqual(['201 100 INVITE', '60001 408 INVITE']);
      expect(uas.layer.counts.server).toBe(0);
    });
  });

  it('answers an INVITE whose Expires runs out with 487 (RFC 3261 §13.3.1.1)', () => {
    virtualTime((scheduler, flush) => {
      const { net, peer } = setup(scheduler);
      const invite = peer.request('INVITE', B);
      invite.set('Expires', 10);
      peer.send(invite, UAS);
      flush();
      expect(wire(net, B).slice(0, 2)).toEqual(['201 100 INVITE', '10001 487 INVITE']);
    });
  });
});
