// Server-side digest authentication against real clients on 127.0.0.1: SIPp's [authentication]
// (REGISTER 401, INVITE 407, and a captured Authorization replayed under a new Call-ID) and
// sipsak's usrloc mode. SIPp and sipsak answer only MD5 and read only the first challenge, so
// the authenticator here offers MD5 alone.
import { spawn, spawnSync } from 'node:child_process';
import { pino } from 'pino';
import { mergeMap } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { authenticate, DigestAuthenticator, Srf, uas$ } from '../../src/index.js';
import { freePort } from '../support/ports.js';
import { runSipp } from '../support/sipp.js';
import { RXSIP_SDP } from '../support/sipp-sdp.js';
import { find, header, ladder, trace } from '../support/sipp-trace.js';

const USERS: Record<string, string> = { alice: 'secret-alice', bob: 'secret-bob' };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** rxsip authenticating REGISTER (answered 200) and INVITE (answered as a UAS), on a free port. */
async function registrar() {
  const port = await freePort();
  const srf = new Srf({ logger: pino({ level: 'silent' }) });
  await srf.start({ listen: [`127.0.0.1:${port}`] });
  cleanups.push(() => srf.close());
  const auth = new DigestAuthenticator({ realm: 'rxsip.test', users: (u) => USERS[u], algorithms: ['MD5'] });
  const registered: Array<{ user: string; callId: string; contact: string | undefined }> = [];
  srf.register$.pipe(authenticate(auth)).subscribe(({ req, res, auth: who }) => {
    registered.push({ user: who.username, callId: req.callId, contact: req.get('contact') });
    res.send(200, { headers: { Contact: req.get('contact') ?? '', Expires: 60 } });
  });
  srf.invite$
    .pipe(
      authenticate(auth),
      mergeMap((call) => uas$(call, { localSdp: RXSIP_SDP })),
    )
    .subscribe();
  return { port, registered };
}

function sipp(
  scenario: string,
  port: number,
  extra: { keys?: Record<string, string>; password?: string } = {},
) {
  return freePort().then((localPort) =>
    runSipp({
      scenario,
      target: `127.0.0.1:${port}`,
      service: 'alice',
      calls: 1,
      localPort,
      timeoutSeconds: 10,
      keys: extra.keys,
      extra: ['-au', 'alice', '-ap', extra.password ?? 'secret-alice'],
    }),
  );
}

/** Runs sipsak (Debian package sipsak) to completion: its exit code and output. */
function sipsak(args: string[]): Promise<{ code: number; output: string }> {
  if (spawnSync('sh', ['-c', 'command -v sipsak'], { stdio: 'ignore' }).status !== 0)
    throw new Error(
      'sipsak is not installed: run `npm test` (it installs it when root) or `apt-get install -y sipsak`',
    );
  return new Promise((resolve, reject) => {
    const child = spawn('sipsak', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill(), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

describe('digest authentication against SIPp', () => {
  it('SIPp registers through a 401 with MD5 qop=auth, and refreshes on the same nonce with nc=2', async () => {
    const { port, registered } = await registrar();
    const result = await sipp('auth-register', port);
    expect(result.code, result.stdout + result.errors).toBe(0);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp REGISTER',
      'rxsip 401 REGISTER',
      'sipp REGISTER',
      'rxsip 200 REGISTER',
      'sipp REGISTER',
      'rxsip 200 REGISTER',
    ]);
    const challenge = header(find(wire, 'rxsip', '401 REGISTER'), 'www-authenticate') ?? '';
    expect(challenge).toMatch(/^Digest realm="rxsip.test", nonce="[\w-]{43}", algorithm=MD5, qop="auth"$/);
    const answers = wire.filter((m) => m.method === 'REGISTER' && m.headers.has('authorization'));
    expect(answers.map((m) => /nc=(\w+)/.exec(header(m, 'authorization') ?? '')?.[1])).toEqual([
      '00000001',
      '00000002',
    ]);
    expect(registered.map((r) => r.user)).toEqual(['alice', 'alice']);
  });

  it('a captured Authorization replayed by SIPp under a new Call-ID is challenged again', async () => {
    const { port, registered } = await registrar();
    const first = await sipp('auth-register', port);
    expect(first.code, first.stdout).toBe(0);
    const captured = header(
      trace(first).find((m) => m.method === 'REGISTER' && m.headers.has('authorization')),
      'authorization',
    );
    expect(captured).toContain('nc=00000001');
    const replay = await sipp('auth-replay', port, { keys: { authorization: captured ?? '' } });
    // The scenario expects a 401: SIPp exits 0 only when it got one.
    expect(replay.code, replay.stdout + replay.errors).toBe(0);
    const wire = trace(replay);
    expect(ladder(wire)).toEqual(['sipp REGISTER', 'rxsip 401 REGISTER']);
    expect(header(find(wire, 'sipp', 'REGISTER'), 'authorization')).toBe(captured);
    expect(header(find(wire, 'sipp', 'REGISTER'), 'call-id')).not.toBe(header(trace(first)[0], 'call-id'));
    // Only the two genuine registrations reached the application; the attacker's Contact did not.
    expect(registered).toHaveLength(2);
    expect(registered.some((r) => r.contact?.includes('attacker'))).toBe(false);
  });

  it('SIPp with a wrong password is challenged again instead of registered', async () => {
    const { port, registered } = await registrar();
    const result = await sipp('auth-register', port, { password: 'guess' });
    expect(result.code).not.toBe(0);
    expect(ladder(trace(result)).slice(0, 4)).toEqual([
      'sipp REGISTER',
      'rxsip 401 REGISTER',
      'sipp REGISTER',
      'rxsip 401 REGISTER',
    ]);
    expect(registered).toEqual([]);
  });

  it('an INVITE is challenged 407 with Proxy-Authenticate; SIPp answers and the call is set up', async () => {
    const { port } = await registrar();
    const result = await sipp('auth-invite', port);
    expect(result.code, result.stdout + result.errors).toBe(0);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 407 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expect(header(find(wire, 'rxsip', '407 INVITE'), 'proxy-authenticate')).toMatch(
      /^Digest realm="rxsip.test"/,
    );
    const retry = wire.filter((m) => m.method === 'INVITE')[1];
    expect(header(retry, 'proxy-authorization')).toMatch(/^Digest username="alice",realm="rxsip.test"/);
  });
});

describe('digest authentication against sipsak', () => {
  it('sipsak -U registers with its password through the 401', async () => {
    const { port, registered } = await registrar();
    const { code, output } = await sipsak([
      '-U',
      '-s',
      `sip:alice@127.0.0.1:${port}`,
      '-u',
      'alice',
      '-a',
      'secret-alice',
      '-i',
      '-vv',
    ]);
    expect(code, output).toBe(0);
    expect(output).toContain('All usrloc tests completed successful');
    expect(registered.map((r) => r.user)).toEqual(['alice']);
  });

  it('sipsak with a wrong password does not register', async () => {
    const { port, registered } = await registrar();
    const { code, output } = await sipsak([
      '-U',
      '-s',
      `sip:alice@127.0.0.1:${port}`,
      '-u',
      'alice',
      '-a',
      'guess',
      '-i',
    ]);
    expect(code, output).not.toBe(0);
    expect(registered).toEqual([]);
  });
});
