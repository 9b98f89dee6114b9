import { describe, expect, it } from 'vitest';
import { SipRequest } from '../../src/index.js';
import {
  checkRequest,
  createResponse,
  DEFAULT_REQUEST_POLICY,
  parseMessage,
  SipParseError,
} from '../../src/sip.js';

const SDP =
  'v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n';

interface Spec {
  method?: string;
  uri?: string;
  version?: string;
  /** Header lines replacing the defaults of the same name; `null` drops a default. */
  set?: Record<string, string | string[] | null>;
  body?: string;
}

/** A small request as bytes on the wire, parsed as the transport would. */
function request(spec: Spec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const headers: Record<string, string | string[] | null> = {
    Via: 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
    'Max-Forwards': '70',
    To: '<sip:bob@example.com>',
    From: '<sip:alice@example.com>;tag=1928301774',
    'Call-ID': 'a84b4c76e66710@192.0.2.1',
    CSeq: `1 ${method}`,
    ...(spec.body !== undefined ? { 'Content-Type': 'application/sdp' } : {}),
    ...spec.set,
  };
  const lines = [`${method} ${spec.uri ?? 'sip:bob@example.com'} ${spec.version ?? 'SIP/2.0'}`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  const body = spec.body ?? '';
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
  const msg = parseMessage(lines.join('\r\n'));
  expect(msg).toBeInstanceOf(SipRequest);
  return msg as SipRequest;
}

describe('checkRequest', () => {
  it('passes a well-formed INVITE with SDP', () => {
    expect(checkRequest(request({ body: SDP }))).toBeUndefined();
    expect(checkRequest(request({ method: 'OPTIONS' }))).toBeUndefined();
  });

  it('answers 505 to SIP/3.0 (RFC 4475 §3.3.15 badvers)', () => {
    expect(checkRequest(request({ version: 'SIP/3.0' }))).toEqual({ status: 505 });
    expect(checkRequest(request({ version: 'sip/2.0' }))).toBeUndefined();
  });

  it.each(['Call-ID', 'CSeq', 'From', 'To', 'Via'])('answers 400 to a request without %s', (name) => {
    const rejection = checkRequest(request({ set: { [name]: null } }));
    expect(rejection?.status).toBe(400);
    expect(rejection?.reason).toMatch(new RegExp(name, 'i'));
  });

  it('finds mandatory headers in compact form', () => {
    const req = request({
      set: { 'Call-ID': null, From: null, To: null, Via: null },
    });
    req.append('i', 'compact@192.0.2.1');
    req.append('f', '<sip:alice@example.com>;tag=1');
    req.append('t', '<sip:bob@example.com>');
    req.append('v', 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1');
    expect(checkRequest(req)).toBeUndefined();
  });

  it('answers 400 to conflicting single-value headers', () => {
    const rejection = checkRequest(request({ set: { 'Call-ID': ['one@h', 'two@h'] } }));
    expect(rejection?.status).toBe(400);
    expect(checkRequest(request({ set: { 'Max-Forwards': ['70', '70'] } }))).toBeUndefined();
  });

  it('answers 400 when the CSeq method is not the request method (RFC 4475 §3.3.13 mismatch01)', () => {
    expect(checkRequest(request({ set: { CSeq: '1 OPTIONS' } }))).toEqual({
      status: 400,
      reason: 'CSeq method does not match',
    });
    expect(checkRequest(request({ method: 'CANCEL', set: { CSeq: '1 INVITE' } }))?.status).toBe(400);
  });

  it('answers 400, not an exception, to a request whose CSeq did not parse', () => {
    // The parser throws with the request as `partial`, so that the transport can answer 400.
    let partial: SipRequest | undefined;
    try {
      request({ set: { CSeq: 'one INVITE' } });
    } catch (err) {
      expect(err).toBeInstanceOf(SipParseError);
      partial = (err as SipParseError).partial as SipRequest;
    }
    expect(partial).toBeInstanceOf(SipRequest);
    expect(checkRequest(partial as SipRequest)?.status).toBe(400);
  });

  it('answers 400, not an exception, to a hand-built request with a bad Request-URI or From', () => {
    const req = request();
    req.uri = 'sip:bob@exa mple.com';
    expect(checkRequest(req)?.status).toBe(400);
    const badFrom = request();
    badFrom.set('From', '<sip:alice@example.com');
    expect(checkRequest(badFrom)?.status).toBe(400);
  });

  it.each(['mailto:bob@example.com', 'http://example.com/bob', 'urn:service:sos'])(
    'answers 416 to a %s Request-URI (RFC 4475 §3.3.1 unksm)',
    (uri) => {
      expect(checkRequest(request({ uri }))).toEqual({ status: 416 });
    },
  );

  it('serves sips: and tel: Request-URIs', () => {
    expect(checkRequest(request({ uri: 'sips:bob@example.com' }))).toBeUndefined();
    expect(checkRequest(request({ uri: 'tel:+1-201-555-0123' }))).toBeUndefined();
  });

  it('answers 400 to a Request-URI with headers (RFC 4475 §3.1.2.11 escruri)', () => {
    const rejection = checkRequest(request({ uri: 'sip:bob@example.com?Subject=hello' }));
    expect(rejection?.status).toBe(400);
  });

  it('answers 420 with Unsupported listing only the tags it does not support', () => {
    const req = request({ set: { Require: ['100rel, x-foo', 'timer, x-bar'] } });
    const rejection = checkRequest(req);
    expect(rejection?.status).toBe(420);
    const response = createResponse(req, rejection?.status ?? 0, { headers: rejection?.headers });
    const wire = parseMessage(response.toBuffer());
    expect(wire.getParsedHeader('Unsupported')).toEqual(['x-foo', 'x-bar']);
  });

  it('compares option tags without regard to case (tokens, RFC 3261 §7.3.1)', () => {
    expect(checkRequest(request({ set: { Require: '100REL, Timer' } }))).toBeUndefined();
    const policy = { ...DEFAULT_REQUEST_POLICY, supported: ['X-Foo'] };
    expect(checkRequest(request({ set: { Require: 'x-foo' } }), policy)).toBeUndefined();
    expect(checkRequest(request({ set: { Require: 'X-FOO' } }), policy)).toBeUndefined();
  });

  it('does not subject ACK or CANCEL to Require (RFC 3261 §8.2.2.3)', () => {
    expect(checkRequest(request({ method: 'ACK', set: { Require: 'x-foo' } }))).toBeUndefined();
    expect(checkRequest(request({ method: 'CANCEL', set: { Require: 'x-foo' } }))).toBeUndefined();
    expect(checkRequest(request({ method: 'BYE', set: { Require: 'x-foo' } }))?.status).toBe(420);
  });

  it('answers 415 with Accept to an INVITE whose body is not SDP', () => {
    const rejection = checkRequest(request({ body: 'hello', set: { 'Content-Type': 'text/plain' } }));
    expect(rejection?.status).toBe(415);
    expect(rejection?.headers?.Accept).toBe(DEFAULT_REQUEST_POLICY.acceptedSessionTypes.join(', '));
    const noType = checkRequest(request({ body: SDP, set: { 'Content-Type': null } }));
    expect(noType?.status).toBe(415);
  });

  it('reads the media type without parameters or case', () => {
    const req = request({ body: SDP, set: { 'Content-Type': 'Application/SDP ; charset=utf-8' } });
    expect(checkRequest(req)).toBeUndefined();
  });

  it('leaves the body of a MESSAGE to the application', () => {
    const req = request({ method: 'MESSAGE', body: 'hello', set: { 'Content-Type': 'text/plain' } });
    expect(checkRequest(req)).toBeUndefined();
  });

  it('answers 415 with Accept-Encoding to a compressed session body (RFC 3261 §8.2.3)', () => {
    const rejection = checkRequest(request({ body: SDP, set: { 'Content-Encoding': 'gzip' } }));
    expect(rejection?.status).toBe(415);
    expect(rejection?.headers?.['Accept-Encoding']).toBe('identity');
  });

  it('answers 406 to an INVITE that accepts nothing it could be answered with', () => {
    const rejection = checkRequest(request({ body: SDP, set: { Accept: 'text/plain, application/json' } }));
    expect(rejection).toEqual({ status: 406, headers: { Accept: 'application/sdp' } });
    for (const accept of [
      'application/sdp',
      'Application/SDP;level=1',
      'application/*',
      '*/*',
      'text/html, */*',
    ]) {
      expect(checkRequest(request({ body: SDP, set: { Accept: accept } })), accept).toBeUndefined();
    }
    // Only INVITE is answered with SDP here.
    expect(checkRequest(request({ method: 'OPTIONS', set: { Accept: 'text/plain' } }))).toBeUndefined();
  });

  it('treats q=0 in Accept as "not acceptable" (RFC 3261 §20.1, RFC 2616 §14.1)', () => {
    const rejection = checkRequest(
      request({ body: SDP, set: { Accept: 'application/sdp;q=0, text/plain' } }),
    );
    expect(rejection?.status).toBe(406);
    expect(checkRequest(request({ body: SDP, set: { Accept: 'application/sdp;q=0.5' } }))).toBeUndefined();
    expect(checkRequest(request({ body: SDP, set: { Accept: 'application/sdp; q=0.000' } }))?.status).toBe(
      406,
    );
  });

  it('applies a policy written in any case', () => {
    const policy = {
      supported: ['X-Foo'],
      acceptedSessionTypes: ['Application/SDP'],
      schemes: ['SIP'],
    };
    expect(checkRequest(request({ body: SDP, set: { Require: 'x-foo' } }), policy)).toBeUndefined();
  });
});

describe('a Request-URI the parser only checked for syntax', () => {
  it('is fully parsed here: an empty URI parameter gets 400', () => {
    const wire =
      'OPTIONS sip:user@host;;x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n' +
      'To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
    const parsed = parseMessage(wire) as SipRequest;
    expect(checkRequest(parsed)).toEqual({ status: 400, reason: 'Bad Request-URI' });
  });
});
