import { describe, expect, it } from 'vitest';
import { type SipRequest, SipResponse } from '../../src/index.js';
import { createRequest, createResponse, parseMessage, reasonPhrase } from '../../src/sip.js';

const INVITE = [
  'INVITE sip:bob@biloxi.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8;received=192.0.2.1',
  'Max-Forwards: 69',
  'v: SIP/2.0/TCP bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1, SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK3',
  'To: "Bob B." <sip:bob@biloxi.com;transport=tcp>;x=1',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Via: SIP/2.0/TLS last.example.com;branch=z9hG4bKlast',
  'Call-ID: a84b4c76e66710@pc33.atlanta.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.com>',
  'Record-Route: <sip:p1.example.com;lr>',
  'Timestamp: 54.3 0.1',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\n',
].join('\r\n');

function invite(): SipRequest {
  return parseMessage(INVITE) as SipRequest;
}

/** What a peer reads: the response serialized and parsed again. */
function wire(response: SipResponse): SipResponse {
  const parsed = parseMessage(response.toBuffer());
  expect(parsed).toBeInstanceOf(SipResponse);
  return parsed as SipResponse;
}

describe('createResponse (RFC 3261 §8.2.6)', () => {
  it('copies every Via line in order, and only the headers §8.2.6.2 lists', () => {
    const req = invite();
    const res = wire(createResponse(req, 200, { toTag: 'b0b' }));
    expect(res.getAll('via')).toEqual([
      'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8;received=192.0.2.1',
      'SIP/2.0/TCP bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1, SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK3',
      'SIP/2.0/TLS last.example.com;branch=z9hG4bKlast',
    ]);
    expect(res.via.map((v) => v.params.branch)).toEqual([
      'z9hG4bKnashds8',
      'z9hG4bK77ef4c2312983.1',
      'z9hG4bK3',
      'z9hG4bKlast',
    ]);
    for (const name of ['max-forwards', 'contact', 'record-route', 'content-type', 'timestamp']) {
      expect(res.has(name), name).toBe(false);
    }
    expect(res.payload.length).toBe(0);
  });

  it('copies From, Call-ID and CSeq unchanged', () => {
    const req = invite();
    const res = wire(createResponse(req, 486));
    expect(res.get('from')).toBe('Alice <sip:alice@atlanta.com>;tag=1928301774');
    expect(res.fromTag).toBe('1928301774');
    expect(res.callId).toBe('a84b4c76e66710@pc33.atlanta.com');
    expect(res.cseq).toEqual({ seq: 314159, method: 'INVITE' });
  });

  it('adds a To tag to responses other than 100, keeping the display name, URI and parameters', () => {
    const req = invite();
    for (const status of [180, 183, 200, 302, 486, 503, 603]) {
      const res = wire(createResponse(req, status));
      expect(res.to.name, String(status)).toBe('Bob B.');
      expect(res.to.uri).toBe('sip:bob@biloxi.com;transport=tcp');
      expect(res.to.params.x).toBe('1');
      expect(res.toTag).toMatch(/^[0-9a-f]{8,}$/);
    }
    const a = createResponse(req, 486).toTag;
    const b = createResponse(req, 486).toTag;
    expect(a).not.toBe(b);
  });

  it('adds no To tag to a 100 (Trying)', () => {
    const res = wire(createResponse(invite(), 100));
    expect(res.toTag).toBeUndefined();
    expect(res.get('to')).toBe(invite().get('to'));
  });

  it('uses the given tag, the same on every response of the dialog', () => {
    const req = invite();
    const ringing = wire(createResponse(req, 180, { toTag: 'dlg-1' }));
    const ok = wire(createResponse(req, 200, { toTag: 'dlg-1' }));
    expect([ringing.toTag, ok.toTag]).toEqual(['dlg-1', 'dlg-1']);
  });

  it('keeps a To tag the request already has', () => {
    const req = invite();
    req.set('To', '<sip:bob@biloxi.com>;tag=existing');
    expect(wire(createResponse(req, 200)).toTag).toBe('existing');
    expect(wire(createResponse(req, 200, { toTag: 'other' })).toTag).toBe('existing');
    expect(wire(createResponse(req, 100)).toTag).toBe('existing');
  });

  it('tags a To written as a bare addr-spec', () => {
    const req = invite();
    req.set('t', 'sip:bob@biloxi.com');
    const res = wire(createResponse(req, 404, { toTag: 't1' }));
    expect(res.to).toEqual({ uri: 'sip:bob@biloxi.com', params: { tag: 't1' } });
  });

  it('still answers a request whose To does not parse, copying To as it was', () => {
    const req = invite();
    req.set('To', '<sip:bob@biloxi.com');
    const res = createResponse(req, 400);
    expect(res.get('to')).toBe('<sip:bob@biloxi.com');
    expect(res.callId).toBe(req.callId);
  });

  it('echoes Timestamp in a 100 only (§8.2.6.1)', () => {
    const req = invite();
    expect(wire(createResponse(req, 100)).get('timestamp')).toBe('54.3 0.1');
    for (const status of [180, 200, 486])
      expect(wire(createResponse(req, status)).has('timestamp')).toBe(false);
    req.remove('timestamp');
    expect(wire(createResponse(req, 100)).has('timestamp')).toBe(false);
  });

  it('adds headers, a body and its content type', () => {
    const res = wire(
      createResponse(invite(), 200, {
        toTag: 'x',
        headers: { Contact: '<sip:bob@192.0.2.4>', Allow: ['INVITE', 'ACK', 'BYE'], Expires: 60 },
        body: 'v=0\r\no=bob 1 1 IN IP4 192.0.2.4\r\nn=é\r\n',
        contentType: 'application/sdp',
      }),
    );
    expect(res.get('contact')).toBe('<sip:bob@192.0.2.4>');
    expect(res.getAll('allow')).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(res.getParsedHeader('Expires')).toBe(60);
    expect(res.get('content-type')).toBe('application/sdp');
    expect(res.body).toBe('v=0\r\no=bob 1 1 IN IP4 192.0.2.4\r\nn=é\r\n');
    expect(res.getParsedHeader('Content-Length')).toBe(Buffer.byteLength(res.body));
  });

  it('uses the standard reason phrase unless one is given', () => {
    expect(wire(createResponse(invite(), 180)).reason).toBe('Ringing');
    expect(wire(createResponse(invite(), 481)).reason).toBe('Call/Transaction Does Not Exist');
    expect(wire(createResponse(invite(), 499)).reason).toBe(reasonPhrase(499));
    expect(reasonPhrase(499)).toBe('Client Error');
    expect(wire(createResponse(invite(), 503, { reason: 'Overloaded' })).reason).toBe('Overloaded');
    expect(createResponse(invite(), 200).startLine).toBe('SIP/2.0 200 OK');
  });
});

