import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuthHeader,
  answerChallenge,
  createChallenge,
  type DigestAlgorithm,
  parseAuthHeader,
  SipParseError,
  stringifyAuthHeader,
  verifyCredentials,
} from '../../src/sip.js';

// An independent reading of RFC 7616 §3.4.1-§3.4.3 (and RFC 2069 without qop), written against
// node:crypto, so the digests the tests expect are not the code under test's own output.
const NODE_HASH: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

function H(algorithm: string, data: string | Buffer): string {
  const name = NODE_HASH[algorithm.toUpperCase().replace(/-SESS$/, '')];
  if (!name) throw new Error(`test: no hash for ${algorithm}`);
  return createHash(name).update(data).digest('hex');
}

function expectedResponse(p: {
  algorithm: string;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  body?: string;
}): string {
  let ha1 = H(p.algorithm, `${p.username}:${p.realm}:${p.password}`);
  if (/-sess$/i.test(p.algorithm)) ha1 = H(p.algorithm, `${ha1}:${p.nonce}:${p.cnonce}`);
  const a2 =
    p.qop === 'auth-int' ? `${p.method}:${p.uri}:${H(p.algorithm, p.body ?? '')}` : `${p.method}:${p.uri}`;
  const ha2 = H(p.algorithm, a2);
  return p.qop
    ? H(p.algorithm, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`)
    : H(p.algorithm, `${ha1}:${p.nonce}:${ha2}`);
}

/** Sends a header through its wire form, as a peer would see it. */
function overTheWire(header: AuthHeader, kind: 'challenge' | 'credentials'): AuthHeader {
  const parsed = parseAuthHeader(stringifyAuthHeader(header, kind));
  expect(parsed).toHaveLength(1);
  return parsed[0] as AuthHeader;
}

describe('digest test vectors', () => {
  // RFC 2617 §3.5: the challenge and the Authorization the RFC shows for it.
  const RFC2617_CHALLENGE =
    'Digest realm="testrealm@host.com", qop="auth,auth-int", ' +
    'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
  const RFC2617_CREDENTIALS =
    'Digest username="Mufasa", realm="testrealm@host.com", ' +
    'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, ' +
    'cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", ' +
    'opaque="5ccc069c403ebaf9f0171e9517f40e41"';

  it('answers the RFC 2617 §3.5 challenge with response 6629fae49393a05397450978507c4ef1', () => {
    const [challenge] = parseAuthHeader(RFC2617_CHALLENGE);
    const creds = answerChallenge(challenge as AuthHeader, {
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: '0a4f113b',
    });
    expect(creds.scheme).toBe('Digest');
    expect(creds.params).toMatchObject({
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      response: '6629fae49393a05397450978507c4ef1',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
    // RFC 2617 has no algorithm in this challenge, so the answer carries none either.
    expect(creds.params.algorithm).toBeUndefined();
  });

  it('verifies the RFC 2617 §3.5 Authorization header, and refuses it for another password', () => {
    const [creds] = parseAuthHeader(RFC2617_CREDENTIALS);
    expect(verifyCredentials(creds as AuthHeader, { method: 'GET', password: 'Circle Of Life' })).toBe(true);
    // RFC 7616 erratum 4495: the two RFCs differ only in the case of "of".
    expect(verifyCredentials(creds as AuthHeader, { method: 'GET', password: 'Circle of Life' })).toBe(false);
    expect(verifyCredentials(creds as AuthHeader, { method: 'POST', password: 'Circle Of Life' })).toBe(
      false,
    );
  });

  // RFC 7616 §3.9.1: two challenges, SHA-256 and MD5, with the same nonce and opaque.
  const NONCE = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
  const CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
  const OPAQUE = 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS';
  const rfc7616Challenge = (algorithm: string) =>
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
    `nonce="${NONCE}", opaque="${OPAQUE}"`;

  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ])('answers the RFC 7616 §3.9.1 %s challenge with response %s', (algorithm, response) => {
    // Both challenges in one header value, as SipMessage.get joins repeated lines.
    const challenges = parseAuthHeader(`${rfc7616Challenge('SHA-256')}, ${rfc7616Challenge('MD5')}`);
    expect(challenges.map((c) => c.params.algorithm)).toEqual(['SHA-256', 'MD5']);
    const challenge = challenges.find((c) => c.params.algorithm === algorithm) as AuthHeader;
    const creds = answerChallenge(challenge, {
      username: 'Mufasa',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      cnonce: CNONCE,
    });
    expect(creds.params).toMatchObject({
      username: 'Mufasa',
      realm: 'http-auth@example.org',
      uri: '/dir/index.html',
      algorithm,
      nonce: NONCE,
      nc: '00000001',
      cnonce: CNONCE,
      qop: 'auth',
      response,
      opaque: OPAQUE,
    });
  });

  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ])('verifies the RFC 7616 §3.9.1 %s Authorization header', (algorithm, response) => {
    const [creds] = parseAuthHeader(
      `Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", ` +
        `algorithm=${algorithm}, nonce="${NONCE}", nc=00000001, cnonce="${CNONCE}", qop=auth, ` +
        `response="${response}", opaque="${OPAQUE}"`,
    );
    expect(verifyCredentials(creds as AuthHeader, { method: 'GET', password: 'Circle of Life' })).toBe(true);
    expect(verifyCredentials(creds as AuthHeader, { method: 'GET', password: 'Circle Of Life' })).toBe(false);
    const ha1 = H(algorithm, 'Mufasa:http-auth@example.org:Circle of Life');
    expect(verifyCredentials(creds as AuthHeader, { method: 'GET', ha1 })).toBe(true);
  });

  it('computes the RFC 7616 §3.9.2 SHA-512-256 response for a UTF-8 username (values of erratum 4897)', () => {
    // The RFC's printed response is not of its inputs (erratum 4897); the erratum gives
    // 3798d413..., which the node:crypto reference above also yields. userhash is not
    // implemented, so the username is sent in the clear here; the response is the same.
    const challenge: AuthHeader = {
      scheme: 'Digest',
      params: {
        realm: 'api@example.org',
        qop: 'auth',
        algorithm: 'SHA-512-256',
        nonce: '5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK',
        opaque: 'HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS',
      },
    };
    const creds = answerChallenge(challenge, {
      username: 'J\u00e4s\u00f8n Doe',
      password: 'Secret, or not?',
      method: 'GET',
      uri: '/doe.json',
      cnonce: 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v',
    });
    expect(creds.params.response).toBe('3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5');
  });
});

