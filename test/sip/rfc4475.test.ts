// RFC 4475 "SIP Torture Test Messages": every file of test/fixtures/rfc4475 is a test here, named
// after the section that says what a conforming element does with it.
import { describe, expect, it } from 'vitest';
import { type SipMessage, SipRequest, SipResponse } from '../../src/index.js';
import {
  type AbsoluteUri,
  checkRequest,
  createResponse,
  type NameAddr,
  parseMessage,
  parseUri,
  SipParseError,
  type SipUri,
  StreamFramer,
} from '../../src/sip.js';
import { rfc4475, rfc4475Names } from './corpus.js';

const covered = new Set<string>();

function load(name: string): Buffer {
  covered.add(name);
  return rfc4475(name);
}

function request(name: string): SipRequest {
  const message = parseMessage(load(name));
  expect(message).toBeInstanceOf(SipRequest);
  return message as SipRequest;
}

function response(name: string): SipResponse {
  const message = parseMessage(load(name));
  expect(message).toBeInstanceOf(SipResponse);
  return message as SipResponse;
}

/** The SipParseError parsing `data` throws; fails the test when it parses or throws anything else. */
function refusal(data: Buffer): SipParseError {
  try {
    parseMessage(data);
  } catch (err) {
    expect(err).toBeInstanceOf(SipParseError);
    return err as SipParseError;
  }
  return expect.fail('parsed, but the message must be refused');
}

/** The byte offset of the line starting with `text` in `data`. */
function lineOffset(data: Buffer, text: string): number {
  const at = data.indexOf(`\r\n${text}`);
  expect(at).toBeGreaterThan(0);
  return at + 2;
}