describe('createResponse with headers from the application', () => {
  it('takes a To the application gives in place of the copied one, keeping its tag', () => {
    const res = wire(
      createResponse(invite(), 200, { toTag: 'ours', headers: { to: '<sip:bob@biloxi.com>;tag=app-tag' } }),
    );
    expect(res.getAll('to')).toEqual(['<sip:bob@biloxi.com>;tag=app-tag']);
    expect(res.toTag).toBe('app-tag');
  });

  it('adds the stack tag to an application To without one', () => {
    const res = wire(
      createResponse(invite(), 180, { toTag: 'ours', headers: { To: '"Bob" <sip:bob@biloxi.com>' } }),
    );
    expect(res.getAll('to')).toEqual(['"Bob" <sip:bob@biloxi.com>;tag=ours']);
  });

  it("keeps the request's Via, From, Call-ID and CSeq whatever the application gives (§8.2.6.2)", () => {
    const res = wire(
      createResponse(invite(), 200, {
        toTag: 't',
        headers: {
          'Call-ID': 'other',
          CSeq: '1 INVITE',
          From: '<sip:x@y>;tag=1',
          Via: 'SIP/2.0/UDP x;branch=z9hG4bKx',
        },
      }),
    );
    expect(res.getAll('call-id')).toEqual(['a84b4c76e66710@pc33.atlanta.com']);
    expect(res.getAll('cseq')).toEqual(['314159 INVITE']);
    expect(res.fromTag).toBe('1928301774');
    expect(res.via).toHaveLength(4);
  });

  it('writes one Content-Type when both the headers and contentType name one', () => {
    const res = wire(
      createResponse(invite(), 200, {
        headers: { 'content-type': 'application/x-foo' },
        contentType: 'application/sdp',
      }),
    );
    expect(res.getAll('content-type')).toEqual(['application/x-foo']);
  });
});

