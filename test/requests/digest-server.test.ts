// Server-side digest authentication, rule by rule, on a virtual clock: nonces we issued and
// signed, nc per nonce, realm, uri, qop auth/auth-int, the three algorithms, 401/407, and every
// replay of issue 15 refused. Nonce lifetimes and the bounded count table: digest-server-nonces.test.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestAuthenticator, type DigestAuthOptions, type DigestVerdict } from '../../src/index.js';
import type { AuthHeader, DigestAlgorithm } from '../../src/sip.js';
import { authenticator, challengeOf, firstChallenge, REALM, request, sign, USERS } from './digest-harness.js';

describe('DigestAuthenticator: challenges', () => {
  it('challenges REGISTER with 401 and WWW-Authenticate, one per algorithm, strongest first (RFC 7616 §3.7)', () => {
    const { auth } = authenticator();
    const req = request('REGISTER');
    expect(auth.verify(req)).toEqual({ kind: 'challenge' });
    const { status, headers, challenges } = challengeOf(auth, req, { kind: 'challenge' });
    expect(status).toBe(401);
    expect(Object.keys(headers)).toEqual(['WWW-Authenticate']);
    expect(challenges.map((c) => c.params.algorithm)).toEqual(['SHA-512-256', 'SHA-256', 'MD5']);
    for (const c of challenges) {
      expect(c.params).toMatchObject({ realm: REALM, qop: 'auth' });
      expect(c.params.stale).toBeUndefined();
    }
    // One nonce for the three, a new one for each challenge.
    expect(new Set(challenges.map((c) => c.params.nonce)).size).toBe(1);
    expect(challengeOf(auth, req, { kind: 'challenge' }).challenges[0]?.params.nonce).not.toBe(
      challenges[0]?.params.nonce,
    );
  });

  it('challenges other methods with 407 and Proxy-Authenticate, and reads Proxy-Authorization', () => {
    const { auth } = authenticator();
    const invite = request('INVITE', { uri: 'sip:bob@example.com' });
    const { status, headers, challenges } = challengeOf(auth, invite, auth.verify(invite) as DigestVerdict);
    expect(status).toBe(407);
    expect(Object.keys(headers)).toEqual(['Proxy-Authenticate']);
    const signed = sign(request('INVITE', { uri: 'sip:bob@example.com' }), challenges[2] as AuthHeader);
    expect(signed.has('proxy-authorization')).toBe(true);
    expect(auth.verify(signed)).toMatchObject({ kind: 'ok', username: 'alice' });
    // An Authorization header is not what a 407 asks for.
    const wrongHeader = request('INVITE', { uri: 'sip:bob@example.com' });
    wrongHeader.set('Authorization', signed.get('proxy-authorization') ?? '');
    expect(auth.verify(wrongHeader)).toEqual({ kind: 'challenge' });
  });

  it('challengeWith: 401 makes every method a UAS challenge (RFC 3261 §22.2)', () => {
    const { auth } = authenticator({ challengeWith: 401 });
    expect(challengeOf(auth, request('INVITE'), { kind: 'challenge' }).status).toBe(401);
  });

  it('offers auth-int when asked, and only the algorithms configured', () => {
    const { auth } = authenticator({ qop: ['auth', 'auth-int'], algorithms: ['SHA-256'] });
    const { challenges } = challengeOf(auth, request(), { kind: 'challenge' });
    expect(challenges).toHaveLength(1);
    expect(challenges[0]?.params).toMatchObject({ algorithm: 'SHA-256', qop: 'auth,auth-int' });
  });
});

describe('DigestAuthenticator: good credentials', () => {
  for (const algorithm of ['MD5', 'SHA-256', 'SHA-512-256'] as const) {
    for (const qop of ['auth', 'auth-int'] as const) {
      it(`accepts ${algorithm} with qop=${qop}`, () => {
        const { auth } = authenticator({ qop: ['auth', 'auth-int'] });
        const challenge = firstChallenge(auth, 'INVITE', algorithm);
        const req = sign(request('INVITE', { uri: 'sip:bob@example.com', body: 'v=0\r\n' }), challenge, {
          qop,
        });
        expect(auth.verify(req)).toEqual({ kind: 'ok', username: 'alice', realm: REALM, algorithm, qop });
      });
    }
  }

  it('auth-int covers the body: the same credentials over another body are refused', () => {
    const { auth } = authenticator({ qop: ['auth-int'] });
    const challenge = firstChallenge(auth, 'INVITE');
    const signed = sign(request('INVITE', { body: 'v=0\r\no=original\r\n' }), challenge);
    const tampered = request('INVITE', { body: 'v=0\r\no=changed\r\n' });
    tampered.set('Proxy-Authorization', signed.get('proxy-authorization') ?? '');
    expect(auth.verify(tampered)).toEqual({ kind: 'bad', reason: 'response', username: 'alice' });
    expect(auth.verify(signed)).toMatchObject({ kind: 'ok', qop: 'auth-int' });
  });

  it('takes H(A1) instead of a password, and a lookup that answers later', async () => {
    const ha1 = createHash('md5').update(`alice:${REALM}:wonderland`).digest('hex');
    const seen: string[] = [];
    const { auth } = authenticator({
      users: (name, realm, algorithm) => {
        seen.push(`${name}/${realm}/${algorithm}`);
        return Promise.resolve(name === 'alice' ? { ha1 } : undefined);
      },
    });
    const req = sign(request(), firstChallenge(auth));
    const verdict = auth.verify(req);
    expect(verdict).toBeInstanceOf(Promise);
    expect(await verdict).toMatchObject({ kind: 'ok', username: 'alice', algorithm: 'MD5' });
    expect(seen).toEqual([`alice/${REALM}/MD5`]);
  });

  it('each nc of a nonce is accepted once, in increasing order', () => {
    const { auth } = authenticator();
    const challenge = firstChallenge(auth);
    for (const nc of [1, 2, 5])
      expect(auth.verify(sign(request(), challenge, { nc }))).toMatchObject({ kind: 'ok' });
  });
});

