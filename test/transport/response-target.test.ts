import { describe, expect, it } from 'vitest';
import { parseVia } from '../../src/sip/via.js';
import { responseTarget } from '../../src/transport/response-target.js';
import type { Protocol, Source } from '../../src/transport/types.js';

function source(protocol: Protocol, address: string, port: number, flowId?: string): Source {
  const s: Source = { protocol, address, port, local: { protocol, address: '127.0.0.1', port: 5060 } };
  if (flowId) s.flowId = flowId;
  return s;
}

describe('responseTarget (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  it('sends a UDP response to received and rport', () => {
    const via = parseVia('SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;received=192.0.2.1;rport=40000');
    expect(responseTarget(via, source('udp', '192.0.2.1', 40000))).toMatchObject({
      protocol: 'udp',
      address: '192.0.2.1',
      port: 40000,
    });
  });

  it('answers to the source itself when the Via leads back there: a lingering transaction keeps one object', () => {
    const via = parseVia('SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;received=192.0.2.1;rport=40000');
    const from = source('udp', '192.0.2.1', 40000);
    expect(responseTarget(via, from)).toBe(from);
    // Elsewhere (the sent-by port without rport), a target of its own.
    const sentBy = parseVia('SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;received=192.0.2.1');
    expect(responseTarget(sentBy, from)).not.toBe(from);
    expect(responseTarget(sentBy, from)).toEqual({ protocol: 'udp', address: '192.0.2.1', port: 5062 });
  });

  it('sends a UDP response without rport to the sent-by port at the received address', () => {
    const via = parseVia('SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;received=192.0.2.1');
    expect(responseTarget(via, source('udp', '192.0.2.1', 40000))).toMatchObject({
      address: '192.0.2.1',
      port: 5062,
    });
  });

  it('keeps the flow of a TCP request, and reopens to the sent-by port rather than the rport', () => {
    const via = parseVia('SIP/2.0/TCP 10.0.0.1:5062;branch=z9hG4bK1;received=192.0.2.1;rport=40000');
    expect(responseTarget(via, source('tcp', '192.0.2.1', 40000, 'f1'))).toEqual({
      protocol: 'tcp',
      address: '192.0.2.1',
      port: 5062,
      flowId: 'f1',
    });
  });

  it('falls back to the source port when the Via names a port no socket can send to', () => {
    const zero = parseVia('SIP/2.0/UDP [2001:db8::1]:0;branch=z9hG4bK1');
    expect(responseTarget(zero, source('udp', '2001:db8::1', 41000))).toMatchObject({
      address: '2001:db8::1',
      port: 41000,
    });
    const rportZero = parseVia('SIP/2.0/UDP 10.0.0.1:0;branch=z9hG4bK1;received=192.0.2.1;rport=0');
    expect(responseTarget(rportZero, source('udp', '192.0.2.1', 41001)).port).toBe(41001);
  });
});