describe('createRequest (RFC 3261 §8.1.1)', () => {
  const base = {
    method: 'OPTIONS',
    uri: 'sip:bob@biloxi.com;transport=tcp',
    from: '"Alice" <sip:alice@atlanta.com>',
  };

  it('fills in Max-Forwards 70, CSeq 1 <METHOD>, To = Request-URI, a From tag and a Call-ID', () => {
    const req = parseMessage(createRequest(base).toBuffer()) as SipRequest;
    expect(req.startLine).toBe('OPTIONS sip:bob@biloxi.com;transport=tcp SIP/2.0');
    expect(req.getParsedHeader('Max-Forwards')).toBe(70);
    expect(req.cseq).toEqual({ seq: 1, method: 'OPTIONS' });
    expect(req.to.uri).toBe('sip:bob@biloxi.com;transport=tcp');
    expect(req.toTag).toBeUndefined();
    expect(req.from).toMatchObject({ name: 'Alice', uri: 'sip:alice@atlanta.com' });
    expect(req.fromTag).toMatch(/^[0-9a-f]{8,}$/);
    expect(req.callId).toMatch(/^[0-9a-f]{16,}$/);
    expect(req.has('via')).toBe(false);
    expect(req.payload.length).toBe(0);
  });

  it('makes a fresh From tag and Call-ID for every request', () => {
    const requests = Array.from({ length: 1000 }, () => createRequest(base));
    expect(new Set(requests.map((r) => r.callId)).size).toBe(1000);
    expect(new Set(requests.map((r) => r.fromTag)).size).toBe(1000);
  });

  it('keeps a tag already in From, as text or as structure', () => {
    expect(createRequest({ ...base, from: '<sip:alice@atlanta.com>;tag=88sja8x' }).fromTag).toBe('88sja8x');
    const req = createRequest({
      ...base,
      from: { name: 'Alice', uri: 'sip:alice@atlanta.com', params: { tag: 'abc' } },
    });
    expect(req.from).toEqual({ name: 'Alice', uri: 'sip:alice@atlanta.com', params: { tag: 'abc' } });
  });

  it('adds a tag to a From given as structure without one', () => {
    const req = createRequest({ ...base, from: { uri: 'sip:alice@atlanta.com', params: {} } });
    expect(req.from.uri).toBe('sip:alice@atlanta.com');
    expect(req.fromTag).toMatch(/^[0-9a-f]{8,}$/);
  });

  it('takes To, Call-ID, CSeq, Max-Forwards, headers and a body when given', () => {
    const req = parseMessage(
      createRequest({
        method: 'INVITE',
        uri: 'sip:bob@192.0.2.4',
        from: '<sip:alice@atlanta.com>',
        to: 'Bob <sip:bob@biloxi.com>',
        callId: 'call-1@atlanta.com',
        cseq: 42,
        maxForwards: 10,
        headers: { Contact: '<sip:alice@192.0.2.1>', Supported: ['100rel', 'timer'] },
        body: 'v=0\r\n',
        contentType: 'application/sdp',
      }).toBuffer(),
    ) as SipRequest;
    expect(req.to).toEqual({ name: 'Bob', uri: 'sip:bob@biloxi.com', params: {} });
    expect(req.callId).toBe('call-1@atlanta.com');
    expect(req.cseq).toEqual({ seq: 42, method: 'INVITE' });
    expect(req.getParsedHeader('Max-Forwards')).toBe(10);
    expect(req.get('contact')).toBe('<sip:alice@192.0.2.1>');
    expect(req.getParsedHeader('Supported')).toEqual(['100rel', 'timer']);
    expect(req.get('content-type')).toBe('application/sdp');
    expect(req.body).toBe('v=0\r\n');
  });

  it('answers its own request: createResponse on a created request with a Via', () => {
    const req = createRequest(base);
    req.append('Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc', { first: true });
    const res = createResponse(req, 200, { toTag: 'z' });
    expect(res.getAll('via')).toEqual(['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc']);
    expect(res.fromTag).toBe(req.fromTag);
    expect(res.callId).toBe(req.callId);
    expect(res.toTag).toBe('z');
  });
});
