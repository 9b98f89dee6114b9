// The registrar routing calls to registered users, in virtual time: the contacts tried in q
// order, 480 for a user with none, 404 for another domain, and RFC 5626 flows: a user registered
// over TCP with +sip.instance and reg-id is called back over that connection, and no longer once
// it has closed.
import { describe, expect, it } from 'vitest';
import type { ProxyResult, Srf } from '../../src/index.js';
import { type MemoryEngine, ScriptedCallee, type SipTestKit, sipTestAsync } from '../../src/testing.js';
import { DOMAIN, party, register, registrarApp } from './harness.js';

const INSTANCE = '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>';

function routingApp(kit: SipTestKit) {
  const app = registrarApp(kit);
  kit.network.hosts.set(DOMAIN, ['10.0.0.2']);
  const results: ProxyResult[] = [];
  app.srf.invite$.pipe(app.registrar.route()).subscribe((r) => results.push(r));
  return { ...app, results };
}

function callee(kit: SipTestKit, srf: Srf, name: string, address: string, reject?: number): ScriptedCallee {
  return new ScriptedCallee(name, address, srf, kit.scheduler, reject ? { reject } : {});
}

describe('registrar: routing to registered users', () => {
  it('proxies a call for a registered user to its contact; 480 for a user with none, 404 elsewhere', async () => {
    await sipTestAsync(async (kit) => {
      const { results } = routingApp(kit);
      const bobUa = party(kit, 'bob', '10.0.1.5');
      const bob = callee(kit, bobUa, 'bob', '10.0.1.5');
      expect((await register(bobUa, 'bob', { Contact: '<sip:bob@10.0.1.5>' })).status).toBe(200);
      const alice = kit.caller('alice');
      alice.call(`sip:bob@${DOMAIN}`, { hangUpAfter: 1000 });
      await kit.wait(2000);
      expect(bob.history.map((h) => h.replace(/^\d+ /, ''))).toEqual(['invite', 'answered', 'ended']);
      expect(results.map((r) => r.finalStatus)).toEqual([200]);
      const nobody = alice.call(`sip:carol@${DOMAIN}`);
      const elsewhere = alice.call('sip:bob@10.0.0.2');
      await kit.wait(100);
      expect(nobody.history.map((h) => h.replace(/^\d+ /, ''))).toEqual(['rejected 480']);
      expect(elsewhere.history.map((h) => h.replace(/^\d+ /, ''))).toEqual(['rejected 404']);
    });
  });

  it('tries the contacts in q order: the first refuses, the next answers', async () => {
    await sipTestAsync(async (kit) => {
      routingApp(kit);
      const deskUa = party(kit, 'desk', '10.0.1.5');
      const mobileUa = party(kit, 'mobile', '10.0.1.6');
      const desk = callee(kit, deskUa, 'desk', '10.0.1.5');
      const mobile = callee(kit, mobileUa, 'mobile', '10.0.1.6', 486);
      await register(deskUa, 'bob', { Contact: '<sip:bob@10.0.1.5>;q=0.4' });
      await register(mobileUa, 'bob', { Contact: '<sip:bob@10.0.1.6>;q=0.9' });
      const call = kit.caller('alice').call(`sip:bob@${DOMAIN}`);
      await kit.wait(1000);
      expect(mobile.history.map((h) => h.replace(/^\d+ /, ''))).toEqual(['invite', 'rejected 486']);
      expect(desk.history.map((h) => h.replace(/^\d+ /, ''))).toEqual(['invite', 'answered']);
      expect(call.history.map((h) => h.replace(/^\d+ /, ''))).toEqual(['180', '180', 'answered']);
      const order = kit.ladder().filter((l) => / app->(desk|mobile) INVITE$/.test(l));
      expect(order.map((l) => l.split(' ')[1])).toEqual(['app->mobile', 'app->desk']);
    });
  });

  it('calls an outbound (RFC 5626) user back over the TCP connection it registered on, until it closes', async () => {
    await sipTestAsync(async (kit) => {
      const { srf, registrar } = routingApp(kit);
      const bobUa = party(kit, 'bob', '10.0.1.5', ['tcp']);
      const bob = callee(kit, bobUa, 'bob', '10.0.1.5');
      // A Contact nobody could resolve: only the flow reaches bob (RFC 7118 §5's .invalid).
      const ok = await register(
        bobUa,
        'bob',
        {
          Contact: `<sip:bob@df7jal23ls0d.invalid;transport=tcp>;+sip.instance="${INSTANCE}";reg-id=1`,
          Supported: 'outbound',
        },
        { transport: 'tcp' },
      );
      expect(ok.status).toBe(200);
      expect(ok.get('require')).toBe('outbound');
      expect(ok.get('contact')).toBe(
        `<sip:bob@df7jal23ls0d.invalid;transport=tcp>;expires=3600;+sip.instance="${INSTANCE}";reg-id=1`,
      );
      const flowId = kit.network.flowId(
        'tcp',
        { address: '10.0.1.5', port: 5060 },
        { address: '10.0.0.2', port: 5060 },
      );
      const [location] = await registrar.locate(`sip:bob@${DOMAIN}`);
      expect(location?.flowId).toBe(flowId);
      const alice = kit.caller('alice');
      alice.call(`sip:bob@${DOMAIN}`, { hangUpAfter: 500 });
      await kit.wait(1000);
      expect(bob.history.map((h) => h.replace(/^\d+ /, ''))).toEqual(['invite', 'answered', 'ended']);
      const invite = kit.network.packets.find(
        (p) => p.to === '10.0.1.5:5060' && p.data.toString().startsWith('INVITE'),
      );
      expect(invite?.protocol).toBe('tcp');
      expect(invite?.data.toString()).toMatch(
        /^INVITE sip:bob@df7jal23ls0d\.invalid;transport=tcp SIP\/2\.0\r\n/,
      );
      // The connection closes: the outbound binding goes, and the next call finds nobody.
      (srf.engine as MemoryEngine).memoryTransport.closeFlow(flowId);
      await kit.wait(10);
      expect(await registrar.locate(`sip:bob@${DOMAIN}`)).toEqual([]);
      const again = alice.call(`sip:bob@${DOMAIN}`);
      await kit.wait(100);
      expect(again.history.map((h) => h.replace(/^\d+ /, ''))).toEqual(['rejected 480']);
    });
  });

  it('answers 439 to an outbound REGISTER that came through a proxy without Path ;ob', async () => {
    await sipTestAsync(async (kit) => {
      routingApp(kit);
      const ua = party(kit, 'bob', '10.0.1.5');
      const res = await register(ua, 'bob', {
        Via: 'SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-proxy',
        Contact: `<sip:bob@10.0.1.5>;+sip.instance="${INSTANCE}";reg-id=1`,
      });
      expect([res.status, res.reason]).toEqual([439, 'First Hop Lacks Outbound Support']);
    });
  });
});