/** The bytes after the empty line that ends the header section. */
function bodyAfterHead(data: Buffer): Buffer {
  return data.subarray(data.indexOf('\r\n\r\n') + 4);
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

/** The transport's answer to a request it could not parse: 400 built from the partial request. */
function answerFromPartial(error: SipParseError, callId: string): SipResponse {
  expect(error.partial).toBeInstanceOf(SipRequest);
  const partial = error.partial as SipRequest;
  expect(partial.callId).toBe(callId);
  const answer = createResponse(partial, 400);
  expect(answer.status).toBe(400);
  expect(answer.getAll('via')).toEqual(partial.getAll('via'));
  expect(answer.callId).toBe(callId);
  return answer;
}

describe('RFC 4475 §3.1.1 valid messages: parsed, with the values the RFC discusses', () => {
  it('§3.1.1.1 wsinv: a short tortuous INVITE is read through its odd whitespace and folding', () => {
    const msg = request('wsinv');
    expect(msg.method).toBe('INVITE');
    expect(msg.requestUri).toMatchObject({ user: 'vivekg', host: 'chair-dnrc.example.com' });
    expect((msg.requestUri as SipUri).params).toEqual({ unknownparam: null });
    expect(msg.getParsedHeader('Max-Forwards')).toBe(68);
    expect(msg.to).toEqual({ uri: 'sip:vivekg@chair-dnrc.example.com', params: { tag: '1918181833n' } });
    expect(msg.from).toEqual({
      name: 'J Rosenberg \\"',
      uri: 'sip:jdrosen@example.com',
      params: { tag: '98asjd8' },
    });
    expect(msg.callId).toBe('wsinv.ndaksdj@192.0.2.1');
    expect(msg.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(msg.via.map((v) => [v.protocol, v.transport, v.host, v.params.branch])).toEqual([
      ['SIP/2.0', 'UDP', '192.0.2.2', '390skdjuw'],
      ['SIP/2.0', 'TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['SIP/2.0', 'UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(msg.get('Subject')).toBe('');
    expect(msg.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(msg.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    const route = msg.getParsedHeader('Route') ?? [];
    expect(route).toHaveLength(1);
    expect(sipUri(route[0]?.uri ?? '').params).toEqual({
      lr: null,
      unknownwith: 'value',
      'unknown-no-value': null,
    });
    expect(contacts(msg)).toEqual([
      {
        name: 'Quoted string ""',
        uri: 'sip:jdrosen@example.com',
        params: { newparam: 'newvalue', secondparam: null, q: '0.33' },
      },
    ]);
    expect(msg.getParsedHeader('Content-Type')).toMatchObject({ type: 'application', subtype: 'sdp' });
    expect(msg.payload.length).toBe(150);
    expect(msg.payload.equals(bodyAfterHead(load('wsinv')))).toBe(true);
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.1.1.2 intmeth: every token character is accepted in the method, URI, parameters and names', () => {
    const method = "!interesting-Method0123456789_*+`.%indeed'~";
    const msg = request('intmeth');
    expect(msg.method).toBe(method);
    expect(msg.cseq).toEqual({ seq: 139122385, method });
    const uri = msg.requestUri as SipUri;
    expect(uri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(uri.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(uri.host).toBe('example.com');
    expect(msg.via[0]?.params.branch).toBe("z9hG4bK-.!%66*_+`'~");
    // The quoted display name holds BEL, NUL and DEL as quoted-pairs.
    expect(msg.to.name).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    expect(sipUri(msg.to.uri).user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(msg.from.name).toBe("token1~` token2'+_ token3*%!.-");
    expect(msg.from.params).toEqual({
      "fromparam''~+*_!.-%": '"работающий"',
      tag: "_token~1'+`*%!-.",
    });
    expect(msg.callId).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    // The value starts with a UTF-8 byte order mark, which is part of it (not whitespace to SIP).
    const extension = msg.get("extensionHeader-!.%*+_`'~") ?? '';
    expect(Buffer.from(extension, 'utf8').toString('hex')).toBe('efbbbfe5a4a7e5819ce99bbb');
    expect(extension).toBe('\ufeff大停電');
    expect(msg.getParsedHeader('Max-Forwards')).toBe(255);
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.1.1.3 esc01: escaped characters in URIs are unescaped before comparison', () => {
    const msg = request('esc01');
    expect(msg.requestUri).toMatchObject({
      scheme: 'sip',
      user: 'sips:user@example.com',
      host: 'example.net',
    });
    expect(sipUri(msg.to.uri).user).toBe('user');
    expect(sipUri(msg.from.uri).user).toBe('I have spaces');
    expect(msg.callId).toBe('esc01.239409asdfakjkn23onasd0-3234');
    expect(msg.getParsedHeader('Content-Type')).toMatchObject({ type: 'application', subtype: 'sdp' });
    // <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31> is caller@...;lr;name=value%41
    const contact = sipUri(contacts(msg)[0]?.uri ?? '');
    expect(contact.user).toBe('caller');
    expect(contact.params).toEqual({ lr: null, name: 'value%41' });
    expect(msg.payload.length).toBe(150);
  });

  it('§3.1.1.4 escnull: %00 escapes a NUL octet in the user part', () => {
    const msg = request('escnull');
    expect(sipUri(msg.to.uri).user).toBe('null-\0-null');
    expect(sipUri(msg.from.uri).user).toBe('null-\0-null');
    expect(contacts(msg).map((c) => sipUri(c.uri).user)).toEqual(['\0', '\0\0']);
    expect(msg.getParsedHeader('Content-Length')).toBe(0);
  });

  it('§3.1.1.5 esc02: escapes in a method or header name are not unescaped (the method is not REGISTER)', () => {
    const msg = request('esc02');
    expect(msg.method).toBe('RE%47IST%45R');
    expect(msg.method).not.toBe('REGISTER');
    expect(msg.cseq).toEqual({ seq: 29344, method: 'RE%47IST%45R' });
    expect(msg.to.name).toBe('%Z%45');
    expect(msg.from.name).toBe('%Z%45');
    expect(msg.via[0]?.params.branch).toBe('z9hG4bK209%fzsnel234');
    // "C%6Fntact" is an extension header, not a third Contact.
    expect(contacts(msg).map((c) => c.uri)).toEqual([
      'sip:alias1@host1.example.com',
      'sip:alias3@host3.example.com',
    ]);
    expect(msg.get('C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.1.1.6 lwsdisp: a display name needs no whitespace before "<"', () => {
    const msg = request('lwsdisp');
    expect(msg.from).toEqual({ name: 'caller', uri: 'sip:caller@example.com', params: { tag: '323' } });
  });

  it('§3.1.1.7 longreq: long values in header fields are kept whole', () => {
    const msg = request('longreq');
    expect(msg.to.name).toBe(`I have a user name of ${'extreme'.repeat(10)} proportion`);
    const to = sipUri(msg.to.uri);
    expect(to.port).toBe(6000);
    expect(to.params.unknownparam1).toBe(`very${'long'.repeat(20)}value`);
    expect(to.params[`longparam${'name'.repeat(25)}`]).toBe('shortvalue');
    expect(to.params[`very${'long'.repeat(25)}parameternamewithnovalue`]).toBeNull();
    const caller = 'amazinglylongcallername'.repeat(5);
    expect(sipUri(msg.from.uri).user).toBe(caller);
    expect(msg.fromTag).toBe(`12982${'982'.repeat(49)}424`);
    expect(msg.from.params[`unknownheaderparam${'name'.repeat(20)}`]).toBe(
      `unknowheaderparam${'value'.repeat(15)}`,
    );
    expect(msg.from.params[`unknownvalueless${'paramname'.repeat(10)}`]).toBeNull();
    expect(msg.callId).toBe(`longreq.one${'really'.repeat(20)}longcallid`);
    expect(msg.via).toHaveLength(34);
    expect(msg.via.slice(0, 33).map((v) => v.host)).toEqual(
      Array.from({ length: 33 }, (_, i) => `sip${33 - i}.example.com`),
    );
    expect(msg.via[33]?.params).toEqual({
      received: '192.0.2.5',
      branch: `very${'long'.repeat(50)}branchvalue`,
    });
    expect(sipUri(contacts(msg)[0]?.uri ?? '').user).toBe(caller);
    expect(msg.get(`Unknown-${'Long'.repeat(20)}-Name`)).toMatch(/^unknown-(long){20}-value; /);
    expect(msg.payload.length).toBe(150);
  });

  it('§3.1.1.8 dblreq: only the first request (REGISTER) is taken from the datagram', () => {
    const msg = request('dblreq');
    expect(msg.method).toBe('REGISTER');
    expect(msg.callId).toBe('dblreq.0ha0isndaksdj99sdfafnl3lk233412');
    expect(msg.getParsedHeader('Content-Length')).toBe(0);
    expect(msg.payload.length).toBe(0);
    expect(msg.via).toHaveLength(1);
    expect(msg.has('content-type')).toBe(false);
  });

  it('§3.1.1.9 semiuri: ";" in the user part is part of the user, not a parameter', () => {
    const msg = request('semiuri');
    const uri = msg.requestUri as SipUri;
    expect(uri.user).toBe('user;par=u@example.net');
    expect(uri.host).toBe('example.com');
    expect(uri.params).toEqual({});
    expect(msg.get('Accept')).toBe(
      'application/sdp, application/pkcs7-mime, multipart/mixed, multipart/signed, message/sip, message/sipfrag',
    );
  });

  it('§3.1.1.10 transports: five Via values with known and unknown transports', () => {
    const msg = request('transports');
    expect(msg.via.map((v) => [v.transport, v.host])).toEqual([
      ['UDP', 't1.example.com'],
      ['SCTP', 't2.example.com'],
      ['TLS', 't3.example.com'],
      ['UNKNOWN', 't4.example.com'],
      ['TCP', 't5.example.com'],
    ]);
    expect(msg.callId).toBe('transports.kijh4akdnaqjkwendsasfdj');
  });

  it('§3.1.1.11 mpart01: a multipart/mixed body with binary parts is kept byte for byte', () => {
    const data = load('mpart01');
    const msg = parseMessage(data) as SipRequest;
    expect(msg.method).toBe('MESSAGE');
    expect(msg.getParsedHeader('Content-Type')).toEqual({
      type: 'multipart',
      subtype: 'mixed',
      params: { boundary: '7a9cbec02ceef655' },
    });
    expect(msg.get('Content-Transfer-Encoding')).toBe('binary');
    expect(msg.payload.length).toBe(553);
    expect(msg.payload.equals(bodyAfterHead(data))).toBe(true);
    expect(msg.payload.subarray(0, 20).toString('latin1')).toBe('--7a9cbec02ceef655\r\n');
    expect(msg.payload.subarray(-22).toString('latin1')).toBe('--7a9cbec02ceef655--\r\n');
    expect(msg.via[0]?.params.rport).toBeNull();
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.1.1.12 unreason: a reason phrase of UTF-8 text with digits and operators', () => {
    const msg = response('unreason');
    expect(msg.status).toBe(200);
    expect(msg.reason).toBe('= 2**3 * 5**2 но сто девяносто девять - простое');
    expect(msg.payload.length).toBe(154);
  });

  it('§3.1.1.13 noreason: an empty reason phrase', () => {
    const msg = response('noreason');
    expect(msg.status).toBe(100);
    expect(msg.reason).toBe('');
    expect(msg.toTag).toBe('902jndnke3');
  });
});

describe('RFC 4475 §3.1.2 invalid messages: refused by the parser or answered by a later layer', () => {
  it('§3.1.2.1 badinv01: extraneous ";" and "," in Via and Contact: refused, the request answered 400', () => {
    const data = load('badinv01');
    const error = refusal(data);
    expect(error.reason).toMatch(/^Via: /);
    expect(error.offset).toBe(lineOffset(data, 'Via:'));
    answerFromPartial(error, 'badinv01.0ha0isndaksdjasdf3234nas');
    expect(() => (error.partial as SipRequest | undefined)?.getParsedHeader('Contact')).toThrow(
      SipParseError,
    );
  });

  it('§3.1.2.2 clerr: Content-Length larger than the datagram: refused and answered 400; a stream waits', () => {
    const data = load('clerr');
    const error = refusal(data);
    expect(error.reason).toMatch(/Content-Length 9999/);
    expect(error.offset).toBe(data.indexOf('\r\n\r\n') + 4);
    answerFromPartial(error, 'clerr.0ha0isndaksdjweiafasdk3');
    // Over TCP the receiver can only wait for the rest (and close the connection after a while).
    const framer = new StreamFramer();
    expect(framer.push(data)).toEqual([]);
    expect(framer.pendingBytes).toBe(data.length);
  });

  it('§3.1.2.3 ncl: a negative Content-Length: refused and answered 400; a stream is closed', () => {
    const data = load('ncl');
    const error = refusal(data);
    expect(error.reason).toMatch(/^Content-Length: "-999"/);
    expect(error.offset).toBe(lineOffset(data, 'Content-Length:'));
    answerFromPartial(error, 'ncl.0ha0isndaksdj2193423r542w35');
    expect(() => new StreamFramer().push(data)).toThrow(SipParseError);
  });

  it('§3.1.2.4 scalar02: a CSeq over 2**32-1 is refused and answered 400 (Max-Forwards, Expires out of range too)', () => {
    const data = load('scalar02');
    const error = refusal(data);
    expect(error.reason).toMatch(/^CSeq: .*36893488147419103232.*32-bit/);
    expect(error.offset).toBe(lineOffset(data, 'CSeq:'));
    const answer = answerFromPartial(error, 'scalar02.23o0pd9vanlq3wnrlnewofjas9ui32');
    expect(answer.get('cseq')).toBe('36893488147419103232 REGISTER');
    const partial = error.partial as SipRequest;
    expect(() => partial.getParsedHeader('Max-Forwards')).toThrow(SipParseError);
    expect(() => partial.getParsedHeader('Expires')).toThrow(SipParseError);
  });

  it('§3.1.2.5 scalarlg: a response with a CSeq over 2**32-1 is refused (and so dropped)', () => {
    const data = load('scalarlg');
    const error = refusal(data);
    expect(error.reason).toMatch(/^CSeq: .*9292394834772304023312/);
    expect(error.offset).toBe(lineOffset(data, 'CSeq:'));
    // Nothing answers a response: the partial message is a response, for logging only.
    expect(error.partial).toBeInstanceOf(SipResponse);
  });

  it('§3.1.2.6 quotbal: an unterminated quoted display name is refused and answered 400', () => {
    const data = load('quotbal');
    const error = refusal(data);
    expect(error.reason).toMatch(/^To: unterminated quoted/);
    expect(error.offset).toBe(lineOffset(data, 'To:'));
    answerFromPartial(error, 'quotbal.aksdj');
  });

  it('§3.1.2.7 ltgtruri: a Request-URI in <> is refused and answered 400', () => {
    const data = load('ltgtruri');
    const error = refusal(data);
    expect(error.reason).toMatch(/^Request-URI: .*"<"/);
    expect(error.offset).toBe(data.indexOf('<sip:user@example.com>'));
    answerFromPartial(error, 'ltgtruri.1@192.0.2.5');
    expect((error.partial as SipRequest).method).toBe('INVITE');
  });

  it('§3.1.2.8 lwsruri: LWS inside the Request-URI is refused and answered 400', () => {
    const data = load('lwsruri');
    const error = refusal(data);
    expect(error.reason).toMatch(/start line .*bad SIP version "lr SIP\/2.0"/);
    expect(error.offset).toBe(0);
    answerFromPartial(error, 'lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423');
  });

  it('§3.1.2.9 lwsstart: several SP between request-line elements: refused as malformed (answered 400)', () => {
    const data = load('lwsstart');
    const error = refusal(data);
    expect(error.reason).toMatch(/start line .*more than one space/);
    expect(error.offset).toBe(0);
    answerFromPartial(error, 'lwsstart.dfknq234oi243099adsdfnawe3@example.com');
  });

  it('§3.1.2.10 trws: SP after the SIP version: refused as malformed (answered 400)', () => {
    const data = load('trws');
    const error = refusal(data);
    expect(error.reason).toMatch(/start line .*trailing spaces/);
    expect(error.offset).toBe(0);
    answerFromPartial(error, 'trws.oicu34958239neffasdhr2345r');
  });

  it('§3.1.2.11 escruri: headers escaped in the Request-URI parse; the server answers 400', () => {
    const msg = request('escruri');
    expect((msg.requestUri as SipUri).headers).toEqual({ Route: '<sip:example.com>' });
    expect(checkRequest(msg)).toMatchObject({ status: 400 });
  });

  it('§3.1.2.12 baddate: a non-GMT Date parses; the Date is not read, so the request is served', () => {
    const msg = request('baddate');
    expect(msg.get('Date')).toBe('Fri, 01 Jan 2010 16:00:00 EST');
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.1.2.13 regbadct: a Contact addr-spec with "?" parses; reading Contact fails, so the registrar answers 400', () => {
    const msg = request('regbadct');
    expect(msg.get('Contact')).toBe('sip:user@example.com?Route=%3Csip:sip.example.com%3E');
    expect(() => msg.getParsedHeader('Contact')).toThrow(SipParseError);
    expect(() => msg.getParsedHeader('Contact')).toThrow(/^Contact: .*enclosed in <>/);
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.1.2.14 badaspec: spaces inside the To addr-spec are refused and answered 400', () => {
    const data = load('badaspec');
    const error = refusal(data);
    expect(error.reason).toMatch(/^To: .*" "/);
    expect(error.offset).toBe(lineOffset(data, 'To:'));
    answerFromPartial(error, 'badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3');
  });

  it('§3.1.2.15 baddn: the file lacks the empty line, so it is refused as truncated (no 400 possible)', () => {
    const data = load('baddn');
    const error = refusal(data);
    expect(error.reason).toMatch(/no empty line/);
    expect(error.offset).toBe(data.length);
    expect(error.partial).toBeUndefined();
  });

  it('§3.1.2.15 baddn: with the empty line, the unquoted display name with "," is refused and answered 400', () => {
    const data = Buffer.concat([load('baddn'), Buffer.from('\r\n')]);
    const error = refusal(data);
    expect(error.reason).toMatch(/^From: display name has ","; quote it/);
    expect(error.offset).toBe(lineOffset(data, 'From:'));
    answerFromPartial(error, 'baddn.31415@c.example.com');
  });

  it('§3.1.2.16 badvers: SIP/7.0 parses; the server answers 505', () => {
    const msg = request('badvers');
    expect(msg.version).toBe('SIP/7.0');
    expect(msg.via[0]?.protocol).toBe('SIP/7.0');
    expect(checkRequest(msg)).toEqual({ status: 505 });
  });

  it('§3.1.2.17 mismatch01: CSeq method differing from the request method parses; the server answers 400', () => {
    const msg = request('mismatch01');
    expect([msg.method, msg.cseq.method]).toEqual(['OPTIONS', 'INVITE']);
    expect(checkRequest(msg)).toMatchObject({ status: 400, reason: 'CSeq method does not match' });
  });

  it('§3.1.2.18 mismatch02: an unknown method with a mismatching CSeq parses; the server answers 400 (501 also allowed)', () => {
    const msg = request('mismatch02');
    expect([msg.method, msg.cseq.method]).toEqual(['NEWMETHOD', 'INVITE']);
    expect(msg.payload.length).toBe(138);
    expect(checkRequest(msg)).toMatchObject({ status: 400 });
  });

  it('§3.1.2.19 bigcode: a status code over 699 is refused (the response is dropped)', () => {
    const data = load('bigcode');
    const error = refusal(data);
    expect(error.reason).toMatch(/status code "4294967301"/);
    expect(error.offset).toBe(0);
    expect(error.partial).toBeUndefined();
  });
});

describe('RFC 4475 §3.2 transaction layer', () => {
  it('§3.2.1 badbranch: a branch that is only the magic cookie parses; the transaction layer falls back', () => {
    const msg = request('badbranch');
    expect(msg.via[0]?.params.branch).toBe('z9hG4bK');
    expect(checkRequest(msg)).toBeUndefined();
  });
});

describe('RFC 4475 §3.3 application layer: parsed, answered by the server as the RFC asks', () => {
  it('§3.3.1 insuf: no Call-ID, From, To or Max-Forwards: parses; the server answers 400', () => {
    const msg = request('insuf');
    for (const name of ['Call-ID', 'From', 'To', 'Max-Forwards']) expect(msg.has(name)).toBe(false);
    expect(msg.getParsedHeader('From')).toBeUndefined();
    expect(checkRequest(msg)).toMatchObject({ status: 400 });
  });

  it('§3.3.2 unkscm: an unknown Request-URI scheme parses; the server answers 416', () => {
    const msg = request('unkscm');
    expect(msg.requestUri).toEqual({ scheme: 'nobodyknowsthisscheme', opaque: 'totallyopaquecontent' });
    expect(checkRequest(msg)).toEqual({ status: 416 });
  });

  it('§3.3.3 novelsc: a known but atypical scheme parses; a server that never serves it answers 416', () => {
    const msg = request('novelsc');
    expect(msg.requestUri).toEqual({ scheme: 'soap.beep', opaque: '//192.0.2.103:3002' });
    expect(checkRequest(msg)).toEqual({ status: 416 });
  });

  it('§3.3.4 unksm2: non-SIP schemes in To, From and Contact parse; only a registrar objects (to the To AOR)', () => {
    const msg = request('unksm2');
    expect(parseUri(msg.to.uri)).toEqual({ scheme: 'isbn', opaque: '2983792873' });
    expect(parseUri(msg.from.uri)).toEqual({ scheme: 'http', opaque: '//www.example.com' });
    expect(msg.fromTag).toBe('3234233');
    expect((parseUri(contacts(msg)[0]?.uri ?? '') as AbsoluteUri).scheme).toBe('name');
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.3.5 bext01: unknown Require tags: the endpoint answers 420 with Unsupported listing them', () => {
    const msg = request('bext01');
    expect(msg.getParsedHeader('Require')).toEqual(['nothingSupportsThis', 'nothingSupportsThisEither']);
    expect(msg.getParsedHeader('Proxy-Require')).toEqual([
      'noProxiesSupportThis',
      'norDoAnyProxiesSupportThis',
    ]);
    expect(checkRequest(msg)).toEqual({
      status: 420,
      headers: { Unsupported: 'nothingSupportsThis, nothingSupportsThisEither' },
    });
  });

  it('§3.3.6 invut: an INVITE body of unknown type: the endpoint answers 415 with Accept', () => {
    const msg = request('invut');
    expect(msg.payload.toString()).toBe('<audio>\r\n <pcmu port="443"/>\r\n</audio>\r\n');
    const rejection = checkRequest(msg);
    expect(rejection?.status).toBe(415);
    expect(rejection?.headers?.Accept).toContain('application/sdp');
  });

  it('§3.3.7 regaut01: an unknown Authorization scheme parses and is read as is', () => {
    const msg = request('regaut01');
    expect(msg.getParsedHeader('Authorization')).toEqual([
      { scheme: 'NoOneKnowsThisScheme', params: { 'opaque-data': 'here' } },
    ]);
    expect(msg.getParsedHeader('Content-Length')).toBe(0);
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.3.8 multi01: repeated single-value headers parse; the server answers 400', () => {
    const msg = request('multi01');
    expect(msg.getAll('Call-ID')).toHaveLength(2);
    expect(msg.getAll('CSeq')).toEqual(['5 INVITE', '59 INVITE']);
    expect(msg.getAll('To')).toHaveLength(2);
    expect(msg.getAll('From')).toHaveLength(2);
    expect(msg.getAll('Max-Forwards')).toEqual(['70', '5']);
    expect(checkRequest(msg)).toMatchObject({ status: 400 });
  });

  it('§3.3.9 mcl01: two Content-Length values parse from a datagram; the server answers 400; a stream is closed', () => {
    const data = load('mcl01');
    const msg = parseMessage(data) as SipRequest;
    expect(msg.getAll('Content-Length')).toEqual(['13', '5']);
    expect(checkRequest(msg)).toMatchObject({ status: 400 });
    expect(() => new StreamFramer().push(data)).toThrow(SipParseError);
  });

  it('§3.3.10 bcast: a 200 whose second Via is the broadcast address parses (the layer that routes drops it)', () => {
    const msg = response('bcast');
    expect(msg.via.map((v) => v.host)).toEqual(['192.0.2.198', '255.255.255.255']);
    expect(msg.via[1]?.params.branch).toBe('z9hG4bK1saber23');
  });

  it('§3.3.11 zeromf: Max-Forwards 0 parses; an endpoint serves it (a proxy would answer 483)', () => {
    const msg = request('zeromf');
    expect(msg.getParsedHeader('Max-Forwards')).toBe(0);
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.3.12 cparam01: in an addr-spec Contact, ";unknownparam" is a Contact parameter', () => {
    const msg = request('cparam01');
    expect(contacts(msg)).toEqual([
      { uri: 'sip:+19725552222@gw1.example.net', params: { unknownparam: null } },
    ]);
    expect(sipUri(contacts(msg)[0]?.uri ?? '').params).toEqual({});
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.3.13 cparam02: inside <>, ";unknownparam" is a URI parameter', () => {
    const msg = request('cparam02');
    expect(contacts(msg)).toEqual([{ uri: 'sip:+19725552222@gw1.example.net;unknownparam', params: {} }]);
    expect(sipUri(contacts(msg)[0]?.uri ?? '').params).toEqual({ unknownparam: null });
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.3.14 regescrt: a Contact URI with an escaped Route header parses, the header unescaped', () => {
    const msg = request('regescrt');
    const contact = contacts(msg)[0];
    expect(contact?.uri).toBe('sip:user@example.com?Route=%3Csip:sip.example.com%3E');
    expect(sipUri(contact?.uri ?? '').headers).toEqual({ Route: '<sip:sip.example.com>' });
    expect(msg.getParsedHeader('Content-Length')).toBe(0);
    expect(checkRequest(msg)).toBeUndefined();
  });

  it('§3.3.15 sdp01: an Accept without application/sdp: the endpoint answers 406', () => {
    const msg = request('sdp01');
    expect(msg.get('Accept')).toBe('text/nobodyKnowsThis');
    expect(checkRequest(msg)).toMatchObject({ status: 406 });
  });
});

describe('RFC 4475 §3.4 backward compatibility', () => {
  it('§3.4.1 inv2543: an RFC 2543 INVITE (no branch, From tag, Content-Length or Max-Forwards) parses', () => {
    const data = load('inv2543');
    const msg = parseMessage(data) as SipRequest;
    // Without a branch the transaction layer falls back to RFC 2543 matching.
    expect(msg.via[0]).toEqual({
      protocol: 'SIP/2.0',
      transport: 'UDP',
      host: 'iftgw.example.com',
      params: {},
    });
    expect(msg.fromTag).toBeUndefined();
    expect(sipUri(msg.from.uri).params).toEqual({ user: 'phone' });
    expect(msg.has('Content-Length')).toBe(false);
    expect(msg.has('Max-Forwards')).toBe(false);
    // Without Content-Length, the body is the rest of the datagram.
    expect(msg.payload.equals(bodyAfterHead(data))).toBe(true);
    expect(sipUri(msg.getParsedHeader('Record-Route')?.[0]?.uri ?? '').params).toEqual({
      maddr: 'ss1.example.com',
    });
    expect(checkRequest(msg)).toBeUndefined();
  });
});

describe('test.dat (in the RFC 4475 archive, in no section of the RFC)', () => {
  it('is refused: its request line has no SIP version, so it is not a SIP request (dropped, not answered)', () => {
    const error = refusal(load('test'));
    expect(error.reason).toMatch(/request line needs a method, a Request-URI and a version/);
    expect(error.offset).toBe(0);
    expect(error.partial).toBeUndefined();
  });
});

describe('the RFC 4475 corpus', () => {
  it('has a test for every file', () => {
    const files = rfc4475Names();
    expect(files).toHaveLength(50);
    expect([...covered].sort()).toEqual(files);
  });
});
