// The registrar of RFC 3261 §10.3 on the virtual network, in virtual time: digest, expiries and
// Min-Expires, several contacts with q, `*`, Call-ID/CSeq ordering, the 200's bindings, expiry.
import { describe, expect, it } from 'vitest';
import { DigestAuthenticator, MemoryLocationStore, Registrar } from '../../src/index.js';
import { sipTestAsync } from '../../src/testing.js';
import { contacts, DOMAIN, party, register, registrarApp, USERS } from './harness.js';

describe('registrar: REGISTER (RFC 3261 §10.3)', () => {
  it('challenges with 401, then binds the Contact and lists it with its expires in the 200', async () => {
    await sipTestAsync(async (kit) => {
      const auth = new DigestAuthenticator({
        realm: DOMAIN,
        users: (u) => USERS[u],
        scheduler: kit.scheduler,
      });
      const { registrar, registrations } = registrarApp(kit, { auth });
      const alice = party(kit, 'alice', '10.0.1.1');
      const ok = await register(
        alice,
        'alice',
        { Contact: '<sip:alice@10.0.1.1>', Expires: 600 },
        { password: 'secret-a' },
      );
      expect(ok.status).toBe(200);
      expect(contacts(ok)).toEqual(['<sip:alice@10.0.1.1>;expires=600']);
      expect(ok.get('date')).toMatch(/GMT$/);
      const wire = kit.ladder().map((l) => l.replace(/^\d+ /, ''));
      expect(wire).toEqual([
        'alice->app REGISTER',
        'app->alice 401 Unauthorized',
        'alice->app REGISTER',
        'app->alice 200 OK',
      ]);
      expect(registrations.map((r) => [r.aor, r.kind, r.auth?.username])).toEqual([
        [`sip:alice@${DOMAIN}`, 'registered', 'alice'],
      ]);
      await kit.wait(100_000);
      const [found] = await registrar.locate(`sip:alice@${DOMAIN}:5060;transport=udp`);
      expect(found?.uri).toBe('sip:alice@10.0.1.1');
      expect(found?.expires).toBe(500);
    });
  });

  it('refuses a user registering another user AOR with 403, and a foreign domain with 404', async () => {
    await sipTestAsync(async (kit) => {
      registrarApp(kit, { auth: { realm: DOMAIN, users: (u) => USERS[u], scheduler: kit.scheduler } });
      const alice = party(kit, 'alice', '10.0.1.1');
      // alice's credentials for bob's AOR: the From/To user is bob, the digest user alice.
      const res = await alice.send('sip:10.0.0.2', {
        method: 'REGISTER',
        headers: {
          From: `<sip:bob@${DOMAIN}>;tag=1`,
          To: `<sip:bob@${DOMAIN}>`,
          Contact: '<sip:bob@10.0.1.1>',
        },
        auth: { username: 'alice', password: 'secret-a' },
      });
      expect(res.status).toBe(403);
      const foreign = await register(
        alice,
        'alice',
        { Contact: '<sip:alice@10.0.1.1>' },
        { to: 'elsewhere.test' },
      );
      expect([foreign.status, foreign.reason]).toEqual([404, 'Not Found (elsewhere.test is not ours)']);
    });
  });

  it('takes Contact expires over the Expires header, shortens to maxExpires, and answers 423 under Min-Expires', async () => {
    await sipTestAsync(async (kit) => {
      registrarApp(kit, { minExpires: 120, maxExpires: 1800 });
      const alice = party(kit, 'alice', '10.0.1.1');
      const ok = await register(alice, 'alice', {
        Contact: ['<sip:alice@10.0.1.1:5070>;expires=300', '<sip:alice@10.0.1.1:5080>'],
        Expires: 7200,
      });
      expect(ok.status).toBe(200);
      expect(contacts(ok).sort()).toEqual([
        '<sip:alice@10.0.1.1:5070>;expires=300',
        '<sip:alice@10.0.1.1:5080>;expires=1800',
      ]);
      const brief = await register(alice, 'alice', { Contact: '<sip:alice@10.0.1.1:5090>;expires=60' });
      expect(brief.status).toBe(423);
      expect(brief.reason).toBe('Interval Too Brief');
      expect(brief.get('min-expires')).toBe('120');
      const viaHeader = await register(alice, 'alice', { Contact: '<sip:alice@10.0.1.1:5090>', Expires: 30 });
      expect(viaHeader.status).toBe(423);
    });
  });

  it('keeps several contacts, locate orders them by q, and the 200 lists every binding', async () => {
    await sipTestAsync(async (kit) => {
      const { registrar } = registrarApp(kit);
      const alice = party(kit, 'alice', '10.0.1.1');
      await register(alice, 'alice', {
        Contact: '<sip:desk@10.0.1.1>;q=0.5',
        'Call-ID': 'desk-1',
        CSeq: '1 REGISTER',
      });
      await register(alice, 'alice', {
        Contact: '<sip:mobile@10.0.1.1>;q=1.0',
        'Call-ID': 'mobile-1',
        CSeq: '1 REGISTER',
      });
      const third = await register(alice, 'alice', {
        Contact: '<sip:soft@10.0.1.1>;q=0.8',
        'Call-ID': 'soft-1',
        CSeq: '1 REGISTER',
      });
      expect(contacts(third)).toEqual([
        '<sip:mobile@10.0.1.1>;expires=3600;q=1',
        '<sip:soft@10.0.1.1>;expires=3600;q=0.8',
        '<sip:desk@10.0.1.1>;expires=3600;q=0.5',
      ]);
      const found = await registrar.locate(`sip:alice@${DOMAIN}`);
      expect(found.map((l) => [l.uri, l.q])).toEqual([
        ['sip:mobile@10.0.1.1', 1],
        ['sip:soft@10.0.1.1', 0.8],
        ['sip:desk@10.0.1.1', 0.5],
      ]);
      // No Contact: a query; the bindings come back unchanged.
      const query = await register(alice, 'alice', {});
      expect(contacts(query)).toHaveLength(3);
    });
  });

  it('removes one binding with expires 0, and all with * and Expires 0', async () => {
    await sipTestAsync(async (kit) => {
      const { registrar, registrations } = registrarApp(kit);
      const alice = party(kit, 'alice', '10.0.1.1');
      await register(alice, 'alice', {
        Contact: ['<sip:a@10.0.1.1>', '<sip:b@10.0.1.1>', '<sip:c@10.0.1.1>'],
      });
      const one = await register(alice, 'alice', { Contact: '<sip:b@10.0.1.1>;expires=0' });
      expect(contacts(one).map((c) => c.split(';')[0])).toEqual(['<sip:a@10.0.1.1>', '<sip:c@10.0.1.1>']);
      const all = await register(alice, 'alice', { Contact: '*', Expires: 0 });
      expect(all.status).toBe(200);
      expect(all.has('contact')).toBe(false);
      expect(await registrar.locate(`sip:alice@${DOMAIN}`)).toEqual([]);
      expect(registrations.map((r) => r.kind)).toEqual(['registered', 'registered', 'unregistered']);
    });
  });

  it('answers 400 to * with another Contact, to * with a non-zero expiry, and to malformed Contacts', async () => {
    await sipTestAsync(async (kit) => {
      registrarApp(kit);
      const alice = party(kit, 'alice', '10.0.1.1');
      const mixed = await register(alice, 'alice', { Contact: ['*', '<sip:a@10.0.1.1>'], Expires: 0 });
      expect([mixed.status, mixed.reason]).toEqual([400, 'Contact * Must Be Alone']);
      const nonZero = await register(alice, 'alice', { Contact: '*', Expires: 3600 });
      expect([nonZero.status, nonZero.reason]).toEqual([400, 'Contact * Needs Expires 0']);
      const noExpires = await register(alice, 'alice', { Contact: '*' });
      expect(noExpires.status).toBe(400);
      for (const contact of [
        '<sip:a@10.0.1.1',
        '<sip:a@10.0.1.1>;q=2',
        '<sip:a@10.0.1.1>;expires=soon',
        '<http://x>;reg-id=x',
      ]) {
        const res = await register(alice, 'alice', { Contact: contact });
        expect(res.status, contact).toBe(400);
      }
    });
  });

  it('refuses an older CSeq for the same Call-ID (§10.3 step 7), takes another Call-ID', async () => {
    await sipTestAsync(async (kit) => {
      const { registrar } = registrarApp(kit);
      const alice = party(kit, 'alice', '10.0.1.1');
      const first = await register(alice, 'alice', {
        Contact: '<sip:a@10.0.1.1>',
        'Call-ID': 'reg-1',
        CSeq: '5 REGISTER',
      });
      expect(first.status).toBe(200);
      const stale = await register(alice, 'alice', {
        Contact: '<sip:a@10.0.1.1>;expires=0',
        'Call-ID': 'reg-1',
        CSeq: '4 REGISTER',
      });
      expect([stale.status, stale.reason]).toEqual([400, 'CSeq Out Of Order']);
      const same = await register(alice, 'alice', {
        Contact: '*',
        Expires: 0,
        'Call-ID': 'reg-1',
        CSeq: '5 REGISTER',
      });
      expect(same.status).toBe(400);
      expect(await registrar.locate(`sip:alice@${DOMAIN}`)).toHaveLength(1);
      // Another Call-ID (a rebooted phone) takes over whatever its CSeq.
      const other = await register(alice, 'alice', {
        Contact: '<sip:a@10.0.1.1>;expires=0',
        'Call-ID': 'reg-2',
        CSeq: '1 REGISTER',
      });
      expect(other.status).toBe(200);
      expect(await registrar.locate(`sip:alice@${DOMAIN}`)).toEqual([]);
    });
  });

  it('forgets a binding when it expires, in virtual time, and frees the store', async () => {
    await sipTestAsync(async (kit) => {
      const { registrar, store } = registrarApp(kit);
      const alice = party(kit, 'alice', '10.0.1.1');
      const ok = await register(alice, 'alice', { Contact: '<sip:a@10.0.1.1>', Expires: 120 });
      expect(ok.status).toBe(200);
      const at = kit.scheduler.now();
      await kit.wait(119_000);
      expect((await registrar.locate(`sip:alice@${DOMAIN}`)).map((l) => l.expires)).toEqual([1]);
      await kit.wait(1000);
      expect(kit.scheduler.now() - at).toBe(120_000);
      expect(await registrar.locate(`sip:alice@${DOMAIN}`)).toEqual([]);
      expect(store.size).toBe(0);
      // A refresh before expiry keeps it: register again, refresh at 100 s, still there at 150 s.
      await register(alice, 'alice', {
        Contact: '<sip:a@10.0.1.1>',
        Expires: 120,
        'Call-ID': 'r',
        CSeq: '1 REGISTER',
      });
      await kit.wait(100_000);
      await register(alice, 'alice', {
        Contact: '<sip:a@10.0.1.1>',
        Expires: 120,
        'Call-ID': 'r',
        CSeq: '2 REGISTER',
      });
      await kit.wait(50_000);
      expect(await registrar.locate(`sip:alice@${DOMAIN}`)).toHaveLength(1);
    });
  });

  it('refuses more than maxContacts bindings for one AOR with 403, and a full store with 503', async () => {
    await sipTestAsync(async (kit) => {
      registrarApp(kit, { maxContacts: 2 });
      const alice = party(kit, 'alice', '10.0.1.1');
      await register(alice, 'alice', { Contact: ['<sip:a@10.0.1.1>', '<sip:b@10.0.1.1>'] });
      const third = await register(alice, 'alice', { Contact: '<sip:c@10.0.1.1>' });
      expect([third.status, third.reason]).toEqual([403, 'Too Many Contacts (at most 2)']);
      // Replacing one is not adding one.
      const swap = await register(alice, 'alice', {
        Contact: ['<sip:a@10.0.1.1>;expires=0', '<sip:c@10.0.1.1>'],
      });
      expect(swap.status).toBe(200);
    });
    await sipTestAsync(async (kit) => {
      const store = new MemoryLocationStore({ scheduler: kit.scheduler, maxBindings: 1 });
      registrarApp(kit, { store, retryAfter: 7 });
      const alice = party(kit, 'alice', '10.0.1.1');
      expect((await register(alice, 'alice', { Contact: '<sip:a@10.0.1.1>' })).status).toBe(200);
      const full = await register(alice, 'bob', { Contact: '<sip:b@10.0.1.1>' });
      expect([full.status, full.get('retry-after')]).toEqual([503, '7']);
    });
  });

  it('rate-limits REGISTERs per source address: 503 with Retry-After beyond the burst, others unaffected', async () => {
    await sipTestAsync(async (kit) => {
      registrarApp(kit, { rateLimit: { perSecond: 1, burst: 3 } });
      const storm = party(kit, 'storm', '10.0.1.66');
      const statuses: number[] = [];
      const refusals: (string | undefined)[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await register(storm, 'alice', { Contact: '<sip:a@10.0.1.66>' });
        statuses.push(res.status);
        if (res.status === 503) refusals.push(res.get('retry-after'));
      }
      expect(statuses).toEqual([200, 200, 200, 503, 503]);
      expect(refusals).toEqual(['1', '1']);
      const calm = party(kit, 'calm', '10.0.1.2');
      expect((await register(calm, 'bob', { Contact: '<sip:b@10.0.1.2>' })).status).toBe(200);
      // A second later the stormy address has a token again.
      await kit.wait(1000);
      expect((await register(storm, 'alice', { Contact: '<sip:a@10.0.1.66>' })).status).toBe(200);
    });
  });

  it('names the bad option in a TypeError', () => {
    expect(() => new Registrar({ domains: [] })).toThrow('registrar options: domains: ');
    expect(() => new Registrar({ domains: ['a'], minExpires: 600, maxExpires: 60 })).toThrow(
      'registrar options: minExpires: minExpires is over maxExpires',
    );
    expect(() => new Registrar({ domains: ['a'], maxContact: 3 } as never)).toThrow(
      'registrar options: maxContact: unknown option',
    );
    expect(() => new MemoryLocationStore({ maxBindings: 0 })).toThrow('memory location store: maxBindings:');
  });
});
