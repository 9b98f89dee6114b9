// What the digest server tests share: a virtual clock, an authenticator on it, requests, and a
// client's answer to a challenge (rxsip's own answerChallenge, checked against RFC 7616 vectors
// in test/sip/digest.test.ts).
import { VirtualTimeScheduler } from 'rxjs';
import { expect } from 'vitest';
import { DigestAuthenticator, type DigestAuthOptions, type DigestVerdict } from '../../src/index.js';
import {
  type AuthHeader,
  answerChallenge,
  createRequest,
  type DigestAlgorithm,
  parseAuthHeader,
  type SipRequest,
  stringifyAuthHeader,
} from '../../src/sip.js';

export const REALM = 'example.com';
export const USERS: Record<string, string> = { alice: 'wonderland', bob: 'builder' };

export function clock() {
  const scheduler = new VirtualTimeScheduler();
  return {
    scheduler,
    /** Moves the clock forward by `ms`. */
    advance(ms: number) {
      scheduler.schedule(() => undefined, ms);
      scheduler.flush();
    },
  };
}

export function authenticator(options: Partial<DigestAuthOptions> = {}) {
  const time = clock();
  const auth = new DigestAuthenticator({
    realm: REALM,
    users: (name) => USERS[name],
    scheduler: time.scheduler,
    ...options,
  });
  return { auth, time };
}

let calls = 0;
export function request(
  method = 'REGISTER',
  options: { uri?: string; callId?: string; contact?: string; body?: string } = {},
): SipRequest {
  return createRequest({
    method,
    uri: options.uri ?? 'sip:example.com',
    from: '<sip:alice@example.com>',
    callId: options.callId ?? `call-${++calls}`,
    headers: { Contact: options.contact ?? '<sip:alice@192.0.2.1>' },
    ...(options.body !== undefined ? { body: options.body, contentType: 'application/sdp' } : {}),
  });
}

/** The challenges of a response `auth.respond` sent, with the status. */
export function challengeOf(auth: DigestAuthenticator, req: SipRequest, verdict: DigestVerdict) {
  const sent: Array<{ status: number; headers: Record<string, string[]> }> = [];
  auth.respond(req, { send: (status, options) => sent.push({ status, headers: options.headers }) }, verdict);
  expect(sent).toHaveLength(1);
  const { status, headers } = sent[0] as (typeof sent)[0];
  const values = headers['WWW-Authenticate'] ?? headers['Proxy-Authenticate'] ?? [];
  return { status, headers, challenges: values.map((v) => parseAuthHeader(v)[0] as AuthHeader) };
}

/** Answers the challenge of `algorithm` as a client would, onto `req`. */
export function sign(
  req: SipRequest,
  challenge: AuthHeader,
  options: { password?: string; nc?: number; username?: string; qop?: string; uri?: string } = {},
): SipRequest {
  const offered = { ...challenge, params: { ...challenge.params } };
  if (options.qop !== undefined) offered.params.qop = options.qop;
  const creds = answerChallenge(offered, {
    username: options.username ?? 'alice',
    password: options.password ?? 'wonderland',
    method: req.method,
    uri: options.uri ?? req.uri,
    body: req.payload,
    nc: options.nc ?? 1,
  });
  req.set(req.method === 'REGISTER' ? 'Authorization' : 'Proxy-Authorization', stringifyAuthHeader(creds));
  return req;
}

export function firstChallenge(
  auth: DigestAuthenticator,
  method = 'REGISTER',
  algorithm: DigestAlgorithm = 'MD5',
) {
  const req = request(method);
  const { challenges } = challengeOf(auth, req, { kind: 'challenge' });
  const challenge = challenges.find((c) => c.params.algorithm === algorithm);
  if (!challenge) throw new Error(`no ${algorithm} challenge`);
  return challenge;
}
