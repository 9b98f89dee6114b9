// Two registrar nodes (two Srfs on 127.0.0.1) sharing one redis-server: a user registered on one
// is found by the other and called through it, expiry works across them (on a clock the test
// moves, the same for both), racing updates both land, and a Redis outage gets 503 with
// Retry-After while calls already up go on; the store works again once Redis is back.
import { pino } from 'pino';
import { createClient } from 'redis';
import { asyncScheduler, mergeMap, type SchedulerLike } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Dialog, RedisLocationStore, Registrar, type SipResponse, Srf, uas$ } from '../../src/index.js';
import { freePort } from '../support/ports.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';
import { RXSIP_SDP } from '../support/sipp-sdp.js';

const DOMAIN = 'example.test';
const SILENT = pino({ level: 'silent' });
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A clock both nodes read, which the test moves on: expiry without waiting. */
function sharedClock(): SchedulerLike & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    schedule: asyncScheduler.schedule.bind(asyncScheduler) as SchedulerLike['schedule'],
    advance: (ms) => {
      offset += ms;
    },
  };
}

async function redisClient(server: RedisServer) {
  const client = createClient({
    url: server.url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * (retries + 1), 300) },
  });
  client.on('error', () => undefined);
  await client.connect();
  cleanups.push(() => client.destroy() as unknown as Promise<void>);
  return client;
}

/** A registrar+proxy node on a free port, its bindings in Redis. */
async function node(server: RedisServer, name: string, clock: SchedulerLike) {
  const port = await freePort();
  const srf = new Srf({ logger: SILENT });
  await srf.start({ listen: [`127.0.0.1:${port}`] });
  cleanups.push(() => srf.close());
  const store = new RedisLocationStore({
    client: await redisClient(server),
    scheduler: clock,
    commandTimeout: 1000,
  });
  const registrar = new Registrar({ domains: [DOMAIN], store, node: name, retryAfter: 3 });
  srf.register$.pipe(registrar.register()).subscribe();
  srf.invite$.pipe(registrar.route()).subscribe();
  return { srf, registrar, port, uri: `sip:127.0.0.1:${port}` };
}

/** A UA on a free port: registers, and answers calls. */
async function ua() {
  const port = await freePort();
  const srf = new Srf({ logger: SILENT });
  await srf.start({ listen: [`127.0.0.1:${port}`] });
  cleanups.push(() => srf.close());
  const answered: Dialog[] = [];
  srf.invite$
    .pipe(mergeMap((call) => uas$(call, { localSdp: RXSIP_SDP })))
    .subscribe((d) => answered.push(d));
  return { srf, port, answered };
}

function register(
  from: Srf,
  registrar: string,
  user: string,
  contact: string,
  expires = 3600,
): Promise<SipResponse> {
  const aor = `<sip:${user}@${DOMAIN}>`;
  return from.send(registrar, {
    method: 'REGISTER',
    headers: { From: `${aor};tag=${user}`, To: aor, Contact: contact, Expires: expires },
  });
}

describe('registrar: a location store shared through redis-server', () => {
  it('a user registered on one node is found by the other, called through it, and expires on both', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const clock = sharedClock();
    const a = await node(redis, 'node-a', clock);
    const b = await node(redis, 'node-b', clock);
    const alice = await ua();
    const ok = await register(alice.srf, a.uri, 'alice', `<sip:alice@127.0.0.1:${alice.port}>`, 300);
    expect(ok.status).toBe(200);
    const [found] = await b.registrar.locate(`sip:alice@${DOMAIN}`);
    expect(found?.uri).toBe(`sip:alice@127.0.0.1:${alice.port}`);
    expect(found?.binding.node).toBe('node-a');
    // Redis holds the key with a TTL past the binding's expiry.
    const probe = await redisClient(redis);
    const ttl = Number(await probe.sendCommand(['PTTL', `rxsip:location:sip:alice@${DOMAIN}`]));
    expect(ttl).toBeGreaterThan(300_000);
    expect(ttl).toBeLessThanOrEqual(305_000);
    // A call to alice through node B reaches her UA.
    const caller = await ua();
    const dialog = await caller.srf.call(`sip:alice@${DOMAIN}`, { localSdp: RXSIP_SDP, proxy: b.uri });
    expect(alice.answered).toHaveLength(1);
    await dialog.end();
    // 300 s after registering on node A, neither node finds her, nor routes a call to her.
    clock.advance(299_000);
    expect(await a.registrar.locate(`sip:alice@${DOMAIN}`)).toHaveLength(1);
    clock.advance(2000);
    expect(await a.registrar.locate(`sip:alice@${DOMAIN}`)).toEqual([]);
    expect(await b.registrar.locate(`sip:alice@${DOMAIN}`)).toEqual([]);
    const invite = await caller.srf
      .call(`sip:alice@${DOMAIN}`, { localSdp: RXSIP_SDP, proxy: b.uri })
      .catch((err: { status?: number }) => err.status);
    expect(invite).toBe(480);
  });

  it('updates racing on two nodes both land (compare-and-set), and an unregister on one is seen by the other', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const clock = sharedClock();
    const a = await node(redis, 'node-a', clock);
    const b = await node(redis, 'node-b', clock);
    const phones = await Promise.all([ua(), ua(), ua(), ua()]);
    const results = await Promise.all(
      phones.map((p, i) =>
        register(p.srf, i % 2 === 0 ? a.uri : b.uri, 'bob', `<sip:bob@127.0.0.1:${p.port}>`),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const found = await a.registrar.locate(`sip:bob@${DOMAIN}`);
    expect(found.map((l) => l.uri).sort()).toEqual(phones.map((p) => `sip:bob@127.0.0.1:${p.port}`).sort());
    const gone = await register(phones[0]?.srf as Srf, b.uri, 'bob', '*', 0);
    expect(gone.status).toBe(200);
    expect(await a.registrar.locate(`sip:bob@${DOMAIN}`)).toEqual([]);
  });

  it('a Redis outage: REGISTER and new calls get 503 with Retry-After, a call already up goes on, and Redis back brings registration back', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const a = await node(redis, 'node-a', asyncScheduler);
    const alice = await ua();
    const caller = await ua();
    expect((await register(alice.srf, a.uri, 'alice', `<sip:alice@127.0.0.1:${alice.port}>`)).status).toBe(
      200,
    );
    const dialog = await caller.srf.call(`sip:alice@${DOMAIN}`, { localSdp: RXSIP_SDP, proxy: a.uri });
    await redis.stop();
    const refused = await register(alice.srf, a.uri, 'alice', `<sip:alice@127.0.0.1:${alice.port}>`);
    expect([refused.status, refused.get('retry-after')]).toEqual([503, '3']);
    const newCall = await caller.srf
      .call(`sip:alice@${DOMAIN}`, { localSdp: RXSIP_SDP, proxy: a.uri })
      .catch((err: { status?: number; res?: SipResponse }) => err.status);
    // The proxy side answers 503 for a failed lookup; the caller sees it.
    expect(newCall).toBe(503);
    // The call set up before the outage is record-routed through node A and ends normally.
    const ended = await dialog.end().then(() => 'ended');
    expect(ended).toBe('ended');
    expect(alice.answered[0]?.state).toBe('terminated');
    await redis.start();
    // node-redis reconnects on its own; the next REGISTERs succeed once it has.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await register(alice.srf, a.uri, 'alice', `<sip:alice@127.0.0.1:${alice.port}>`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect(await a.registrar.locate(`sip:alice@${DOMAIN}`)).toHaveLength(1);
  });
});
