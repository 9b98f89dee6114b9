// Memory and scaling with many live dialogs: SIPp callers whose calls pause for 15 minutes build
// up 1,000, 10,000 and 50,000 concurrent confirmed dialogs in the UAS example.
//
// Two passes, each on a fresh process:
//  - memory: at each level, a full GC and process.memoryUsage() from inside the app (the stats
//    hook, bench/lib/app-stats.ts); the dialogs' INVITE transactions still linger in their RFC 3261
//    wait state (Accepted, 64·T1 = 32 s) then, and count. After the last level the bench waits for
//    them to end and measures again: the idle dialog.
//  - scaling: the same levels, and at each (0 first) a step of short calls at a fixed rate, with
//    the app's CPU per call: flat CPU per call means the live dialogs cost nothing per new call.
//    (Separate from the memory pass because those short calls leave transactions lingering too.)
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { progress } from '../lib/calls.js';
import { type App, type AppStats, freeUdpPort, SippServer } from '../lib/processes.js';
import { type RampPlan, runStep, type Step } from '../lib/ramp.js';
import type { Cell, Goal, Scenario, ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';
import { RxsipSystem } from '../lib/systems.js';

/** The goals: heap per idle confirmed dialog; CPU per call flat from 1k to 50k dialogs. */
const GOALS = { heapPerIdleDialogKiB: 4, cpuFlatWithin: 0.15 };

/** How long a held call lasts: longer than the scenario. */
const HOLD_MS = 900_000;

const kib = (bytes: number) => Number((bytes / 1024).toFixed(2));
const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));

interface Settings {
  levels: number[];
  buildRate: number;
  loadRate: number;
  loadSeconds: number;
  warmupSeconds: number;
  /** Longest wait for the lingering transactions to end (64·T1 = 32 s, and a margin). */
  drainSeconds: number;
}

const FULL: Settings = {
  levels: [1000, 10000, 50000],
  buildRate: 2000,
  loadRate: 1000,
  loadSeconds: 8,
  warmupSeconds: 5,
  drainSeconds: 40,
};
const QUICK: Settings = {
  levels: [500, 2000],
  buildRate: 1000,
  loadRate: 500,
  loadSeconds: 3,
  warmupSeconds: 2,
  drainSeconds: 40,
};

function stepPlan(s: Settings): RampPlan {
  return {
    scenario: 'uac',
    start: s.loadRate,
    max: s.loadRate,
    probeSeconds: s.loadSeconds,
    holdSeconds: s.loadSeconds,
    bisections: 0,
    holdFactor: 1,
    maxHolds: 1,
    warmupSeconds: s.warmupSeconds,
    warmupRate: 500,
    maxRetransmissionRatio: 0.001,
  };
}

/** SIPp callers holding their calls up; one per level's increment. */
class Holders {
  private readonly list: SippServer[] = [];
  held = 0;

  constructor(
    private readonly target: string,
    private readonly rate: number,
  ) {}

  /** Adds calls until `level` are up, and waits until the app counts them all. */
  async raiseTo(
    level: number,
    app: App,
    log: (t: string) => void,
  ): Promise<{ seconds: number; failed: number }> {
    const began = performance.now();
    const calls = level - this.held;
    const port = await freeUdpPort();
    const holder = await SippServer.start({
      scenario: 'uac',
      target: this.target,
      port,
      calls,
      timeoutSeconds: 900,
      extra: ['-r', String(this.rate), '-l', String(calls + 10), '-d', String(HOLD_MS)],
    });
    this.list.push(holder);
    this.held = level;
    const deadline = performance.now() + (calls / this.rate + 30) * 1000;
    let stats: AppStats = await app.stats();
    while (stats.dialogs < level) {
      if (performance.now() > deadline || holder.exited)
        throw new Error(`dialogs: only ${stats.dialogs} of ${level} dialogs came up`);
      log(`building ${level} dialogs: ${stats.dialogs}`);
      await sleep(500);
      stats = await app.stats();
    }
    // The callers' statistics are written each second.
    await sleep(1100);
    const failed = this.list.reduce((n, h) => n + (h.counters()?.failed ?? 0), 0);
    return { seconds: (performance.now() - began) / 1000, failed };
  }

  async stop(): Promise<void> {
    await Promise.all(this.list.map((h) => h.stop()));
  }
}

