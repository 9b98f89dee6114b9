// RFC 5118 "SIP Torture Test Messages for IPv6": every file of test/fixtures/rfc5118, turned into
// wire form first (the archive has bare LF line ends, see test/fixtures/README.md).
import { describe, expect, it } from 'vitest';
import { type SipMessage, SipRequest } from '../../src/index.js';
import {
  checkRequest,
  type NameAddr,
  parseMessage,
  parseUri,
  SipParseError,
  type SipUri,
} from '../../src/sip.js';
import { rfc5118Names, rfc5118Raw, rfc5118Wire } from './corpus.js';

const covered = new Set<string>();

function wire(name: string): Buffer {
  covered.add(name);
  return rfc5118Wire(name);
}

function request(name: string): SipRequest {
  const message = parseMessage(wire(name));
  expect(message).toBeInstanceOf(SipRequest);
  return message as SipRequest;
}

function sipUri(text: string): SipUri {
  const uri = parseUri(text);
  expect(['sip', 'sips']).toContain(uri.scheme);
  return uri as SipUri;
}

function contacts(message: SipMessage): NameAddr[] {
  const value = message.getParsedHeader('Contact');
  if (value === undefined || value === '*') return expect.fail(`Contact is ${String(value)}`);
  return value;
}

describe('wire form of the RFC 5118 archive', () => {
  it('has CRLF line ends, an empty line ending the header section and true Content-Lengths', () => {
    for (const name of rfc5118Names()) {
      const data = rfc5118Wire(name).toString('utf8');
      expect(/(^|[^\r])\n/.test(data), name).toBe(false);
      expect(data.indexOf('\r\n\r\n'), name).toBeGreaterThan(0);
      // Nothing else changed: back to LF, without the added empty line and Content-Length fix.
      const raw = rfc5118Raw(name);
      const back = data.replaceAll('\r\n', '\n').replace(/^Content-Length: \d+$/m, (line) => {
        const declared = /^Content-Length: \d+$/m.exec(raw)?.[0];
        return declared ?? line;
      });
      expect([raw, `${raw}\n`], name).toContain(back);
    }
    expect(rfc5118Wire('ipv6-in-sdp').toString()).toContain('\r\nContent-Length: 251\r\n\r\nv=0\r\n');
    expect(rfc5118Wire('mult-ip-in-sdp').toString()).toContain('\r\nContent-Length: 189\r\n');
    expect(rfc5118Wire('ipv4-mapped-ipv6').toString()).toContain('\r\nContent-Length: 245\r\n');
    expect(rfc5118Wire('ipv6-bug-abnf-3-colons').toString()).toMatch(/\r\nContent-Length: 0\r\n\r\n$/);
    expect(rfc5118Wire('ipv6-good').toString()).toMatch(/\r\nContent-Length: 0\r\n\r\n$/);
  });
});