describe('answerChallenge → verifyCredentials round trips', () => {
  const ALGORITHMS: DigestAlgorithm[] = [
    'MD5',
    'MD5-sess',
    'SHA-256',
    'SHA-256-sess',
    'SHA-512-256',
    'SHA-512-256-sess',
  ];
  const USER = { username: 'alice', password: 'wonder land', method: 'INVITE', uri: 'sip:bob@example.com' };
  const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n';

  describe.each(ALGORITHMS)('%s', (algorithm) => {
    it.each(['auth', 'auth-int'] as const)('with qop=%s', (qop) => {
      const challenge = overTheWire(
        createChallenge({ realm: 'example.com', algorithm, qop, opaque: 'op "1", two' }),
        'challenge',
      );
      const body = qop === 'auth-int' ? SDP : undefined;
      const creds = overTheWire(answerChallenge(challenge, { ...USER, body, nc: 3 }), 'credentials');
      expect(creds.params).toMatchObject({
        username: 'alice',
        realm: 'example.com',
        algorithm,
        qop,
        nc: '00000003',
        opaque: 'op "1", two',
        uri: USER.uri,
      });
      expect(creds.params.cnonce).toMatch(/^.+$/);
      expect(creds.params.response).toBe(
        expectedResponse({
          ...USER,
          algorithm,
          realm: 'example.com',
          nonce: challenge.params.nonce as string,
          qop,
          nc: '00000003',
          cnonce: creds.params.cnonce,
          body,
        }),
      );
      expect(verifyCredentials(creds, { method: 'INVITE', password: USER.password, body })).toBe(true);
      const ha1 = H(algorithm, `alice:example.com:${USER.password}`);
      expect(verifyCredentials(creds, { method: 'INVITE', ha1, body })).toBe(true);
      expect(verifyCredentials(creds, { method: 'INVITE', password: 'wonderland', body })).toBe(false);
      expect(verifyCredentials(creds, { method: 'ACK', password: USER.password, body })).toBe(false);
      // The nonce count is inside the hash: a replay with a bumped nc does not verify.
      const bumped = { scheme: creds.scheme, params: { ...creds.params, nc: '00000004' } };
      expect(verifyCredentials(bumped, { method: 'INVITE', password: USER.password, body })).toBe(false);
    });

    it('without qop (RFC 2069 style)', () => {
      const challenge = overTheWire(
        { scheme: 'Digest', params: { realm: 'example.com', nonce: 'abc123', algorithm } },
        'challenge',
      );
      const creds = overTheWire(answerChallenge(challenge, USER), 'credentials');
      expect(creds.params.qop).toBeUndefined();
      expect(creds.params.nc).toBeUndefined();
      expect(verifyCredentials(creds, { method: 'INVITE', password: USER.password })).toBe(true);
      expect(verifyCredentials(creds, { method: 'INVITE', password: 'nope' })).toBe(false);
      // A -sess A1 hashes the cnonce in, so the cnonce must go out even without qop.
      if (algorithm.endsWith('-sess')) expect(creds.params.cnonce).toMatch(/^.+$/);
      else expect(creds.params.cnonce).toBeUndefined();
      expect(creds.params.response).toBe(
        expectedResponse({
          ...USER,
          algorithm,
          realm: 'example.com',
          nonce: 'abc123',
          cnonce: creds.params.cnonce,
        }),
      );
    });
  });

  it('auth-int covers the body: a changed body does not verify', () => {
    const challenge = createChallenge({ realm: 'example.com', qop: 'auth-int' });
    const creds = answerChallenge(challenge, { ...USER, body: SDP });
    expect(verifyCredentials(creds, { method: 'INVITE', password: USER.password, body: SDP })).toBe(true);
    expect(
      verifyCredentials(creds, { method: 'INVITE', password: USER.password, body: Buffer.from(SDP) }),
    ).toBe(true);
    expect(
      verifyCredentials(creds, { method: 'INVITE', password: USER.password, body: SDP.replace('1', '2') }),
    ).toBe(false);
    expect(verifyCredentials(creds, { method: 'INVITE', password: USER.password })).toBe(false);
  });

  it('qop=auth does not cover the body', () => {
    const creds = answerChallenge(createChallenge({ realm: 'example.com' }), { ...USER, body: SDP });
    expect(verifyCredentials(creds, { method: 'INVITE', password: USER.password, body: 'other' })).toBe(true);
  });

  it('a changed uri parameter does not verify', () => {
    const creds = answerChallenge(createChallenge({ realm: 'example.com' }), USER);
    const moved = { scheme: 'Digest', params: { ...creds.params, uri: 'sip:carol@example.com' } };
    expect(verifyCredentials(moved, { method: 'INVITE', password: USER.password })).toBe(false);
  });

  it('accepts "DIGEST" and "md5" in any case, and echoes the algorithm as the challenge wrote it', () => {
    const [challenge] = parseAuthHeader(
      'DIGEST realm="example.com", nonce="n0nce", algorithm=md5, qop="AUTH"',
    );
    const creds = answerChallenge(challenge as AuthHeader, { ...USER, cnonce: 'c1' });
    expect(creds.params.algorithm).toBe('md5');
    expect(creds.params.qop).toBe('auth');
    expect(creds.params.response).toBe(
      expectedResponse({
        ...USER,
        algorithm: 'MD5',
        realm: 'example.com',
        nonce: 'n0nce',
        qop: 'auth',
        nc: '00000001',
        cnonce: 'c1',
      }),
    );
    const wire = overTheWire({ ...creds, scheme: 'digest' }, 'credentials');
    expect(verifyCredentials(wire, { method: 'INVITE', password: USER.password })).toBe(true);
    // Hex digits compare without regard to case.
    const upper = {
      scheme: 'Digest',
      params: { ...creds.params, response: creds.params.response?.toUpperCase() },
    };
    expect(verifyCredentials(upper as AuthHeader, { method: 'INVITE', password: USER.password })).toBe(true);
  });

  it('answers a stale challenge with its new nonce (RFC 7616 §3.3)', () => {
    const challenge = overTheWire(createChallenge({ realm: 'example.com', stale: true }), 'challenge');
    expect(challenge.params.stale).toBe('true');
    const creds = answerChallenge(challenge, USER);
    expect(creds.params.nonce).toBe(challenge.params.nonce);
    expect(creds.params.stale).toBeUndefined();
    expect(verifyCredentials(creds, { method: 'INVITE', password: USER.password })).toBe(true);
  });

  it('echoes opaque exactly and leaves it out when the challenge had none', () => {
    const withOpaque = answerChallenge(createChallenge({ realm: 'r', opaque: 'x\\y "z"' }), USER);
    expect(withOpaque.params.opaque).toBe('x\\y "z"');
    const withoutOpaque = answerChallenge(createChallenge({ realm: 'r' }), USER);
    expect('opaque' in withoutOpaque.params).toBe(false);
  });

  it.each([
    ['auth,auth-int', 'auth'],
    ['auth-int, auth', 'auth'],
    [' auth-int ', 'auth-int'],
    ['auth-int', 'auth-int'],
  ])('picks qop from qop="%s": %s', (offered, chosen) => {
    const challenge = overTheWire(createChallenge({ realm: 'r', qop: offered }), 'challenge');
    const creds = answerChallenge(challenge, { ...USER, body: SDP });
    expect(creds.params.qop).toBe(chosen);
    expect(verifyCredentials(creds, { method: 'INVITE', password: USER.password, body: SDP })).toBe(true);
  });

  it('creates challenges with a fresh nonce each time', () => {
    const a = createChallenge({ realm: 'r' });
    const b = createChallenge({ realm: 'r' });
    expect(a.params.nonce).not.toBe(b.params.nonce);
    expect(a.params).toMatchObject({ realm: 'r', algorithm: 'MD5', qop: 'auth' });
  });

  it('refuses what it cannot answer', () => {
    expect(() => answerChallenge({ scheme: 'Basic', params: { realm: 'r' } }, USER)).toThrow(/Basic/);
    expect(() =>
      answerChallenge({ scheme: 'Digest', params: { realm: 'r', nonce: 'n', algorithm: 'SHA-1' } }, USER),
    ).toThrow(/SHA-1/);
    expect(() => answerChallenge({ scheme: 'Digest', params: { realm: 'r' } }, USER)).toThrow(/nonce/);
    // A challenge that demands a qop we lack is not answered in the weaker RFC 2069 form.
    expect(() =>
      answerChallenge({ scheme: 'Digest', params: { realm: 'r', nonce: 'n', qop: 'auth-conf' } }, USER),
    ).toThrow(/auth-conf/);
  });

  it('refuses credentials it cannot check', () => {
    const creds = answerChallenge(createChallenge({ realm: 'r' }), USER);
    const opts = { method: 'INVITE', password: USER.password };
    expect(verifyCredentials({ scheme: 'Basic', params: creds.params }, opts)).toBe(false);
    expect(
      verifyCredentials({ scheme: 'Digest', params: { ...creds.params, algorithm: 'SHA-1' } }, opts),
    ).toBe(false);
    expect(verifyCredentials({ scheme: 'Digest', params: { ...creds.params, qop: 'auth-conf' } }, opts)).toBe(
      false,
    );
    const { response: _response, ...withoutResponse } = creds.params;
    expect(verifyCredentials({ scheme: 'Digest', params: withoutResponse }, opts)).toBe(false);
  });

  it('refuses -sess credentials without the cnonce their A1 needs', () => {
    const challenge: AuthHeader = {
      scheme: 'Digest',
      params: { realm: 'r', nonce: 'n', algorithm: 'MD5-sess' },
    };
    const creds = answerChallenge(challenge, { ...USER, cnonce: 'c' });
    const opts = { method: 'INVITE', password: USER.password };
    expect(verifyCredentials(creds, opts)).toBe(true);
    const { cnonce: _cnonce, ...withoutCnonce } = creds.params;
    expect(verifyCredentials({ scheme: 'Digest', params: withoutCnonce }, opts)).toBe(false);
  });

  it('refuses qop credentials without nc or cnonce (RFC 7616 §3.4: both MUST be sent with qop)', () => {
    // A client that hashed with nc=00000001 and an empty cnonce but sent neither: the server
    // could not track the nonce count, so such credentials must not be accepted.
    const params = {
      username: 'alice',
      realm: 'r',
      nonce: 'n',
      uri: USER.uri,
      qop: 'auth',
      response: expectedResponse({
        ...USER,
        algorithm: 'MD5',
        realm: 'r',
        nonce: 'n',
        qop: 'auth',
        nc: '00000001',
        cnonce: '',
      }),
    };
    const opts = { method: 'INVITE', password: USER.password };
    expect(verifyCredentials({ scheme: 'Digest', params }, opts)).toBe(false);
    expect(verifyCredentials({ scheme: 'Digest', params: { ...params, nc: '00000001' } }, opts)).toBe(false);
    expect(
      verifyCredentials({ scheme: 'Digest', params: { ...params, nc: '00000001', cnonce: '' } }, opts),
    ).toBe(false);
  });
});

