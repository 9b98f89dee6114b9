// The drachtio middleware published on npm, unchanged, on rxsip/drachtio: a registrar made of
// drachtio-mw-registration-parser and drachtio-mw-digest-auth, against SIPp over UDP on 127.0.0.1.
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Handler, type Registration, Srf } from '../../src/drachtio.js';
import { freePort } from '../support/ports.js';
import { runSipp } from '../support/sipp.js';
import { expectClean } from '../support/sipp-parties.js';
import { find, header, ladder, trace } from '../support/sipp-trace.js';

const require = createRequire(import.meta.url);
const registrationParser = require('drachtio-mw-registration-parser') as Handler;
type PasswordLookup = (
  username: string,
  realm: string,
  cb: (err: Error | null, password?: string) => void,
) => void;
const digestAuth = require('drachtio-mw-digest-auth') as (opts: {
  realm: string;
  passwordLookup: PasswordLookup;
}) => Handler;

const USERS: Record<string, string> = { alice: 's3cret' };
let srf: Srf | undefined;
afterEach(async () => {
  await srf?.close();
  srf = undefined;
});

/** A registrar written as drachtio-srf apps write it, on rxsip/drachtio. */
async function registrar(): Promise<{ port: number; registrations: Registration[] }> {
  const port = await freePort();
  const registrations: Registration[] = [];
  srf = new Srf({ logger: pino({ level: 'silent' }) });
  srf.use('register', registrationParser);
  srf.use(
    'register',
    digestAuth({
      realm: 'example.test',
      passwordLookup: (username, _realm, cb) => cb(null, USERS[username]),
    }),
  );
  srf.register((req, res) => {
    // Typed: drachtio-mw-registration-parser's result is part of rxsip/drachtio's Request.
    const registration = req.registration as Registration;
    registrations.push(registration);
    res.send(200, { headers: { Contact: req.get('Contact') ?? '', Expires: registration.expires } });
  });
  await srf.start({ listen: [`127.0.0.1:${port}`] });
  return { port, registrations };
}

async function register(port: number, password: string) {
  return runSipp({
    scenario: 'mw-register',
    target: `127.0.0.1:${port}`,
    service: 'alice',
    calls: 1,
    localPort: await freePort(),
    timeoutSeconds: 10,
    extra: ['-au', 'alice', '-ap', password],
  });
}

describe('drachtio-mw-registration-parser and drachtio-mw-digest-auth (npm) on rxsip/drachtio', () => {
  it('challenges a REGISTER (401), accepts the right digest (200), and the handler gets req.registration', async () => {
    const { port, registrations } = await registrar();
    const result = await register(port, 's3cret');
    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp REGISTER',
      'rxsip 401 REGISTER',
      'sipp REGISTER',
      'rxsip 200 REGISTER',
    ]);
    expect(header(find(wire, 'rxsip', '401 REGISTER'), 'www-authenticate')).toMatch(
      /^Digest realm="example\.test", algorithm=MD5, qop="auth", nonce="[^"]+"$/,
    );
    expect(header(find(wire, 'sipp', 'REGISTER', 1), 'authorization')).toMatch(/username="alice"/);
    expect(header(find(wire, 'rxsip', '200 REGISTER'), 'expires')).toBe('3600');
    expect(registrations).toEqual([
      expect.objectContaining({ type: 'register', expires: 3600, aor: 'sip:alice@example.test' }),
    ]);
  });

  it('answers 403 to a digest made with a wrong password; the handler never runs', async () => {
    const { port, registrations } = await registrar();
    const result = await register(port, 'wrong');
    expectClean(result);
    expect(ladder(trace(result))).toEqual([
      'sipp REGISTER',
      'rxsip 401 REGISTER',
      'sipp REGISTER',
      'rxsip 403 REGISTER',
    ]);
    expect(registrations).toEqual([]);
  });
});
