import { describe, expect, it } from 'vitest';
import type { SipMessage } from '../../src/index.js';
import { parseMessage, parseVia, SipParseError } from '../../src/sip.js';

describe('Via sent-by host (RFC 3261 §20.42: hostname, IPv4 address or IPv6 reference)', () => {
  for (const host of [
    'host_1.example.com',
    '192.0.2.1',
    '[2001:db8::9:1]',
    '[::ffff:192.0.2.2]',
    'EXAMPLE.com',
  ]) {
    it(`accepts ${host}`, () => {
      expect(parseVia(`SIP/2.0/UDP ${host}:5060;branch=z9hG4bK1`)).toMatchObject({ host, port: 5060 });
    });
  }

  // Token characters that are not host characters, and brackets around anything: a response
  // routed to such a sent-by would go nowhere sensible ("[]" is the empty host, i.e. localhost).
  for (const host of ['[]', '[zz::1]', '[2001:db8::1%eth0]', 'a!b', 'ex%61mple.com', 'a*', "o'neil"]) {
    it(`refuses ${host}`, () => {
      expect(() => parseVia(`SIP/2.0/UDP ${host};branch=z9hG4bK1`)).toThrow(SipParseError);
    });
  }

  it('refuses a request whose Via host is malformed, with the partial request for a 400', () => {
    const data = Buffer.from(
      'OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP [];branch=z9hG4bK1\r\n' +
        'From: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n',
    );
    expect(() => parseMessage(data)).toThrow(SipParseError);
    try {
      parseMessage(data);
    } catch (err) {
      expect((err as SipParseError).reason).toMatch(/^Via: malformed IPv6 reference/);
      expect((err as SipParseError).offset).toBe(data.indexOf('Via:'));
      expect(((err as SipParseError).partial as SipMessage | undefined)?.callId).toBe('x');
    }
  });
});
