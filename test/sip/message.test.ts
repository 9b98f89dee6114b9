import { describe, expect, it } from 'vitest';
import { SipRequest, SipResponse } from '../../src/index.js';
import { createRequest, createResponse, parseMessage } from '../../src/sip.js';

const INVITE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport',
  'Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKnashds8',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: "Alice A." <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.example.com>',
  'P-Asserted-Identity: <sip:+15551234@example.com>, <tel:+15551234>',
  'X-Custom: one',
  'x-custom: two',
  'Content-Type: application/sdp',
  'Content-Length: 8',
  '',
  'v=0\r\nxé',
].join('\r\n');

describe('SipMessage header access', () => {
  const msg = parseMessage(INVITE) as SipRequest;

  it('reads the start line', () => {
    expect(msg).toBeInstanceOf(SipRequest);
    expect(msg.method).toBe('INVITE');
    expect(msg.uri).toBe('sip:bob@example.com');
    expect(msg.version).toBe('SIP/2.0');
  });

  it('looks headers up case-insensitively and joins repeated lines', () => {
    expect(msg.get('call-id')).toBe('a84b4c76e66710@pc33.example.com');
    expect(msg.get('CALL-ID')).toBe('a84b4c76e66710@pc33.example.com');
    expect(msg.get('X-CUSTOM')).toBe('one, two');
    expect(msg.getAll('x-custom')).toEqual(['one', 'two']);
    expect(msg.has('subject')).toBe(false);
  });

  it('counts the body in bytes', () => {
    expect(msg.payload.length).toBe(8);
    expect(msg.body).toBe('v=0\r\nxé');
  });

  it('parses structured headers', () => {
    expect(msg.from).toMatchObject({ name: 'Alice A.', uri: 'sip:alice@example.com' });
    expect(msg.fromTag).toBe('1928301774');
    expect(msg.toTag).toBeUndefined();
    expect(msg.cseq).toEqual({ seq: 314159, method: 'INVITE' });
    expect(msg.via.map((v) => [v.transport, v.host, v.port, v.params.branch])).toEqual([
      ['UDP', '192.0.2.1', 5060, 'z9hG4bK776asdhds'],
      ['TCP', 'proxy.example.com', undefined, 'z9hG4bKnashds8'],
    ]);
    expect(msg.topVia.params.rport).toBeNull();
    expect(msg.getParsedHeader('Contact')).toEqual([{ uri: 'sip:alice@pc33.example.com', params: {} }]);
    expect(msg.callingNumber).toBe('+15551234');
    expect(msg.calledNumber).toBe('bob');
  });

  it("a response's calledNumber is its To's user (or tel number), undefined for a To that does not parse", () => {
    const response = (to: string) =>
      createResponse(
        createRequest({ method: 'INVITE', uri: 'sip:x@example.com', from: '<sip:a@example.com>', to }),
        180,
      );
    expect(response('Bob <sip:bob@example.com>').calledNumber).toBe('bob');
    expect(response('<tel:+15551234>').calledNumber).toBe('+15551234');
    const broken = response('<sip:bob@example.com>');
    broken.set('To', '<sip:bob@exa mple.com>');
    expect(broken.calledNumber).toBeUndefined();
  });

  it('set replaces every line and invalidates the parsed value', () => {
    const copy = msg.clone();
    copy.set('X-Custom', 'three');
    expect(copy.getAll('x-custom')).toEqual(['three']);
    copy.set('From', '<sip:carol@example.com>;tag=9');
    expect(copy.fromTag).toBe('9');
    expect(msg.fromTag).toBe('1928301774');
  });

  it('serializes with Content-Length in bytes and parses back to the same message', () => {
    const again = parseMessage(msg.toBuffer()) as SipRequest;
    expect(again.startLine).toBe(msg.startLine);
    expect(again.headers).toEqual(msg.headers);
    expect(again.payload.equals(msg.payload)).toBe(true);
    expect(msg.toString()).toContain('Content-Length: 8\r\n\r\n');
  });
});

describe('building messages', () => {
  it('builds a response copying Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6)', () => {
    const invite = parseMessage(INVITE) as SipRequest;
    const ringing = createResponse(invite, 180, { toTag: 'abc' });
    expect(ringing).toBeInstanceOf(SipResponse);
    expect(ringing.getAll('via')).toEqual(invite.getAll('via'));
    expect(ringing.get('from')).toBe(invite.get('from'));
    expect(ringing.toTag).toBe('abc');
    expect(ringing.callId).toBe(invite.callId);
    expect(ringing.cseq).toEqual(invite.cseq);
    expect(ringing.reason).toBe('Ringing');
    expect(ringing.has('contact')).toBe(false);
    const trying = createResponse(invite, 100);
    expect(trying.toTag).toBeUndefined();
  });

  it('builds a request with a fresh Call-ID, From tag and CSeq 1', () => {
    const req = createRequest({
      method: 'OPTIONS',
      uri: 'sip:bob@192.0.2.4',
      from: '<sip:alice@example.com>',
    });
    expect(req.cseq).toEqual({ seq: 1, method: 'OPTIONS' });
    expect(req.fromTag).toMatch(/^[0-9a-f]{12}$/);
    expect(req.to.uri).toBe('sip:bob@192.0.2.4');
    expect(req.get('max-forwards')).toBe('70');
    const other = createRequest({
      method: 'OPTIONS',
      uri: 'sip:bob@192.0.2.4',
      from: '<sip:alice@example.com>',
    });
    expect(other.callId).not.toBe(req.callId);
  });
});

describe('serialize once', () => {
  it('sends an unmodified parsed message as the bytes it came in, and re-serializes after a change', () => {
    const wire = Buffer.from(`${INVITE}\r\nextra bytes after the body`);
    const msg = parseMessage(wire) as SipRequest;
    const out = msg.toBuffer();
    expect(out.toString()).toBe(INVITE);
    msg.set('X-Custom', 'three');
    const changed = msg.toBuffer().toString();
    expect(changed).toContain('X-Custom: three\r\n');
    expect(changed).not.toContain('x-custom: two');
    const again = parseMessage(INVITE) as SipRequest;
    again.uri = 'sip:carol@example.com';
    expect(again.toBuffer().toString().split('\r\n')[0]).toBe('INVITE sip:carol@example.com SIP/2.0');
    const body = parseMessage(INVITE) as SipRequest;
    body.body = 'v=1';
    expect(body.toBuffer().toString()).toMatch(/Content-Length: 3\r\n\r\nv=1$/);
  });
});