interface MemoryRow {
  level: number;
  dialogs: number;
  transactions: number;
  heapUsed: number;
  rss: number;
  buildSeconds: number;
  failed: number;
}

/**
 * The memory pass's app, warmed up, its warm-up transactions left to end on their own while the
 * scaling pass runs (it is idle meanwhile, so it does not disturb the scaling pass's CPU figures).
 */
async function startMemoryApp(s: Settings, log: (t: string) => void): Promise<RxsipSystem> {
  const system = new RxsipSystem('rxsip UAS', 'uas', { nodeFlags: ['--expose-gc'] });
  await system.start();
  await runStep(system, stepPlan(s), 500, s.warmupSeconds, 'warmup', log);
  return system;
}

/** Waits (at most `seconds`) until no transaction lingers in the app. */
async function drain(app: App, seconds: number, log: (t: string) => void): Promise<AppStats> {
  const deadline = performance.now() + seconds * 1000;
  let st = await app.stats();
  while (st.transactions.server + st.transactions.client > 0 && performance.now() < deadline) {
    log(`waiting for ${st.transactions.server + st.transactions.client} lingering transactions to end`);
    await sleep(1000);
    st = await app.stats();
  }
  return st;
}

async function memoryPass(system: RxsipSystem, s: Settings, log: (t: string) => void) {
  const app = system.app as App;
  const rows: MemoryRow[] = [];
  const holders = new Holders(system.target(), s.buildRate);
  try {
    // The baseline: warmed up, no dialog, no transaction.
    await drain(app, s.drainSeconds, log);
    const base = await app.stats(true);
    const row = (level: number, st: AppStats, buildSeconds: number, failed: number): MemoryRow => ({
      level,
      dialogs: st.dialogs,
      transactions: st.transactions.server + st.transactions.client,
      heapUsed: st.heapUsed,
      rss: st.rss,
      buildSeconds,
      failed,
    });
    rows.push(row(0, base, 0, 0));
    for (const level of s.levels) {
      const built = await holders.raiseTo(level, app, log);
      rows.push(row(level, await app.stats(true), built.seconds, built.failed));
      log(`${level} dialogs: heap ${mib(rows.at(-1)?.heapUsed ?? 0)} MiB`);
    }
    // The INVITE transactions end 32 s after their 200 (RFC 6026 Timer L): wait for them.
    await drain(app, s.drainSeconds, log);
    rows.push(row(s.levels.at(-1) as number, await app.stats(true), 0, 0));
    return { rows, base, peakRssKiB: app.memory().peakRssKiB };
  } finally {
    await holders.stop();
    await app.stop('SIGKILL');
  }
}

async function scalingPass(s: Settings, log: (t: string) => void) {
  const system = new RxsipSystem('rxsip UAS', 'uas');
  await system.start();
  const app = system.app as App;
  const holders = new Holders(system.target(), s.buildRate);
  const steps: { level: number; step: Step; dialogs: number; heapUsed: number }[] = [];
  const plan = stepPlan(s);
  try {
    await runStep(system, plan, 500, s.warmupSeconds, 'warmup', log);
    for (const level of [0, ...s.levels]) {
      if (level > 0) await holders.raiseTo(level, app, log);
      const step = await runStep(system, plan, s.loadRate, s.loadSeconds, 'hold', log);
      const st = await app.stats();
      steps.push({ level, step, dialogs: st.dialogs, heapUsed: st.heapUsed });
    }
    return { steps, peakRssKiB: app.memory().peakRssKiB };
  } finally {
    await holders.stop();
    await app.stop('SIGKILL');
  }
}