describe('RFC 5118 §4 IPv6 torture messages', () => {
  it('§4.1 ipv6-good: IPv6 references in the Request-URI, Via and Contact are accepted', () => {
    const msg = request('ipv6-good');
    expect(msg.requestUri).toMatchObject({ scheme: 'sip', host: '[2001:db8::10]' });
    expect((msg.requestUri as SipUri).port).toBeUndefined();
    expect(msg.via[0]).toMatchObject({ host: '[2001:db8::9:1]', params: { branch: 'z9hG4bKas3-111' } });
    expect(msg.via[0]?.port).toBeUndefined();
    expect(contacts(msg)[0]?.name).toBe('Caller');
    expect(sipUri(contacts(msg)[0]?.uri ?? '')).toMatchObject({ user: 'caller', host: '[2001:db8::1]' });
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§4.2 ipv6-bad: an IPv6 address without brackets in the Request-URI is refused (answered 400)', () => {
    const data = wire('ipv6-bad');
    let error: unknown;
    try {
      parseMessage(data);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SipParseError);
    const parseError = error as SipParseError;
    expect(parseError.reason).toMatch(/^Request-URI: .*port/);
    expect(parseError.offset).toBe(data.indexOf('sip:2001'));
    // The request line still names a request, so the transport can answer 400.
    expect(parseError.partial).toBeInstanceOf(SipRequest);
    expect((parseError.partial as SipRequest).method).toBe('REGISTER');
    expect((parseError.partial as SipRequest | undefined)?.callId).toBe('SSG9559905523997077@hlau_4100');
  });

  it('§4.3 port-ambiguous: [2001:db8::10:5070] is one address, with no port', () => {
    const uri = request('port-ambiguous').requestUri as SipUri;
    expect(uri.host).toBe('[2001:db8::10:5070]');
    expect(uri.port).toBeUndefined();
  });

  it('§4.4 port-unambiguous: [2001:db8::10]:5070 is an address and port 5070', () => {
    const uri = request('port-unambiguous').requestUri as SipUri;
    expect(uri.host).toBe('[2001:db8::10]');
    expect(uri.port).toBe(5070);
  });

  it('§4.5 via-received-param-with-delim: a Via received in brackets is accepted', () => {
    const msg = request('via-received-param-with-delim');
    expect(msg.via).toHaveLength(1);
    expect(msg.via[0]?.host).toBe('[2001:db8::9:1]');
    expect(msg.via[0]?.params).toEqual({ received: '[2001:db8::9:255]', branch: 'z9hG4bKas3-111' });
    expect(msg.toTag).toBe('bd76ya');
  });

  it('§4.5 via-received-param-no-delim: a Via received without brackets is accepted, later params intact', () => {
    const msg = request('via-received-param-no-delim');
    expect(msg.via[0]?.host).toBe('[2001:db8::9:1]');
    expect(msg.via[0]?.params).toEqual({ received: '2001:db8::9:255', branch: 'z9hG4bKas3' });
    expect(sipUri(contacts(msg)[0]?.uri ?? '').host).toBe('[2001:db8::9:1]');
  });

  it('§4.6 ipv6-in-sdp: an INVITE with IPv6 in URIs and in its SDP body is accepted', () => {
    const msg = request('ipv6-in-sdp');
    expect((msg.requestUri as SipUri).host).toBe('[2001:db8::10]');
    expect(sipUri(msg.to.uri).host).toBe('[2001:db8::10]');
    expect(msg.via[0]?.host).toBe('[2001:db8::20]');
    expect(sipUri(contacts(msg)[0]?.uri ?? '').host).toBe('[2001:db8::20]');
    expect(msg.payload.length).toBe(251);
    expect(msg.body).toContain('\r\nc=IN IP6 2001:db8::20\r\n');
    expect(msg.body).toContain('o=assistant 971731711378798081 0 IN IP6 2001:db8::20\r\n');
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§4.7 mult-ip-in-header: IPv6 and IPv4 sent-by and received in one Via list', () => {
    const msg = request('mult-ip-in-header');
    expect(msg.via.map((v) => [v.transport, v.host, v.port, v.params.branch, v.params.received])).toEqual([
      ['UDP', '[2001:db8::9:1]', 6050, 'z9hG4bKas3-111', undefined],
      ['UDP', '192.0.2.1', undefined, 'z9hG4bKjhja8781hjuaij65144', undefined],
      ['TCP', '[2001:db8::9:255]', undefined, 'z9hG4bK451jj', '192.0.2.200'],
    ]);
    expect(msg.method).toBe('BYE');
  });

  it('§4.8 mult-ip-in-sdp: an SDP body with IPv4 and IPv6 connection lines is kept whole', () => {
    const msg = request('mult-ip-in-sdp');
    expect(msg.payload.length).toBe(189);
    expect(msg.body).toContain('\r\nc=IN IP4 192.0.2.1\r\n');
    expect(msg.body).toContain('\r\nc=IN IP6 2001:db8::1\r\n');
    expect(sipUri(contacts(msg)[0]?.uri ?? '').host).toBe('[2001:db8::9:1]');
  });

  it('§4.9 ipv4-mapped-ipv6: IPv4-mapped IPv6 references in Via, Contact and SDP are accepted', () => {
    const msg = request('ipv4-mapped-ipv6');
    expect(msg.via.map((v) => [v.host, v.port])).toEqual([
      ['[::ffff:192.0.2.10]', 19823],
      ['[::ffff:192.0.2.2]', undefined],
    ]);
    expect(contacts(msg)[0]?.name).toBe('T. desk phone');
    expect(sipUri(contacts(msg)[0]?.uri ?? '')).toMatchObject({ user: 'ted', host: '[::ffff:192.0.2.2]' });
    expect(msg.payload.length).toBe(245);
    expect(msg.body).toContain('\r\nc=IN IP6 ::ffff:192.0.2.2\r\n');
  });

  it('§4.10 ipv6-bug-abnf-3-colons: "2001:db8:::192.0.2.1" (the RFC 3261 ABNF bug) is tolerated', () => {
    const msg = request('ipv6-bug-abnf-3-colons');
    expect(msg.method).toBe('OPTIONS');
    expect(msg.requestUri).toMatchObject({ user: 'user', host: '[2001:db8:::192.0.2.1]' });
    expect(sipUri(msg.to.uri).host).toBe('[2001:db8:::192.0.2.1]');
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§4.10 ipv6-correct-abnf-2-colons: "2001:db8::192.0.2.1" is accepted', () => {
    const msg = request('ipv6-correct-abnf-2-colons');
    expect(msg.requestUri).toMatchObject({ user: 'user', host: '[2001:db8::192.0.2.1]' });
    expect((msg.requestUri as SipUri).port).toBeUndefined();
    expect(sipUri(msg.to.uri).host).toBe('[2001:db8::192.0.2.1]');
  });
});

describe('the RFC 5118 corpus', () => {
  it('has a test for every file', () => {
    const files = rfc5118Names();
    expect(files).toHaveLength(12);
    expect([...covered].sort()).toEqual(files);
  });
});