describe('auth header serialization', () => {
  it('quotes every credentials parameter except qop, nc and algorithm', () => {
    const creds = answerChallenge(
      createChallenge({ realm: 'example.com', algorithm: 'SHA-256', opaque: 'o' }),
      { username: 'alice', password: 'pw', method: 'REGISTER', uri: 'sip:example.com', cnonce: 'c0ffee' },
    );
    const text = stringifyAuthHeader(creds);
    expect(text.startsWith('Digest ')).toBe(true);
    for (const name of ['qop', 'nc', 'algorithm']) expect(text).toMatch(new RegExp(`(^| |,)${name}=[^" ,]+`));
    expect(text).toContain('qop=auth');
    expect(text).toContain('nc=00000001');
    expect(text).toContain('algorithm=SHA-256');
    for (const name of ['username', 'realm', 'nonce', 'uri', 'response', 'cnonce', 'opaque']) {
      expect(text).toMatch(new RegExp(`(^| |,)${name}="[^"]*"`));
    }
    expect(text).toContain('username="alice"');
    expect(text).toContain('uri="sip:example.com"');
  });

  it('quotes qop in a challenge, but not algorithm or stale', () => {
    const text = stringifyAuthHeader(
      createChallenge({ realm: 'example.com', algorithm: 'MD5-sess', qop: 'auth,auth-int', stale: true }),
      'challenge',
    );
    expect(text).toContain('qop="auth,auth-int"');
    expect(text).toContain('algorithm=MD5-sess');
    expect(text).toContain('stale=true');
    expect(text).toContain('realm="example.com"');
    expect(text).toMatch(/nonce="[0-9a-f]+"/);
  });

  it('escapes quotes and backslashes inside quoted values', () => {
    const text = stringifyAuthHeader({ scheme: 'Digest', params: { realm: 'a "b" \\c' } }, 'challenge');
    expect(text).toBe('Digest realm="a \\"b\\" \\\\c"');
  });

  it('writes a scheme without parameters alone', () => {
    expect(stringifyAuthHeader({ scheme: 'Negotiate', params: {} })).toBe('Negotiate');
  });

  it('parses back what it writes (property)', () => {
    const name = fc.constantFrom(
      'realm',
      'nonce',
      'opaque',
      'username',
      'uri',
      'cnonce',
      'response',
      'domain',
    );
    const value = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/[\x00-\x1f\x7f]/.test(s));
    fc.assert(
      fc.property(
        fc.dictionary(name, value, { minKeys: 1 }),
        fc.constantFrom('challenge', 'credentials'),
        (params, kind) => {
          const header: AuthHeader = { scheme: 'Digest', params };
          const [back] = parseAuthHeader(stringifyAuthHeader(header, kind as 'challenge' | 'credentials'));
          expect(back?.scheme).toBe('Digest');
          expect({ ...back?.params }).toEqual(params);
        },
      ),
    );
  });
});

