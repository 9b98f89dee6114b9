// The proxy and B2BUA examples' apps with a registrar (their --domain flags), in virtual time: a
// user registers with the app, and a call for it goes to where it registered; a call for another
// domain still goes to --target. Then the B2BUA example from its command line sharing its
// bindings through redis-server with the registrar example: a SIPp UAS registered on the
// registrar is called through the B2BUA.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { b2buaApp } from '../../examples/b2bua/app.js';
import { proxyApp } from '../../examples/proxy/app.js';
import { MemoryLocationStore, Registrar } from '../../src/index.js';
import { ScriptedCallee, type SipTestKit, sipTestAsync } from '../../src/testing.js';
import { DOMAIN, party, register } from '../registrar/harness.js';
import { type ExampleProcess, startExample } from '../support/example-process.js';
import { freePort } from '../support/ports.js';
import { startRedis } from '../support/redis-server.js';
import { runSipp, startSipp } from '../support/sipp.js';
import { expectClean } from '../support/sipp-parties.js';
import { find, ladder, trace } from '../support/sipp-trace.js';

const log = pino({ level: 'silent' });
const history = (h: readonly string[]) => h.map((e) => e.replace(/^\d+ /, ''));

function setUp(kit: SipTestKit) {
  kit.network.hosts.set(DOMAIN, ['10.0.0.2']);
  const registrar = new Registrar({
    domains: [DOMAIN],
    store: new MemoryLocationStore({ scheduler: kit.scheduler }),
    scheduler: kit.scheduler,
  });
  const bobUa = party(kit, 'bob', '10.0.1.5');
  const bob = new ScriptedCallee('bob', '10.0.1.5', bobUa, kit.scheduler);
  const carol = kit.callee('carol', {}, '10.0.1.7');
  return { registrar, bobUa, bob, carol };
}

describe('examples: proxy and B2BUA route to registered users', () => {
  for (const [name, start] of [
    [
      'proxy',
      (kit: SipTestKit, registrar: Registrar) =>
        proxyApp(kit.app(), { targets: ['10.0.1.7'], forking: 'sequential', log, registrar }),
    ],
    [
      'b2bua',
      (kit: SipTestKit, registrar: Registrar) =>
        b2buaApp(kit.app(), { targets: ['sip:carol@10.0.1.7'], log, registrar }),
    ],
  ] as const) {
    it(`${name}: a call to a registered user reaches its contact; others go to --target`, async () => {
      await sipTestAsync(async (kit) => {
        const { registrar, bobUa, bob, carol } = setUp(kit);
        start(kit, registrar);
        expect((await register(bobUa, 'bob', { Contact: '<sip:bob@10.0.1.5>' })).status).toBe(200);
        const alice = kit.caller('alice');
        const toBob = alice.call(`sip:bob@${DOMAIN}`, { hangUpAfter: 500 });
        await kit.wait(1000);
        expect(history(toBob.history)).toEqual(['180', 'answered', 'hung up']);
        expect(history(bob.history)).toEqual(['invite', 'answered', 'ended']);
        const toCarol = alice.call('sip:carol@10.0.0.2', { hangUpAfter: 500 });
        const toNobody = alice.call(`sip:dave@${DOMAIN}`);
        await kit.wait(1000);
        expect(history(toCarol.history)).toEqual(['180', 'answered', 'hung up']);
        expect(history(carol.history)).toEqual(['invite', 'answered', 'ended']);
        expect(history(toNobody.history)).toEqual(['rejected 480']);
      });
    });
  }
});

const running: ExampleProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.stop();
});

describe('examples: the B2BUA finds users registered on the registrar example through Redis', () => {
  it('a SIPp UAS registered on the registrar is called through the B2BUA', async () => {
    const redis = await startRedis();
    try {
      const [registrarPort, b2buaPort, calleePort] = [await freePort(), await freePort(), await freePort()];
      const shared = ['--domain', DOMAIN, '--redis', redis.url];
      const registrar = startExample('registrar', ['--listen', `127.0.0.1:${registrarPort}`, ...shared]);
      const b2bua = startExample('b2bua', ['--listen', `127.0.0.1:${b2buaPort}`, ...shared]);
      running.push(registrar, b2bua);
      await registrar.listening([`udp 127.0.0.1:${registrarPort}`]);
      await b2bua.listening([`udp 127.0.0.1:${b2buaPort}`]);
      const bind = await runSipp({
        scenario: 'registrar-bind-open',
        target: `127.0.0.1:${registrarPort}`,
        service: 'bob',
        calls: 1,
        localPort: await freePort(),
        keys: { domain: DOMAIN, contact_port: String(calleePort) },
        timeoutSeconds: 10,
      });
      expectClean(bind);
      const callee = startSipp({
        sn: 'uas',
        target: '',
        server: true,
        localPort: calleePort,
        calls: 1,
        timeoutSeconds: 15,
      });
      await callee.ready();
      const caller = await runSipp({
        scenario: 'registrar-call',
        target: `127.0.0.1:${b2buaPort}`,
        service: 'bob',
        calls: 1,
        localPort: await freePort(),
        keys: { domain: DOMAIN },
        timeoutSeconds: 10,
      });
      const calleeResult = await callee.done;
      expectClean(caller);
      expectClean(calleeResult);
      const invite = find(trace(calleeResult), 'rxsip', 'INVITE');
      expect(invite?.uri).toBe(`sip:bob@127.0.0.1:${calleePort}`);
      expect(ladder(trace(calleeResult))).toEqual([
        'rxsip INVITE',
        'sipp 180 INVITE',
        'sipp 200 INVITE',
        'rxsip ACK',
        'rxsip BYE',
        'sipp 200 BYE',
      ]);
    } finally {
      await redis.stop();
    }
  });
});
