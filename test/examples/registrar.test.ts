// The registrar example as its command line runs it, against SIPp on 127.0.0.1: a phone
// registers through a 401 (MD5, SIPp's -au/-ap), refreshes, is refused 423 under Min-Expires and
// unregisters; then a SIPp UAS that registered is called through the registrar by a SIPp caller.
import { afterEach, describe, expect, it } from 'vitest';
import { type ExampleProcess, startExample } from '../support/example-process.js';
import { freePort } from '../support/ports.js';
import { runSipp, startSipp } from '../support/sipp.js';
import { expectClean } from '../support/sipp-parties.js';
import { find, header, ladder, trace } from '../support/sipp-trace.js';

const DOMAIN = 'example.test';
const running: ExampleProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.stop();
});

async function registrarExample(extra: string[] = []): Promise<number> {
  const port = await freePort();
  const child = startExample('registrar', [
    '--listen',
    `127.0.0.1:${port}`,
    '--domain',
    DOMAIN,
    '--users',
    'alice:secret-a,bob:secret-b',
    '--algorithms',
    'MD5',
    ...extra,
  ]);
  running.push(child);
  await child.listening([`udp 127.0.0.1:${port}`]);
  return port;
}

describe('examples/registrar against SIPp', () => {
  it('register through 401, refresh, 423 with Min-Expires, unregister', async () => {
    const port = await registrarExample();
    const result = await runSipp({
      scenario: 'registrar-register',
      target: `127.0.0.1:${port}`,
      service: 'alice',
      calls: 1,
      localPort: await freePort(),
      keys: { domain: DOMAIN },
      extra: ['-au', 'alice', '-ap', 'secret-a'],
      timeoutSeconds: 10,
    });
    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp REGISTER',
      'rxsip 401 REGISTER',
      'sipp REGISTER',
      'rxsip 200 REGISTER',
      'sipp REGISTER',
      'rxsip 200 REGISTER',
      'sipp REGISTER',
      'rxsip 423 REGISTER',
      'sipp REGISTER',
      'rxsip 200 REGISTER',
    ]);
    expect(header(find(wire, 'rxsip', '401 REGISTER'), 'www-authenticate')).toMatch(
      /^Digest realm="example\.test", nonce="[\w-]+", algorithm=MD5, qop="auth"$/,
    );
    expect(header(find(wire, 'rxsip', '423 REGISTER'), 'min-expires')).toBe('60');
  });

  it('a wrong password is challenged again, and a wrong domain gets 404', async () => {
    const port = await registrarExample();
    const wrong = await runSipp({
      scenario: 'registrar-bind',
      target: `127.0.0.1:${port}`,
      service: 'alice',
      calls: 1,
      localPort: await freePort(),
      keys: { domain: DOMAIN, contact_port: '5099' },
      extra: ['-au', 'alice', '-ap', 'wrong'],
      timeoutSeconds: 5,
    });
    // The scenario waits for a 200: SIPp fails on the second 401 (and sends a BYE of its own).
    expect(wrong.failed, wrong.stdout).toBe(1);
    expect(ladder(trace(wrong)).slice(0, 4)).toEqual([
      'sipp REGISTER',
      'rxsip 401 REGISTER',
      'sipp REGISTER',
      'rxsip 401 REGISTER',
    ]);
    const foreign = await runSipp({
      scenario: 'registrar-bind',
      target: `127.0.0.1:${port}`,
      service: 'alice',
      calls: 1,
      localPort: await freePort(),
      keys: { domain: 'elsewhere.test', contact_port: '5099' },
      extra: ['-au', 'alice', '-ap', 'secret-a'],
      timeoutSeconds: 5,
    });
    expect(ladder(trace(foreign)).slice(0, 2)).toEqual(['sipp REGISTER', 'rxsip 404 REGISTER']);
  });

  it('a call to a registered user reaches the SIPp UAS that registered, record-routed through the registrar', async () => {
    const port = await registrarExample();
    const calleePort = await freePort();
    const bind = await runSipp({
      scenario: 'registrar-bind',
      target: `127.0.0.1:${port}`,
      service: 'bob',
      calls: 1,
      localPort: await freePort(),
      keys: { domain: DOMAIN, contact_port: String(calleePort) },
      extra: ['-au', 'bob', '-ap', 'secret-b'],
      timeoutSeconds: 10,
    });
    expectClean(bind);
    const callee = startSipp({
      scenario: 'proxy-callee-answers',
      target: '',
      server: true,
      localPort: calleePort,
      calls: 1,
      timeoutSeconds: 15,
    });
    await callee.ready();
    const caller = await runSipp({
      scenario: 'registrar-call',
      target: `127.0.0.1:${port}`,
      service: 'bob',
      calls: 1,
      localPort: await freePort(),
      keys: { domain: DOMAIN },
      timeoutSeconds: 10,
    });
    const calleeResult = await callee.done;
    expectClean(caller);
    expectClean(calleeResult);
    const wireB = trace(calleeResult);
    expect(ladder(wireB)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const invite = find(wireB, 'rxsip', 'INVITE');
    expect(invite?.uri).toBe(`sip:bob@127.0.0.1:${calleePort}`);
    expect(header(invite, 'record-route')).toBe(`<sip:127.0.0.1:${port};lr>`);
    // A user nobody registered: 480.
    const nobody = await runSipp({
      scenario: 'registrar-call',
      target: `127.0.0.1:${port}`,
      service: 'carol',
      calls: 1,
      localPort: await freePort(),
      keys: { domain: DOMAIN },
      timeoutSeconds: 5,
    });
    expect(ladder(trace(nobody))).toContain('rxsip 480 INVITE');
  });
});
