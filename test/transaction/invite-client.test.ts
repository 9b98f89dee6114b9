import { type SchedulerLike, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { HeaderInit, SipRequest, SipResponse } from '../../src/sip/message.js';
import type { ClientFailure, ClientTransactionUser } from '../../src/transaction/transaction-context.js';
import {
  A,
  at,
  B,
  countsAround,
  engine,
  invite,
  network,
  record,
  sent,
  uacSetup,
  virtualTime,
  wire,
} from './harness.js';

const UDP_TARGET = { protocol: 'udp', address: B, port: 5060 } as const;

// A transaction user that writes down what it hears, with the virtual time.
function recordingUser(scheduler: { now(): number }, calls: string[]): ClientTransactionUser {
  return {
    onResponse: (r) => calls.push(`${scheduler.now()} response ${r.status}`),
    onFailure: (failure) => calls.push(`${scheduler.now()} ${failure}`),
    onTerminated: () => calls.push(`${scheduler.now()} terminated`),
  };
}

/**
 * The callee's 200s to the INVITE: tag `one` at 1 ms and again at 501 (a retransmission), tag
 * `two` at 1 s (another fork), `one` once more after Timer M; with the client table's counts
 * just before and after Timer M ends the transaction.
 */
function answerRetransmittedAndForked(
  scheduler: SchedulerLike,
  uac: ReturnType<typeof uacSetup>['uac'],
  peer: ReturnType<typeof uacSetup>['peer'],
): string[] {
  const answer = (tag: string) => () => peer.reply(peer.first('INVITE'), 200, { toTag: tag });
  at(scheduler, 1, answer('one'));
  at(scheduler, 501, answer('one'));
  at(scheduler, 1000, answer('two'));
  const counts = countsAround(scheduler, uac, 'client', 32_002);
  at(scheduler, 32_010, answer('one'));
  return counts;
}

describe('INVITE client transaction (RFC 3261 §17.1.1)', () => {
  it('retransmits the INVITE over UDP at 500, 1500, 3500, 7500, 15500 and 31500 ms, then Timer B gives the user a 408', () => {
    virtualTime((scheduler, flush) => {
      const { net, uac } = uacSetup(scheduler);
      const request = invite(B);
      const events = record(scheduler);
      uac.send(request).subscribe(events);
      flush();
      expect(wire(net, A)).toEqual([
        '0 INVITE',
        '500 INVITE',
        '1500 INVITE',
        '3500 INVITE',
        '7500 INVITE',
        '15500 INVITE',
        '31500 INVITE',
      ]);
      expect(events.lines).toEqual([`0 sent ${B}`, '32000 408 timeout', '32000 complete']);
      expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
    });
  });

  it('tells the transaction user onFailure("timeout") with a 408 for the INVITE when Timer B fires', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      const uac = engine(net, { address: A });
      const request = invite(B);
      const calls: string[] = [];
      let failed: SipResponse | undefined;
      uac.layer.sendRequest(request, UDP_TARGET, {
        onResponse: (r) => calls.push(`${scheduler.now()} response ${r.status}`),
        onFailure: (failure: ClientFailure, r) => {
          failed = r;
          calls.push(`${scheduler.now()} ${failure} ${r.status}`);
        },
        onTerminated: () => calls.push(`${scheduler.now()} terminated`),
      });
      flush();
      expect(calls).toEqual(['32000 terminated', '32000 timeout 408']);
      expect(failed?.callId).toBe(request.callId);
      expect(failed?.cseq).toEqual({ seq: 1, method: 'INVITE' });
      expect(failed?.topVia.params.branch).toBe(request.topVia.params.branch);
    });
  });

  it('never retransmits over TCP, and still times out after 64*T1', () => {
    virtualTime((scheduler, flush) => {
      const { net, uac } = uacSetup(scheduler, { protocols: ['tcp'] });
      const events = record(scheduler);
      uac.send(invite(`${B};transport=tcp`)).subscribe(events);
      flush();
      expect(wire(net, A)).toEqual(['0 INVITE']);
      expect(events.lines).toEqual([`0 sent ${B}`, '32000 408 timeout', '32000 complete']);
    });
  });

  it('honours a configured T1: Timer A from 100 ms, Timer B at 6.4 s', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      const uac = engine(net, { address: A, timers: { t1: 100 } });
      const events = record(scheduler);
      uac.send(invite(B)).subscribe(events);
      flush();
      expect(wire(net, A)).toEqual([
        '0 INVITE',
        '100 INVITE',
        '300 INVITE',
        '700 INVITE',
        '1500 INVITE',
        '3100 INVITE',
        '6300 INVITE',
      ]);
      expect(events.lines).toEqual([`0 sent ${B}`, '6400 408 timeout', '6400 complete']);
    });
  });

  it('stops retransmitting and cancels Timer B on a provisional response', () => {
    virtualTime((scheduler, flush) => {
      const { net, uac, peer } = uacSetup(scheduler);
      const events = record(scheduler);
      uac.send(invite(B)).subscribe(events);
      at(scheduler, 1000, () => peer.reply(peer.first('INVITE'), 180, { toTag: 'b' }));
      at(scheduler, 60_000, () => peer.reply(peer.first('INVITE'), 486, { toTag: 'b' }));
      flush();
      expect(wire(net, A)).toEqual(['0 INVITE', '500 INVITE', '60001 ACK']);
      expect(events.lines).toEqual([`0 sent ${B}`, '1001 180', '60001 486', '60001 complete']);
    });
  });

  describe('a non-2xx final response', () => {
    it('is ACKed by the transaction with the INVITE branch, Request-URI and Route, the response To tag, CSeq method ACK', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler);
        net.hosts.set('proxy.example.com', [B]);
        peer.on((m) => {
          if (m.type === 'request' && m.method === 'INVITE') peer.reply(m, 486, { toTag: 'busy' });
        });
        const request = invite('example.com', { Route: '<sip:proxy.example.com;lr>' });
        uac.send(request).subscribe();
        flush();
        const [inv, ack] = sent(net, A).map((s) => s.message as SipRequest);
        expect(sent(net, A).map((s) => `${s.time} ${(s.message as SipRequest).method}`)).toEqual([
          '0 INVITE',
          '2 ACK',
        ]);
        expect(ack?.uri).toBe(inv?.uri);
        expect(ack?.topVia.params.branch).toBe(inv?.topVia.params.branch);
        expect(ack?.via).toHaveLength(1);
        expect(ack?.toTag).toBe('busy');
        expect(ack?.cseq).toEqual({ seq: inv?.cseq.seq, method: 'ACK' });
        expect(ack?.get('route')).toBe('<sip:proxy.example.com;lr>');
        expect(ack?.callId).toBe(inv?.callId);
        expect(ack?.get('from')).toBe(inv?.get('from'));
      });
    });

    it('re-ACKs each retransmission without passing it up, until Timer D (32 s) ends the transaction', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler);
        let final: SipResponse | undefined;
        const resend = () => {
          if (final) peer.send(final, { address: A, port: 5060 });
        };
        peer.on((m) => {
          if (m.type === 'request' && m.method === 'INVITE') final = peer.reply(m, 486, { toTag: 'busy' });
        });
        const events = record(scheduler);
        uac.send(invite(B)).subscribe(events);
        at(scheduler, 500, resend);
        at(scheduler, 1500, resend);
        const counts = countsAround(scheduler, uac, 'client', 32_002);
        at(scheduler, 32_100, resend);
        flush();
        // the 486 arrives at 2: Timer D runs to 32002
        expect(wire(net, A)).toEqual(['0 INVITE', '2 ACK', '501 ACK', '1501 ACK']);
        expect(events.lines).toEqual([`0 sent ${B}`, '2 486', '2 complete']);
        expect(counts).toEqual(['32001 1', '32003 0']);
      });
    });

    it('lets go of its user at the final response: it hears nothing of Timer D', () => {
      virtualTime((scheduler, flush) => {
        const { uac, peer } = uacSetup(scheduler);
        const calls: string[] = [];
        uac.layer.sendRequest(invite(B), UDP_TARGET, recordingUser(scheduler, calls));
        at(scheduler, 1, () => peer.reply(peer.first('INVITE'), 486, { toTag: 'busy' }));
        flush();
        expect(calls).toEqual(['2 response 486']);
        expect(uac.layer.counts.client).toBe(0);
      });
    });

    it('ends the transaction at once over TCP (Timer D = 0)', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler, { protocols: ['tcp'] });
        let final: SipResponse | undefined;
        peer.on((m) => {
          if (m.type === 'request' && m.method === 'INVITE') final = peer.reply(m, 486, { toTag: 'busy' });
        });
        uac.send(invite(`${B};transport=tcp`)).subscribe();
        const counts: number[] = [];
        at(scheduler, 3, () => counts.push(uac.layer.counts.client));
        at(scheduler, 10, () => final && peer.send(final, { address: A, port: 5060 }));
        flush();
        expect(counts).toEqual([0]);
        // the retransmission finds no transaction: no second ACK
        expect(wire(net, A)).toEqual(['0 INVITE', '2 ACK']);
      });
    });
  });

  describe('a 2xx response (RFC 6026 Accepted)', () => {
    it('reaches the user with its retransmissions and forks until Timer M (64*T1), which ends the transaction', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler);
        const responses: SipResponse[] = [];
        const events = record(scheduler);
        uac.send(invite(B)).subscribe({
          next: (e) => {
            events.next(e);
            if (e.kind === 'response') responses.push(e.response);
          },
          complete: events.complete,
        });
        const counts = answerRetransmittedAndForked(scheduler, uac, peer);
        flush();
        // no ACK from the transaction for a 2xx: that is the TU's (RFC 3261 §13.2.2.4)
        expect(wire(net, A)).toEqual(['0 INVITE']);
        expect(events.lines).toEqual([`0 sent ${B}`, '2 200', '502 200', '1001 200', '32002 complete']);
        expect(responses.map((r) => r.toTag)).toEqual(['one', 'one', 'two']);
        expect(counts).toEqual(['32001 1', '32003 0']);
      });
    });

    it('with later2xx: the events complete at the first 2xx, and its retransmissions and forks go to later2xx until Timer M', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler);
        const events = record(scheduler);
        const later: string[] = [];
        uac
          .send(invite(B), { later2xx: (r) => later.push(`${scheduler.now()} ${r.status} ${r.toTag}`) })
          .subscribe(events);
        const counts = answerRetransmittedAndForked(scheduler, uac, peer);
        flush();
        expect(wire(net, A)).toEqual(['0 INVITE']);
        expect(events.lines).toEqual([`0 sent ${B}`, '2 200', '2 complete']);
        expect(later).toEqual(['502 200 one', '1001 200 two']);
        expect(counts).toEqual(['32001 1', '32003 0']);
      });
    });

    it('unsubscribed before the 2xx: later2xx is not called for it nor for its retransmission', () => {
      virtualTime((scheduler, flush) => {
        const { uac, peer } = uacSetup(scheduler);
        const later: number[] = [];
        const sending = uac.send(invite(B), { later2xx: () => later.push(scheduler.now()) }).subscribe();
        at(scheduler, 1, () => sending.unsubscribe());
        const answer = () => peer.reply(peer.first('INVITE'), 200, { toTag: 'one' });
        at(scheduler, 10, answer);
        at(scheduler, 510, answer);
        flush();
        expect(later).toEqual([]);
      });
    });

    it('lets go of a user that gave later2xx at the first 2xx: it hears nothing more, not even Timer M', () => {
      virtualTime((scheduler, flush) => {
        const { uac, peer } = uacSetup(scheduler);
        const calls: string[] = [];
        uac.layer.sendRequest(invite(B), UDP_TARGET, {
          ...recordingUser(scheduler, calls),
          later2xx: (r) => calls.push(`${scheduler.now()} later ${r.status}`),
        });
        at(scheduler, 1, () => peer.reply(peer.first('INVITE'), 200, { toTag: 'one' }));
        at(scheduler, 501, () => peer.reply(peer.first('INVITE'), 200, { toTag: 'one' }));
        flush();
        expect(calls).toEqual(['2 response 200', '502 later 200']);
      });
    });

    it('drops a non-2xx that comes after the 2xx', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler);
        const events = record(scheduler);
        uac.send(invite(B)).subscribe(events);
        at(scheduler, 1, () => peer.reply(peer.first('INVITE'), 200, { toTag: 'one' }));
        at(scheduler, 10, () => peer.reply(peer.first('INVITE'), 486, { toTag: 'two' }));
        flush();
        expect(wire(net, A)).toEqual(['0 INVITE']);
        expect(events.lines).toEqual([`0 sent ${B}`, '2 200', '32002 complete']);
      });
    });
  });

  describe('CANCEL (RFC 3261 §9.1)', () => {
    const cancelled = (scheduler: Parameters<typeof at>[0], time: number) => {
      const cancel$ = new Subject<HeaderInit>();
      at(scheduler, time, () => cancel$.next({ Reason: 'SIP;cause=487' }));
      return cancel$;
    };

    it('is held until the first provisional response, then carries the INVITE branch, Request-URI, To and Route', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler);
        net.hosts.set('proxy.example.com', [B]);
        const events = record(scheduler);
        const request = invite('example.com', { Route: '<sip:proxy.example.com;lr>' });
        uac.send(request, { cancel$: cancelled(scheduler, 100) }).subscribe(events);
        at(scheduler, 2000, () => peer.reply(peer.first('INVITE'), 180, { toTag: 'b' }));
        peer.on((m) => {
          if (m.type !== 'request' || m.method !== 'CANCEL') return;
          peer.reply(m, 200, { toTag: 'b' });
          peer.reply(peer.first('INVITE'), 487, { toTag: 'b' });
        });
        flush();
        expect(wire(net, A)).toEqual(['0 INVITE', '500 INVITE', '1500 INVITE', '2001 CANCEL', '2003 ACK']);
        expect(events.lines).toEqual([`0 sent ${B}`, '2001 180', '2003 487', '2003 complete']);
        const inv = peer.requests('INVITE')[0];
        const cancel = peer.requests('CANCEL')[0];
        expect(cancel?.method).toBe('CANCEL');
        expect(cancel?.uri).toBe(inv?.uri);
        expect(cancel?.topVia.params.branch).toBe(inv?.topVia.params.branch);
        expect(cancel?.cseq).toEqual({ seq: inv?.cseq.seq, method: 'CANCEL' });
        expect(cancel?.get('to')).toBe(inv?.get('to'));
        expect(cancel?.get('route')).toBe('<sip:proxy.example.com;lr>');
        expect(cancel?.get('reason')).toBe('SIP;cause=487');
      });
    });

    it('is never sent after a final response', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler);
        peer.on((m) => {
          if (m.type === 'request' && m.method === 'INVITE') peer.reply(m, 486, { toTag: 'b' });
        });
        uac.send(invite(B), { cancel$: cancelled(scheduler, 100) }).subscribe();
        flush();
        expect(wire(net, A)).toEqual(['0 INVITE', '2 ACK']);
      });
    });

    it('is sent once, however often the user cancels (cancel$ and then unsubscribing)', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler);
        peer.on((m) => {
          if (m.type === 'request' && m.method === 'INVITE') peer.reply(m, 180, { toTag: 'b' });
          if (m.type === 'request' && m.method === 'CANCEL') peer.reply(m, 200, { toTag: 'b' });
        });
        const cancel$ = new Subject<HeaderInit>();
        const subscription = uac.send(invite(B), { cancel$ }).subscribe();
        at(scheduler, 100, () => cancel$.next({}));
        at(scheduler, 200, () => cancel$.next({}));
        at(scheduler, 300, () => subscription.unsubscribe());
        at(scheduler, 400, () => peer.reply(peer.first('INVITE'), 487, { toTag: 'b' }));
        flush();
        expect(wire(net, A)).toEqual(['0 INVITE', '100 CANCEL', '401 ACK']);
        expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
      });
    });

    it('gives up on the INVITE 64*T1 after the CANCEL when no final response comes, provisionals or not', () => {
      virtualTime((scheduler, flush) => {
        const { net, uac, peer } = uacSetup(scheduler);
        peer.on((m) => {
          if (m.type === 'request' && m.method === 'INVITE') peer.reply(m, 180, { toTag: 'b' });
          if (m.type === 'request' && m.method === 'CANCEL') peer.reply(m, 200, { toTag: 'b' });
        });
        at(scheduler, 5000, () => peer.reply(peer.first('INVITE'), 183, { toTag: 'b' }));
        const events = record(scheduler);
        uac.send(invite(B), { cancel$: cancelled(scheduler, 100) }).subscribe(events);
        flush();
        expect(wire(net, A)).toEqual(['0 INVITE', '100 CANCEL']);
        expect(events.lines).toEqual([
          `0 sent ${B}`,
          '2 180',
          '5001 183',
          '32100 408 timeout',
          '32100 complete',
        ]);
        expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
      });
    });

    it('held in Calling, ends with Timer B when no provisional response ever comes', () => {
      virtualTime((scheduler, flush) => {
        const net = network(scheduler);
        const uac = engine(net, { address: A });
        const events = record(scheduler);
        uac.send(invite(B), { cancel$: cancelled(scheduler, 100) }).subscribe(events);
        flush();
        expect(wire(net, A).filter((l) => l.endsWith('CANCEL'))).toEqual([]);
        expect(events.lines).toEqual([`0 sent ${B}`, '32000 408 timeout', '32000 complete']);
      });
    });
  });

  it('gives the user a 503 transport-error when the connection is refused', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      const uac = engine(net, { address: A, protocols: ['tcp'] });
      const events = record(scheduler);
      uac.send(invite(`${B};transport=tcp`)).subscribe(events);
      flush();
      expect(events.lines).toEqual([`0 sent ${B}`, '1 503 transport-error', '1 complete']);
      expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
    });
  });
});
