// examples/cluster: Kamailio's dispatcher (examples/cluster/kamailio.cfg) in front of two rxsip
// nodes (examples/uas processes), all on 127.0.0.1 on free ports, SIPp calling Kamailio. Each
// node's log says which calls it took (`dialog established`), what reached it inside them (`put
// on hold`), how they ended, and when it started draining.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../examples/cluster/cluster.js';
import { hasKamailio } from '../../examples/cluster/kamailio.js';
import { freePort } from '../support/ports.js';
import { runSipp, startSipp } from '../support/sipp.js';
import { until } from '../support/until.js';

interface LogLine {
  msg: string;
  callId?: string;
  reason?: string;
  by?: string;
}

/** A node's log lines, in order (pino's JSON). */
function events(node: { process: { output(): string } }): LogLine[] {
  return node.process
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

const established = (node: Parameters<typeof events>[0]) =>
  events(node)
    .filter((e) => e.msg === 'dialog established')
    .map((e) => e.callId as string);

let cluster: Cluster | undefined;

async function startCluster(drainTimeout = 30): Promise<Cluster> {
  cluster = await Cluster.start({
    host: '127.0.0.1',
    port: await freePort(),
    nodes: 2,
    nodePort: 0,
    nodePorts: [await freePort(), await freePort()],
    drainTimeout,
    logLevel: 'info',
  });
  return cluster;
}

beforeAll(() => {
  // scripts/ensure-test-peers.mjs installs it (npm test); never skip for want of it.
  if (!hasKamailio())
    throw new Error('kamailio is not installed: run `npm test` or `apt-get install -y kamailio`');
});

afterEach(async () => {
  if (!cluster) return;
  for (const node of cluster.nodes) node.process.kill('SIGKILL');
  await cluster.stop();
  cluster = undefined;
});

const target = (c: Cluster) => c.address;

describe('examples/cluster: Kamailio dispatcher in front of rxsip nodes', () => {
  it('spreads calls over both nodes (round robin), ACK and BYE reaching the node that answered', async () => {
    const c = await startCluster();
    const result = await runSipp({ scenario: 'cluster-call', target: target(c), calls: 10, rate: 10 });
    expect(result.failed, result.stdout).toBe(0);
    expect(result.successful).toBe(10);
    const [one, two] = c.nodes.map(established) as [string[], string[]];
    expect(one.length + two.length).toBe(10);
    expect(one).toHaveLength(5);
    expect(two).toHaveLength(5);
    expect(one.filter((id) => two.includes(id))).toEqual([]);
    for (const node of c.nodes)
      for (const end of events(node).filter((e) => e.msg === 'dialog ended'))
        expect([end.reason, end.by]).toEqual(['normal-release', 'remote']);
  }, 60_000);

  it('sends in-dialog requests (re-INVITE, BYE) to the node that owns the dialog', async () => {
    const c = await startCluster();
    const result = await runSipp({ scenario: 'cluster-reinvite', target: target(c), calls: 6, rate: 6 });
    expect(result.failed, result.stdout).toBe(0);
    expect(result.successful).toBe(6);
    // SIPp exits on the last 200 to BYE; a node's log line for that BYE comes through its stdout
    // pipe, which the test may read a moment later.
    const endedCount = () =>
      c.nodes.reduce((n, node) => n + events(node).filter((e) => e.msg === 'dialog ended').length, 0);
    await until("every call ended in the nodes' logs", endedCount, (n) => n >= 6, 5_000);
    for (const [i, node] of c.nodes.entries()) {
      const other = c.nodes[1 - i] as (typeof c.nodes)[number];
      const mine = new Set(established(node));
      expect(mine.size).toBe(3);
      const held = events(node).filter((e) => e.msg === 'put on hold');
      const ended = events(node).filter((e) => e.msg === 'dialog ended');
      // Every re-INVITE and BYE of its calls reached it, and none of the other node's.
      expect(new Set(held.map((e) => e.callId))).toEqual(mine);
      expect(new Set(ended.map((e) => e.callId))).toEqual(mine);
      expect(ended.every((e) => e.by === 'remote' && e.reason === 'normal-release')).toBe(true);
      expect(established(other).some((id) => mine.has(id))).toBe(false);
    }
  }, 60_000);

  it('one node killed: new calls go to the survivor', async () => {
    const c = await startCluster();
    const [dead, survivor] = c.nodes as [(typeof c.nodes)[number], (typeof c.nodes)[number]];
    dead.process.kill('SIGKILL');
    await dead.process.exit;
    const result = await runSipp({ scenario: 'cluster-call', target: target(c), calls: 6, rate: 3 });
    expect(result.failed, result.stdout).toBe(0);
    expect(result.successful).toBe(6);
    expect(established(survivor)).toHaveLength(6);
  }, 60_000);

  it('one node drained (SIGTERM) with calls up: none lost, their BYEs complete, new calls go to the other', async () => {
    const c = await startCluster(30);
    type Node = (typeof c.nodes)[number];
    // 12 calls of 4 s, 3 a second.
    const sipp = startSipp({
      scenario: 'cluster-call',
      target: target(c),
      calls: 12,
      rate: 3,
      extra: ['-d', '4000'],
      timeoutSeconds: 60,
    });
    // The first node to have two calls up is drained: which one that is, is the dispatcher's
    // (on a loaded machine a node slow to answer its first INVITE within fr_timer is marked down
    // for a ping interval, and the calls meanwhile all go to the other).
    const drained = (await until(
      'two calls up on one node',
      () => c.nodes.find((node) => established(node).length >= 2),
      (node) => node !== undefined,
    )) as Node;
    const other = c.nodes.find((node) => node !== drained) as Node;
    drained.process.kill('SIGTERM');
    const result = await sipp.done;
    expect(result.failed, result.stdout).toBe(0);
    expect(result.successful).toBe(12);
    // The drained node exits by itself once its calls have ended, cleanly.
    expect(await drained.process.exit).toBe(0);
    const log = events(drained);
    const draining = log.findIndex((e) => e.msg === 'draining: new calls get 503');
    expect(draining).toBeGreaterThan(0);
    const before = log.slice(0, draining).filter((e) => e.msg === 'dialog established');
    const after = log.slice(draining).filter((e) => e.msg === 'dialog established');
    expect(after).toEqual([]);
    // Its calls ended with the caller's BYE, none at the deadline.
    const ended = log.filter((e) => e.msg === 'dialog ended');
    expect(new Set(ended.map((e) => e.callId))).toEqual(new Set(before.map((e) => e.callId)));
    expect(ended.every((e) => e.reason === 'normal-release' && e.by === 'remote')).toBe(true);
    expect(log.some((e) => e.msg === 'drained: stopping')).toBe(true);
    expect(before.length + established(other).length).toBe(12);
  }, 90_000);
});
