// Server-side digest authentication over time: nonces expire into stale=true, nodes sharing a
// secret take each other's nonces, and the bounded nc table never lets a dropped nonce be replayed.
import { describe, expect, it } from 'vitest';
import { DigestAuthenticator, type DigestVerdict } from '../../src/index.js';
import type { AuthHeader } from '../../src/sip.js';
import {
  authenticator,
  challengeOf,
  clock,
  firstChallenge,
  REALM,
  request,
  sign,
  USERS,
} from './digest-harness.js';

describe('DigestAuthenticator: nonce lifetime', () => {
  it('good credentials with an expired nonce are stale: a new challenge with stale=true', () => {
    const { auth, time } = authenticator({ nonceLifetime: 60 });
    const challenge = firstChallenge(auth);
    time.advance(59_999);
    expect(auth.verify(sign(request(), challenge, { nc: 1 }))).toMatchObject({ kind: 'ok' });
    time.advance(1);
    const late = sign(request(), challenge, { nc: 2 });
    const verdict = auth.verify(late) as DigestVerdict;
    expect(verdict).toEqual({ kind: 'stale', username: 'alice' });
    const { status, challenges } = challengeOf(auth, late, verdict);
    expect(status).toBe(401);
    expect(challenges.every((c) => c.params.stale === 'true')).toBe(true);
    // The new nonce works.
    const fresh = challenges.find((c) => c.params.algorithm === 'MD5') as AuthHeader;
    expect(auth.verify(sign(request(), fresh))).toMatchObject({ kind: 'ok' });
    // A wrong password with an expired nonce is not stale: stale says the credentials were right.
    expect(auth.verify(sign(request(), challenge, { nc: 3, password: 'guess' }))).toMatchObject({
      kind: 'bad',
      reason: 'response',
    });
  });

  it('nodes sharing the secret take each other nonces, and each refuses the replays it sees', () => {
    const time = clock();
    const node = () =>
      new DigestAuthenticator({
        realm: REALM,
        users: (n) => USERS[n],
        secret: 'one secret for the whole cluster',
        scheduler: time.scheduler,
        nonceLifetime: 30,
      });
    const a = node();
    const b = node();
    const challenge = firstChallenge(a);
    time.advance(10_000);
    expect(b.verify(sign(request(), challenge, { nc: 1 }))).toMatchObject({ kind: 'ok' });
    expect(b.verify(sign(request(), challenge, { nc: 1 }))).toMatchObject({ reason: 'replay' });
    time.advance(20_000);
    expect(b.verify(sign(request(), challenge, { nc: 2 }))).toMatchObject({ kind: 'stale' });
  });

  it('the nc table is bounded: a nonce whose count was dropped is stale, never replayable', () => {
    const { auth, time } = authenticator({ maxNonces: 2 });
    const first = firstChallenge(auth);
    time.advance(1000);
    const second = firstChallenge(auth);
    time.advance(1000);
    const third = firstChallenge(auth);
    const used = sign(request(), first, { nc: 1 });
    expect(auth.verify(used)).toMatchObject({ kind: 'ok' });
    expect(auth.verify(sign(request(), second))).toMatchObject({ kind: 'ok' });
    expect(auth.verify(sign(request(), third))).toMatchObject({ kind: 'ok' });
    // `first` left the table for `third`: its replay is not accepted, its next nc is stale.
    const replay = request();
    replay.set('Authorization', used.get('authorization') ?? '');
    expect(auth.verify(replay)).toEqual({ kind: 'stale', username: 'alice' });
    expect(auth.verify(sign(request(), first, { nc: 2 }))).toEqual({ kind: 'stale', username: 'alice' });
    // The ones still tracked keep counting.
    expect(auth.verify(sign(request(), third, { nc: 2 }))).toMatchObject({ kind: 'ok' });
    expect(auth.verify(sign(request(), third, { nc: 2 }))).toMatchObject({ reason: 'replay' });
  });
});