describe('parseAuthHeader', () => {
  it('reads several challenges from one header value', () => {
    const parsed = parseAuthHeader(
      'Digest realm="a", nonce="1", algorithm=SHA-256, Digest realm="a", nonce="2", algorithm=MD5,' +
        ' Basic realm="b"',
    );
    expect(parsed.map((c) => [c.scheme, { ...c.params }])).toEqual([
      ['Digest', { realm: 'a', nonce: '1', algorithm: 'SHA-256' }],
      ['Digest', { realm: 'a', nonce: '2', algorithm: 'MD5' }],
      ['Basic', { realm: 'b' }],
    ]);
  });

  it('reads a scheme without parameters followed by another challenge (RFC 7235 §4.1)', () => {
    const parsed = parseAuthHeader('Negotiate, Digest realm="r", nonce="n"');
    expect(parsed.map((c) => [c.scheme, { ...c.params }])).toEqual([
      ['Negotiate', {}],
      ['Digest', { realm: 'r', nonce: 'n' }],
    ]);
  });

  it('keeps commas inside quoted values', () => {
    const [c] = parseAuthHeader('Digest realm="a, b", qop="auth,auth-int", nonce="x,y"');
    expect({ ...c?.params }).toEqual({ realm: 'a, b', qop: 'auth,auth-int', nonce: 'x,y' });
  });

  it('unescapes quoted-pairs', () => {
    const [c] = parseAuthHeader('Digest realm="say \\"hi\\" \\\\ there", nonce="n\\,"');
    expect(c?.params.realm).toBe('say "hi" \\ there');
    expect(c?.params.nonce).toBe('n,');
  });

  it('lower-cases parameter names and keeps the scheme as written', () => {
    const [c] = parseAuthHeader('digest REALM="r",Nonce="n" ,  Algorithm = SHA-256');
    expect(c?.scheme).toBe('digest');
    expect({ ...c?.params }).toEqual({ realm: 'r', nonce: 'n', algorithm: 'SHA-256' });
  });

  it('allows line folding whitespace between parameters', () => {
    const [c] = parseAuthHeader('Digest\r\n realm="r",\r\n\tnonce="n"');
    expect({ ...c?.params }).toEqual({ realm: 'r', nonce: 'n' });
  });

  it.each([
    '',
    '   ',
    '=',
    ',',
    'realm="r"',
    'Digest realm="unterminated',
    'Digest realm="r", "quoted"',
    '"Digest" realm="r"',
    'Digest @',
    'Digest realm=r, =x',
    'Digest réalm="r"',
  ])('throws SipParseError on %j', (text) => {
    expect(() => parseAuthHeader(text)).toThrow(SipParseError);
  });

  it('never throws anything but SipParseError (property)', () => {
    const alphabet = fc.constantFrom(
      'Digest',
      'realm',
      'a',
      '=',
      '"',
      '\\',
      ',',
      ' ',
      '\t',
      ';',
      'é',
      '\u0000',
    );
    const text = fc.oneof(
      fc.string(),
      fc.array(alphabet, { maxLength: 30 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (s) => {
        try {
          const parsed = parseAuthHeader(s);
          expect(parsed.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(SipParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