describe('DigestAuthenticator: replays and forgeries are refused (issue 15)', () => {
  it('the same Authorization under a new Call-ID and an attacker Contact', () => {
    const { auth } = authenticator();
    const genuine = sign(request(), firstChallenge(auth));
    expect(auth.verify(genuine)).toMatchObject({ kind: 'ok' });
    for (let i = 0; i < 5; i++) {
      const replay = request('REGISTER', { callId: `attacker-${i}`, contact: '<sip:mallory@203.0.113.66>' });
      replay.set('Authorization', genuine.get('authorization') ?? '');
      const verdict = auth.verify(replay) as DigestVerdict;
      expect(verdict).toEqual({ kind: 'bad', reason: 'replay', username: 'alice' });
      // Answered with a new challenge, not stale and not 403.
      const answer = challengeOf(auth, replay, verdict);
      expect(answer.status).toBe(401);
      expect(answer.challenges[0]?.params.stale).toBeUndefined();
    }
  });

  it('for another Request-URI (the uri parameter must be the Request-URI)', () => {
    const { auth } = authenticator();
    const challenge = firstChallenge(auth, 'INVITE');
    const genuine = sign(request('INVITE', { uri: 'sip:bob@example.com' }), challenge);
    const elsewhere = request('INVITE', { uri: 'sip:premium-rate@example.com' });
    elsewhere.set('Proxy-Authorization', genuine.get('proxy-authorization') ?? '');
    expect(auth.verify(elsewhere)).toEqual({ kind: 'bad', reason: 'uri' });
    // Signed honestly for a uri that is not the Request-URI: the same.
    const mismatched = sign(request('INVITE', { uri: 'sip:premium-rate@example.com' }), challenge, {
      uri: 'sip:bob@example.com',
    });
    expect(auth.verify(mismatched)).toEqual({ kind: 'bad', reason: 'uri' });
    // An equivalent URI (RFC 3261 §19.1.4: host case) is the same URI.
    const equivalent = sign(request('INVITE', { uri: 'sip:bob@EXAMPLE.com' }), challenge, {
      uri: 'sip:bob@example.com',
      nc: 2,
    });
    expect(auth.verify(equivalent)).toMatchObject({ kind: 'ok' });
  });

  it('nonce="forged-by-client", a nonce of another secret, and one of another realm', () => {
    const { auth, time } = authenticator({ secret: 'the secret of node A' });
    const base = firstChallenge(auth);
    const forged = sign(request(), { ...base, params: { ...base.params, nonce: 'forged-by-client' } });
    expect(auth.verify(forged)).toEqual({ kind: 'bad', reason: 'nonce' });
    const other = new DigestAuthenticator({
      realm: REALM,
      users: (n) => USERS[n],
      secret: 'the secret of node B',
      scheduler: time.scheduler,
    });
    expect(auth.verify(sign(request(), firstChallenge(other)))).toEqual({ kind: 'bad', reason: 'nonce' });
    // Same secret, another realm: its nonces are not ours either.
    const otherRealm = new DigestAuthenticator({
      realm: 'other.example',
      users: (n) => USERS[n],
      secret: 'the secret of node A',
      scheduler: time.scheduler,
    });
    const foreign = firstChallenge(otherRealm);
    const moved = sign(request(), { ...foreign, params: { ...foreign.params, realm: REALM } });
    expect(auth.verify(moved)).toEqual({ kind: 'bad', reason: 'nonce' });
    // A nonce with its timestamp altered no longer matches its MAC.
    const bytes = Buffer.from(base.params.nonce ?? '', 'base64url');
    bytes[7] = (bytes[7] ?? 0) ^ 1;
    const altered = sign(request(), {
      ...base,
      params: { ...base.params, nonce: bytes.toString('base64url') },
    });
    expect(auth.verify(altered)).toEqual({ kind: 'bad', reason: 'nonce' });
  });

  it('nc going backwards, or staying the same', () => {
    const { auth } = authenticator();
    const challenge = firstChallenge(auth);
    expect(auth.verify(sign(request(), challenge, { nc: 3 }))).toMatchObject({ kind: 'ok' });
    expect(auth.verify(sign(request(), challenge, { nc: 2 }))).toMatchObject({ reason: 'replay' });
    expect(auth.verify(sign(request(), challenge, { nc: 3 }))).toMatchObject({ reason: 'replay' });
    expect(auth.verify(sign(request(), challenge, { nc: 4 }))).toMatchObject({ kind: 'ok' });
  });

  it('a wrong password is not counted: the real user keeps nc=1', () => {
    const { auth } = authenticator();
    const challenge = firstChallenge(auth);
    expect(auth.verify(sign(request(), challenge, { password: 'guess', nc: 9 }))).toEqual({
      kind: 'bad',
      reason: 'response',
      username: 'alice',
    });
    expect(auth.verify(sign(request(), challenge, { nc: 1 }))).toMatchObject({ kind: 'ok' });
  });

  it('digest without qop (RFC 2069, no nc to count), an algorithm not offered, malformed headers', () => {
    const { auth } = authenticator({ algorithms: ['SHA-256'] });
    const challenge = firstChallenge(auth, 'REGISTER', 'SHA-256');
    const bare = { ...challenge, params: { ...challenge.params } };
    delete bare.params.qop;
    expect(auth.verify(sign(request(), bare))).toEqual({ kind: 'bad', reason: 'qop' });
    expect(
      auth.verify(sign(request(), { ...challenge, params: { ...challenge.params, algorithm: 'MD5' } })),
    ).toEqual({ kind: 'bad', reason: 'algorithm' });
    const broken = request();
    broken.set('Authorization', 'Digest username="alice", realm="example.com", nonce="unterminated');
    expect(auth.verify(broken)).toEqual({ kind: 'bad', reason: 'malformed' });
    const noNc = sign(request(), challenge);
    noNc.set('Authorization', (noNc.get('authorization') ?? '').replace(/, nc=\w+/, ''));
    expect(auth.verify(noNc)).toEqual({ kind: 'bad', reason: 'malformed' });
  });

  it('credentials for another realm are not ours: challenged, not refused', () => {
    const { auth } = authenticator();
    const challenge = firstChallenge(auth);
    const req = sign(request(), { ...challenge, params: { ...challenge.params, realm: 'upstream.example' } });
    expect(auth.verify(req)).toEqual({ kind: 'challenge' });
  });
});

