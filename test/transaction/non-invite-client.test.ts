import { describe, expect, it } from 'vitest';
import type { SipResponse } from '../../src/sip/message.js';
import {
  A,
  at,
  B,
  countsAround,
  engine,
  network,
  options,
  record,
  uacSetup,
  virtualTime,
  wire,
} from './harness.js';

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits over UDP with Timer E doubling from T1 up to T2, then Timer F gives the user a 408', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      const uac = engine(net, { address: A });
      const events = record(scheduler);
      uac.send(options(B)).subscribe(events);
      flush();
      // intervals 500, 1000, 2000, 4000, 4000, ...
      expect(wire(net, A)).toEqual([
        '0 OPTIONS',
        '500 OPTIONS',
        '1500 OPTIONS',
        '3500 OPTIONS',
        '7500 OPTIONS',
        '11500 OPTIONS',
        '15500 OPTIONS',
        '19500 OPTIONS',
        '23500 OPTIONS',
        '27500 OPTIONS',
        '31500 OPTIONS',
      ]);
      expect(events.lines).toEqual([`0 sent ${B}`, '32000 408 timeout', '32000 complete']);
      expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
    });
  });

  it('honours configured T1 and T2', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      const uac = engine(net, { address: A, timers: { t1: 100, t2: 300 } });
      const events = record(scheduler);
      uac.send(options(B)).subscribe(events);
      flush();
      const times = wire(net, A).map((l) => Number(l.split(' ')[0]));
      expect(times.slice(0, 6)).toEqual([0, 100, 300, 600, 900, 1200]);
      expect(times.at(-1)).toBe(6300);
      expect(events.lines).toEqual([`0 sent ${B}`, '6400 408 timeout', '6400 complete']);
    });
  });

  it('retransmits every T2 once a provisional response came, and Timer F still ends it', () => {
    virtualTime((scheduler, flush) => {
      const { net, uac, peer } = uacSetup(scheduler);
      const events = record(scheduler);
      uac.send(options(B)).subscribe(events);
      at(scheduler, 1, () => peer.reply(peer.first('OPTIONS'), 100));
      flush();
      // the 100 arrives at 2; Timer E set at 0 fires at 500 in Proceeding and is reset to T2
      expect(wire(net, A)).toEqual([
        '0 OPTIONS',
        '500 OPTIONS',
        '4500 OPTIONS',
        '8500 OPTIONS',
        '12500 OPTIONS',
        '16500 OPTIONS',
        '20500 OPTIONS',
        '24500 OPTIONS',
        '28500 OPTIONS',
      ]);
      expect(events.lines).toEqual([`0 sent ${B}`, '2 100', '32000 408 timeout', '32000 complete']);
    });
  });

  it('never retransmits over TCP', () => {
    virtualTime((scheduler, flush) => {
      const { net, uac } = uacSetup(scheduler, { protocols: ['tcp'] });
      const events = record(scheduler);
      uac.send(options(`${B};transport=tcp`)).subscribe(events);
      flush();
      expect(wire(net, A)).toEqual(['0 OPTIONS']);
      expect(events.lines).toEqual([`0 sent ${B}`, '32000 408 timeout', '32000 complete']);
    });
  });

  it('passes the final response up once and absorbs its retransmissions for Timer K (T4)', () => {
    virtualTime((scheduler, flush) => {
      const { net, uac, peer } = uacSetup(scheduler);
      const events = record(scheduler);
      uac.send(options(B)).subscribe(events);
      let final: SipResponse | undefined;
      const resend = () => final && peer.send(final, { address: A, port: 5060 });
      at(scheduler, 1, () => {
        final = peer.reply(peer.first('OPTIONS'), 200);
      });
      at(scheduler, 1000, resend);
      at(scheduler, 3000, () => peer.reply(peer.first('OPTIONS'), 100));
      const counts = countsAround(scheduler, uac, 'client', 5002);
      at(scheduler, 6000, resend);
      flush();
      expect(wire(net, A)).toEqual(['0 OPTIONS']);
      expect(events.lines).toEqual([`0 sent ${B}`, '2 200', '2 complete']);
      // the 200 arrived at 2: Timer K ends the transaction at 5002
      expect(counts).toEqual(['5001 1', '5003 0']);
    });
  });

  it('hands its user the final response once and nothing after it: retransmissions are absorbed and Timer K ends the transaction silently', () => {
    virtualTime((scheduler, flush) => {
      const { uac, peer } = uacSetup(scheduler);
      const request = options(B);
      const calls: string[] = [];
      uac.layer.sendRequest(request, { protocol: 'udp', address: B, port: 5060 } as const, {
        onResponse: (r) => calls.push(`${scheduler.now()} response ${r.status}`),
        onFailure: (failure, r) => calls.push(`${scheduler.now()} ${failure} ${r.status}`),
        onTerminated: () => calls.push(`${scheduler.now()} terminated`),
      });
      let final: SipResponse | undefined;
      at(scheduler, 1, () => {
        peer.reply(peer.first('OPTIONS'), 180);
        final = peer.reply(peer.first('OPTIONS'), 200);
      });
      at(scheduler, 1000, () => final && peer.send(final, { address: A, port: 5060 }));
      const counts = countsAround(scheduler, uac, 'client', 5002);
      flush();
      // RFC 3261 §17.1.2.2: in Completed the transaction only absorbs retransmissions; the user,
      // let go with the final response, hears neither the retransmitted 200 nor Timer K.
      expect(calls).toEqual(['2 response 180', '2 response 200']);
      expect(counts).toEqual(['5001 1', '5003 0']);
    });
  });

  it('tells its user it ended when Timer F fires, before the 408', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      const uac = engine(net, { address: A });
      const calls: string[] = [];
      uac.layer.sendRequest(options(B), { protocol: 'udp', address: B, port: 5060 } as const, {
        onResponse: (r) => calls.push(`${scheduler.now()} response ${r.status}`),
        onFailure: (failure, r) => calls.push(`${scheduler.now()} ${failure} ${r.status}`),
        onTerminated: () => calls.push(`${scheduler.now()} terminated`),
      });
      flush();
      expect(calls).toEqual(['32000 terminated', '32000 timeout 408']);
    });
  });

  it('honours a configured T4 in Timer K', () => {
    virtualTime((scheduler, flush) => {
      const { uac, peer } = uacSetup(scheduler, { timers: { t4: 1000 } });
      uac.send(options(B)).subscribe();
      at(scheduler, 1, () => peer.reply(peer.first('OPTIONS'), 200));
      const counts = countsAround(scheduler, uac, 'client', 1002);
      flush();
      expect(counts).toEqual(['1001 1', '1003 0']);
    });
  });

  it('ends at once over TCP (Timer K = 0)', () => {
    virtualTime((scheduler, flush) => {
      const { uac, peer } = uacSetup(scheduler, { protocols: ['tcp'] });
      const events = record(scheduler);
      uac.send(options(`${B};transport=tcp`)).subscribe(events);
      at(scheduler, 1, () => peer.reply(peer.first('OPTIONS'), 404));
      const counts: number[] = [];
      at(scheduler, 3, () => counts.push(uac.layer.counts.client));
      flush();
      expect(events.lines).toEqual([`0 sent ${B}`, '2 404', '2 complete']);
      expect(counts).toEqual([0]);
    });
  });

  it('gives the user provisional responses, then the final', () => {
    virtualTime((scheduler, flush) => {
      const { net, uac, peer } = uacSetup(scheduler);
      const events = record(scheduler);
      uac.send(options(B)).subscribe(events);
      at(scheduler, 1, () => peer.reply(peer.first('OPTIONS'), 100));
      at(scheduler, 700, () => peer.reply(peer.first('OPTIONS'), 202));
      flush();
      expect(wire(net, A)).toEqual(['0 OPTIONS', '500 OPTIONS']);
      expect(events.lines).toEqual([`0 sent ${B}`, '2 100', '701 202', '701 complete']);
    });
  });

  it('gives the user a 503 transport-error when the connection is refused', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      const uac = engine(net, { address: A, protocols: ['tcp'] });
      const events = record(scheduler);
      uac.send(options(`${B};transport=tcp`)).subscribe(events);
      flush();
      expect(events.lines).toEqual([`0 sent ${B}`, '1 503 transport-error', '1 complete']);
      expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
    });
  });
});