const scenario: Scenario = {
  name: 'dialogs',
  description: 'heap and RSS per live dialog, and CPU per call with 1k/10k/50k dialogs up (examples/uas)',
  async run({ quick }): Promise<ScenarioResult> {
    requireSipp();
    const s = quick ? QUICK : FULL;
    const memoryApp = await startMemoryApp(s, progress);
    let scaling: Awaited<ReturnType<typeof scalingPass>>;
    try {
      scaling = await scalingPass(s, progress);
    } catch (err) {
      await memoryApp.stop();
      throw err;
    }
    const memory = await memoryPass(memoryApp, s, progress);
    progress('');

    const base = memory.base;
    const levelRows = memory.rows.slice(1, 1 + s.levels.length);
    const idle = memory.rows.at(-1) as MemoryRow;
    const top = s.levels.at(-1) as number;
    const perDialog = (r: MemoryRow) => ({
      heap: (r.heapUsed - base.heapUsed) / r.level,
      rss: (r.rss - base.rss) / r.level,
    });
    const rows: Record<string, Cell>[] = [
      ...levelRows.map((r, i) => {
        const previous = i === 0 ? undefined : levelRows[i - 1];
        return {
          'live dialogs': r.dialogs,
          state: 'just set up',
          transactions: r.transactions,
          'heap MiB': mib(r.heapUsed),
          'RSS MiB': mib(r.rss),
          'heap KiB/dialog': kib(perDialog(r).heap),
          'RSS KiB/dialog': kib(perDialog(r).rss),
          'heap KiB/dialog, marginal': previous
            ? kib((r.heapUsed - previous.heapUsed) / (r.level - previous.level))
            : null,
        };
      }),
      {
        'live dialogs': idle.dialogs,
        state: 'idle',
        transactions: idle.transactions,
        'heap MiB': mib(idle.heapUsed),
        'RSS MiB': mib(idle.rss),
        'heap KiB/dialog': kib(perDialog(idle).heap),
        'RSS KiB/dialog': kib(perDialog(idle).rss),
        'heap KiB/dialog, marginal': null,
      },
    ];
    const scalingRows: Record<string, Cell>[] = scaling.steps.map(({ step, dialogs, heapUsed }) => ({
      'live dialogs': dialogs,
      'offered calls/s': step.offered,
      'achieved calls/s': step.achieved,
      failed: step.failed,
      retrans: step.retransmissions,
      'p50 ms': step.p50,
      'p99 ms': step.p99,
      'CPU µs/call': step.cpuPerCall,
      'CPU %': step.cpuPercent,
      'other CPU %': step.otherCpuPercent,
      'heap MiB': mib(heapUsed),
      result: step.clean ? 'clean' : (step.reason ?? 'failed'),
    }));

    const cpuAt = (level: number) => scaling.steps.find((x) => x.level === level)?.step.cpuPerCall ?? null;
    const lowest = s.levels[0] as number;
    const cpuLow = cpuAt(lowest);
    const cpuHigh = cpuAt(top);
    const growth = cpuLow && cpuHigh ? cpuHigh / cpuLow : Number.NaN;
    const idleHeapKiB = perDialog(idle).heap / 1024;
    const goals: Goal[] = [
      {
        goal: `heap per idle confirmed dialog (${top} up)`,
        target: GOALS.heapPerIdleDialogKiB,
        measured: Number(idleHeapKiB.toFixed(2)),
        met: idleHeapKiB <= GOALS.heapPerIdleDialogKiB,
        unit: 'KiB',
        kind: 'at most',
      },
      {
        goal: `CPU per call with ${top} vs ${lowest} dialogs up (flat: within ${GOALS.cpuFlatWithin * 100}%)`,
        target: 1 + GOALS.cpuFlatWithin,
        measured: Number(growth.toFixed(2)),
        met: growth <= 1 + GOALS.cpuFlatWithin,
        kind: 'at most',
      },
    ];
    return {
      rows,
      tables: [{ title: `short calls at ${s.loadRate}/s with dialogs up`, rows: scalingRows }],
      goals,
      settings: { ...s, holdMs: HOLD_MS },
      details: {
        baseline: base,
        memory: memory.rows,
        scaling: scaling.steps,
        peakRssKiB: { memoryPass: memory.peakRssKiB, scalingPass: scaling.peakRssKiB },
      },
      notes: [
        'heap: process.memoryUsage().heapUsed after a full GC, minus the same before the first dialog',
        '(warmed up by short calls, whose transactions had ended), per dialog; marginal: between this',
        'level and the one before. RSS likewise (the allocator may keep or return pages: rough).',
        '"just set up": each dialog\'s INVITE server transaction still lingers (Accepted, 32 s); "idle":',
        'after they ended. The example keeps a logger child and four subscriptions per dialog.',
        `CPU per call: the app's user + system CPU over ${s.loadSeconds} s of short calls at ${s.loadRate}/s, per call.`,
      ],
    };
  },
};

export default scenario;
