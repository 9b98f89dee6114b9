import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { HeaderInit, SipRequest } from '../../src/sip/message.js';
import { parseMessage } from '../../src/sip/parser.js';
import type { VirtualNetwork } from '../../src/testing/virtual-network.js';
import type { Protocol } from '../../src/transport/types.js';
import {
  A,
  at,
  B,
  engine,
  invite,
  label,
  network,
  options,
  Peer,
  record,
  virtualTime,
} from '../transaction/harness.js';

const C = '10.0.0.3';

/** The wire as `time label → to-address`. */
function route(net: VirtualNetwork): string[] {
  return net.packets.map((p) => `${p.time} ${label(parseMessage(p.data))} → ${p.to.split(':')[0]}`);
}

/** A peer that answers requests with `status`, CANCEL with 200, and ACK not at all. */
function answering(net: VirtualNetwork, address: string, status: number, protocol: Protocol = 'udp'): Peer {
  const peer = new Peer(net, address, protocol);
  peer.on((m) => {
    if (m.type !== 'request' || m.method === 'ACK') return;
    peer.reply(m, m.method === 'CANCEL' ? 200 : status, { toTag: address });
  });
  return peer;
}

describe('StackEngine.send: RFC 3263 §4.3 failover to the next target', () => {
  it('sends the request to the next address after a 503, with a new Via, and ACKs the 503', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      net.hosts.set('example.com', [B, C]);
      const uac = engine(net, { address: A });
      answering(net, B, 503);
      const second = answering(net, C, 200);
      const events = record(scheduler);
      const request = invite('example.com');
      uac.send(request).subscribe(events);
      flush();
      expect(route(net)).toEqual([
        `0 INVITE → ${B}`,
        `1 503 INVITE → ${A}`,
        `2 ACK → ${B}`,
        `2 INVITE → ${C}`,
        `3 200 INVITE → ${A}`,
      ]);
      expect(events.lines).toEqual([`0 sent ${B}`, `2 sent ${C}`, '4 200', '32004 complete']);
      const [original] = net.packets.map((p) => parseMessage(p.data) as SipRequest);
      const retried = second.requests('INVITE')[0];
      expect(retried?.via).toHaveLength(1);
      expect(retried?.topVia.params.branch).not.toBe(original?.topVia.params.branch);
      expect(retried?.callId).toBe(original?.callId);
      expect(retried?.cseq).toEqual(original?.cseq);
    });
  });

  it('gives the user the 503 of the last target', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      net.hosts.set('example.com', [B, C]);
      const uac = engine(net, { address: A });
      answering(net, B, 503);
      answering(net, C, 503);
      const events = record(scheduler);
      uac.send(options('example.com')).subscribe(events);
      flush();
      expect(events.lines).toEqual([`0 sent ${B}`, `2 sent ${C}`, '4 503', '4 complete']);
    });
  });

  it.each([
    ['INVITE', invite],
    ['OPTIONS', options],
  ])('tries the next address when Timer B/F expires (%s)', (_method, make) => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      net.hosts.set('example.com', [B, C]);
      const uac = engine(net, { address: A });
      answering(net, C, 486);
      const events = record(scheduler);
      uac.send(make('example.com')).subscribe(events);
      flush();
      expect(events.lines).toEqual([`0 sent ${B}`, `32000 sent ${C}`, '32002 486', '32002 complete']);
    });
  });

  it('tries the next address on a transport error, and reports the last one as a 503 transport-error', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      net.hosts.set('example.com', [B, C]);
      const uac = engine(net, { address: A, protocols: ['tcp'] });
      const events = record(scheduler);
      uac.send(invite('example.com;transport=tcp')).subscribe(events);
      flush();
      expect(route(net)).toEqual([`0 INVITE → ${B}`, `1 INVITE → ${C}`]);
      expect(events.lines).toEqual([`0 sent ${B}`, `1 sent ${C}`, '2 503 transport-error', '2 complete']);
      expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
    });
  });

  it('does not fail over a cancelled INVITE: the CANCEL ends it', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      net.hosts.set('example.com', [B, C]);
      const uac = engine(net, { address: A });
      const second = answering(net, C, 180);
      const cancel$ = new Subject<HeaderInit>();
      at(scheduler, 100, () => cancel$.next({}));
      const events = record(scheduler);
      uac.send(invite('example.com'), { cancel$ }).subscribe(events);
      flush();
      expect(second.received).toEqual([]);
      expect(events.lines).toEqual([`0 sent ${B}`, '32000 408 timeout', '32000 complete']);
    });
  });

  it.each([
    ['INVITE', invite],
    ['OPTIONS', options],
  ])('tries no other address once the user has unsubscribed (%s)', (_method, make) => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      net.hosts.set('example.com', [B, C]);
      const uac = engine(net, { address: A });
      const second = answering(net, C, 200);
      const subscription = uac.send(make('example.com')).subscribe();
      at(scheduler, 100, () => subscription.unsubscribe());
      flush();
      expect(second.received).toEqual([]);
      expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
    });
  });

  it('sends the INVITE resolved after the user cancelled, and its CANCEL once it rings', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler, { dnsLatency: 50 });
      net.hosts.set('example.com', [B]);
      const uac = engine(net, { address: A });
      answering(net, B, 180);
      const cancel$ = new Subject<HeaderInit>();
      at(scheduler, 10, () => cancel$.next({}));
      uac.send(invite('example.com'), { cancel$ }).subscribe();
      flush();
      expect(route(net)).toEqual([
        `50 INVITE → ${B}`,
        `51 180 INVITE → ${A}`,
        `52 CANCEL → ${B}`,
        `53 200 CANCEL → ${A}`,
      ]);
    });
  });

  it('answers 503 "unresolvable" when the name has no address', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      net.hosts.set('nowhere.example.com', []);
      const uac = engine(net, { address: A });
      const events = record(scheduler);
      uac.send(invite('nowhere.example.com')).subscribe(events);
      flush();
      expect(events.lines).toEqual(['0 503 unresolvable', '0 complete']);
      expect(net.packets).toEqual([]);
    });
  });

  it('on the virtual network, chooses the transport as RFC 3263 does: none when the URI asks for one not offered', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      const udpOnly = engine(net, { address: A });
      const tcpOnly = engine(net, { address: C, protocols: ['tcp'] });
      new Peer(net, B, 'tcp');
      const udpEvents = record(scheduler);
      const tcpEvents = record(scheduler);
      udpOnly.send(options(`${B};transport=tcp`)).subscribe(udpEvents);
      tcpOnly.send(options(B)).subscribe(tcpEvents);
      flush();
      expect(udpEvents.lines).toEqual(['0 503 unresolvable', '0 complete']);
      expect(route(net)).toEqual([`0 OPTIONS → ${B}`]);
      expect(net.packets[0]?.protocol).toBe('tcp');
    });
  });

  it('reports a transport error found while sending after the request was sent, not before', () => {
    virtualTime((scheduler, flush) => {
      const net = network(scheduler);
      const uac = engine(net, { address: A });
      const events = record(scheduler);
      // a TCP flow on an engine without TCP: the transport refuses at once
      const flowId = net.flowId('tcp', { address: A, port: 5060 }, { address: B, port: 5060 });
      uac.send(options(B), { flowId }).subscribe(events);
      flush();
      expect(events.lines).toEqual([`0 sent ${B}`, '0 503 transport-error', '0 complete']);
      expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
    });
  });
});