describe('DigestAuthenticator: users', () => {
  it('an unknown user is challenged again; a known user with a wrong password too, or 403 with forbidden', () => {
    const { auth } = authenticator();
    const challenge = firstChallenge(auth);
    const unknown = sign(request(), challenge, { username: 'mallory' });
    const verdict = auth.verify(unknown) as DigestVerdict;
    expect(verdict).toEqual({ kind: 'bad', reason: 'unknown-user' });
    expect(challengeOf(auth, unknown, verdict).status).toBe(401);
    const wrong = sign(request(), challenge, { password: 'guess' });
    expect(challengeOf(auth, wrong, auth.verify(wrong) as DigestVerdict).status).toBe(401);

    const strict = authenticator({ forbidden: true }).auth;
    const c2 = firstChallenge(strict);
    const wrong2 = sign(request(), c2, { password: 'guess' });
    const sent: number[] = [];
    strict.respond(wrong2, { send: (status) => sent.push(status) }, strict.verify(wrong2) as DigestVerdict);
    // An unknown user still gets a challenge: 403 would tell who exists.
    const unknown2 = sign(request(), c2, { username: 'mallory' });
    strict.respond(
      unknown2,
      { send: (status) => sent.push(status) },
      strict.verify(unknown2) as DigestVerdict,
    );
    expect(sent).toEqual([403, 401]);
  });
});

describe('DigestAuthenticator: options', () => {
  it('a bad option is a TypeError naming it', () => {
    const users = () => undefined;
    expect(() => new DigestAuthenticator({ realm: '', users })).toThrow(/digest auth options: realm/);
    expect(() => new DigestAuthenticator({ realm: REALM, users, secret: 'short' })).toThrow(
      /digest auth options: secret: at least 16 bytes/,
    );
    expect(
      () => new DigestAuthenticator({ realm: REALM, users, algorithms: ['SHA-1' as DigestAlgorithm] }),
    ).toThrow(/digest auth options: algorithms\.0/);
    expect(
      () => new DigestAuthenticator({ realm: REALM, users, nonceLifetme: 5 } as DigestAuthOptions),
    ).toThrow(/digest auth options: nonceLifetme: unknown option/);
    expect(() => new DigestAuthenticator({ realm: REALM, users, challengeWith: 403 as 401 })).toThrow(
      /digest auth options: challengeWith/,
    );
  });
});
