import { describe, expect, it } from 'vitest';
import { nextHop } from '../../src/engine/next-hop.js';
import { createRequest, SipRequest } from '../../src/sip.js';

const hop = (request: SipRequest, proxy?: string) => {
  const uri = nextHop(request, proxy);
  return uri && { host: uri.host, port: uri.port, transport: uri.params.transport };
};

describe('nextHop (RFC 3261 §8.1.2): proxy, else first Route, else Request-URI', () => {
  const request = (uri: string, route?: string) =>
    createRequest({
      method: 'OPTIONS',
      uri,
      to: '<sip:bob@example.com>',
      from: '<sip:alice@example.com>',
      headers: route ? { Route: route } : undefined,
    });

  it('goes to the Request-URI, as the request parsed it', () => {
    const req = request('sip:bob@gw.example.com:5070;transport=tcp');
    expect(hop(req)).toEqual({ host: 'gw.example.com', port: 5070, transport: 'tcp' });
    expect(nextHop(req, undefined)).toBe(req.requestUri);
    req.uri = 'sip:carol@10.0.0.3';
    expect(hop(req)).toEqual({ host: '10.0.0.3', port: undefined, transport: undefined });
  });

  it('puts sip: before a host[:port] target, a proxy or a Request-URI written so', () => {
    const req = request('sip:bob@gw.example.com');
    expect(hop(req, '10.0.0.5:5070')).toEqual({ host: '10.0.0.5', port: 5070, transport: undefined });
    expect(hop(req, 'proxy.example.com')).toEqual({
      host: 'proxy.example.com',
      port: undefined,
      transport: undefined,
    });
    expect(hop(req, 'sips:proxy.example.com;transport=tcp')).toEqual({
      host: 'proxy.example.com',
      port: undefined,
      transport: 'tcp',
    });
    expect(hop(new SipRequest('OPTIONS', '10.0.0.3:5060'))).toEqual({
      host: '10.0.0.3',
      port: 5060,
      transport: undefined,
    });
  });

  it('goes to the first Route over the Request-URI, and the proxy over both', () => {
    const req = request('sip:bob@gw.example.com', '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>');
    expect(hop(req)).toEqual({ host: 'p1.example.com', port: undefined, transport: undefined });
    expect(hop(req, 'sip:outbound.example.com')).toEqual({
      host: 'outbound.example.com',
      port: undefined,
      transport: undefined,
    });
  });

  it('has none for a URI that is not SIP or does not parse', () => {
    expect(nextHop(request('tel:+15551234567'), undefined)).toBeUndefined();
    expect(nextHop(new SipRequest('OPTIONS', 'sip:bob@host:99999'), undefined)).toBeUndefined();
    expect(nextHop(request('sip:bob@gw.example.com'), 'sip:proxy.example.com:99999')).toBeUndefined();
  });
});
