// examples/cluster: SIPp's standard calls through Kamailio's dispatcher (examples/cluster/
// kamailio.cfg) to 1 and then to 2 rxsip UAS nodes, each its own Node process. How the clean
// call rate scales with the nodes, and the CPU per call of the nodes and of Kamailio.
import { Cluster } from '../../examples/cluster/cluster.js';
import { plan, progress, stepRows } from '../lib/calls.js';
import { freeUdpPort, kamailioVersion, requireKamailio } from '../lib/processes.js';
import { cpuSeconds, memory } from '../lib/procfs.js';
import { type RampResult, ramp, type SystemUnderTest } from '../lib/ramp.js';
import type { Cell, Scenario, ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';

/** Kamailio and `nodes` rxsip UAS nodes; the CPU measured is the nodes', Kamailio's is a helper's. */
class ClusterSystem implements SystemUnderTest {
  readonly role = 'rxsip';
  readonly label: string;
  private cluster: Cluster | undefined;
  private peak = 0;

  constructor(private readonly nodes: number) {
    this.label = `Kamailio + ${nodes} rxsip node${nodes > 1 ? 's' : ''}`;
  }

  async start(): Promise<void> {
    const ports = await Promise.all(Array.from({ length: this.nodes }, () => freeUdpPort()));
    this.cluster = await Cluster.start({
      host: '127.0.0.1',
      port: await freeUdpPort(),
      nodes: this.nodes,
      nodePort: 0,
      nodePorts: ports,
      // Logging each call would be measured too; a drain at stop is not waited for.
      logLevel: 'warn',
      drainTimeout: 0,
      // As the proxy bench's Kamailio: tm's transactions at a few thousand calls/s.
      kamailioMemory: 1024,
    });
    this.peak = 0;
  }

  async stop(): Promise<void> {
    await this.cluster?.stop();
    this.cluster = undefined;
  }

  target(): string {
    return this.cluster?.address ?? '';
  }

  private pids(): number[] {
    return (this.cluster?.nodes ?? []).flatMap((n) => (n.process.pid === undefined ? [] : [n.process.pid]));
  }

  cpuSeconds(): number {
    return this.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  }

  peakRssKiB(): number {
    const now = this.pids().reduce((sum, pid) => sum + memory(pid).rssKiB, 0);
    this.peak = Math.max(this.peak, now);
    return this.peak;
  }

  helperCpuSeconds(): number {
    const pid = this.cluster?.kamailio.pid;
    return pid === undefined ? 0 : cpuSeconds(pid);
  }

  exited(): boolean {
    return !this.cluster || this.cluster.kamailio.exited || this.cluster.nodes.some((n) => n.process.exited);
  }
}

const scenario: Scenario = {
  name: 'cluster',
  description: "SIPp calls through Kamailio's dispatcher to 1 and 2 rxsip UAS nodes (examples/cluster)",
  async run({ quick }): Promise<ScenarioResult> {
    requireSipp();
    requireKamailio();
    const rampPlan = plan(quick, 'uac', { start: 250, max: 16000, jit: true });
    const ramps: RampResult[] = [];
    for (const nodes of [1, 2]) ramps.push(await ramp(new ClusterSystem(nodes), rampPlan, progress));
    progress('');
    const [one, two] = ramps as [RampResult, RampResult];
    const kamailioPerCall = (r: RampResult) => {
      const s = r.best;
      if (!s || s.helperCpuPercent === null || s.achieved === 0) return null;
      return Number((((s.helperCpuPercent / 100) * 1e6) / s.achieved).toFixed(1));
    };
    const rows: Record<string, Cell>[] = ramps.map((r) => ({
      system: r.system,
      'max clean calls/s': r.best?.offered ?? 0,
      'p50 ms': r.best?.p50 ?? null,
      'p99 ms': r.best?.p99 ?? null,
      'nodes CPU µs/call': r.best?.cpuPerCall ?? null,
      'Kamailio CPU µs/call': kamailioPerCall(r),
      'nodes CPU %': r.best?.cpuPercent ?? null,
      'peak nodes RSS MiB': Number((r.peakRssKiB / 1024).toFixed(1)),
      'rate vs 1 node': one.best?.offered
        ? Number(((r.best?.offered ?? 0) / one.best.offered).toFixed(2))
        : null,
    }));
    // A ramp that ran out of held steps (--quick allows 3) before finding a failing rate: its
    // max clean rate is a floor.
    const floors = ramps
      .filter((r) => r.atLeast)
      .map(
        (r) =>
          `${r.system}: still clean at its last held step, so its limit is above ${r.best?.offered} calls/s.`,
      );
    return {
      rows,
      tables: [{ title: 'steps', rows: stepRows(ramps, 'calls') }],
      settings: { plan: rampPlan, kamailio: kamailioVersion(), nodes: [1, 2] },
      details: { ramps },
      notes: [
        `max clean: the highest offered rate held for ${rampPlan.holdSeconds} s with no failed call and few retransmissions.`,
        'nodes CPU: user + system time of the rxsip node processes (all of them) per successful call;',
        'Kamailio CPU: its main, timer and two UDP worker processes per successful call, at the same step.',
        `scaling: 2 nodes reach ${two.best && one.best ? (two.best.offered / one.best.offered).toFixed(2) : '?'}x the rate of 1. On this`,
        'machine SIPp, Kamailio and the nodes share the cores: a second node only helps while a core is',
        'left for it; on hosts of their own the rate grows with the nodes until Kamailio is the limit.',
        ...floors,
      ],
    };
  },
};

export default scenario;
