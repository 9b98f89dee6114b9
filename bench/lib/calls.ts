// What the call scenarios (uas, b2bua, proxy, options) share: ramp each system, rxsip first and
// its reference next in the same run, and turn the ramps into the tables, ratios and goals.
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleavedAnchors } from './anchors.js';
import { BENCH_DIR } from './processes.js';
import { summarizeProfile } from './profile.js';
import {
  type RampPlan,
  type RampResult,
  ramp,
  runStep,
  type Step,
  type SystemUnderTest,
  warmUp,
} from './ramp.js';
import type { Cell, Goal, ScenarioResult } from './scenario.js';
import type { RxsipSystem } from './systems.js';

/**
 * The ramp settings of a full run and of a `--quick` smoke run. `jit`: the system is a node process
 * that needs a few thousand calls before its hot code is optimized (warmed up after each start);
 * SIPp and Kamailio are not.
 */
export function plan(
  quick: boolean,
  scenario: string,
  rates: {
    start: number;
    max: number;
    anchors?: number[];
    halfStep?: boolean;
    jit: boolean;
    holdSeconds?: number;
  },
): RampPlan {
  const { jit, holdSeconds, ...range } = rates;
  const common = {
    scenario,
    ...range,
    // "Few retransmissions": one call in a thousand waited longer than T1 (500 ms) for an answer.
    maxRetransmissionRatio: 0.001,
  };
  return quick
    ? {
        ...common,
        anchors: [],
        halfStep: false,
        probeSeconds: 1,
        holdSeconds: 3,
        bisections: 1,
        holdFactor: 1.15,
        maxHolds: 3,
        warmupSeconds: jit ? 2 : 0,
        warmupRate: 500,
      }
    : {
        ...common,
        probeSeconds: 2,
        holdSeconds: holdSeconds ?? 20,
        // Three rounds of 2 s per system and anchor, interleaved with the other systems' rounds.
        anchorSeconds: 2,
        anchorRounds: 3,
        bisections: 1,
        holdFactor: 1.1,
        maxHolds: 3,
        warmupSeconds: jit ? 4 : 0,
        warmupRate: Math.min(1000, range.start),
      };
}

export const progress = (text: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${text}`);
  else console.log(`  ${text}`);
};

const mib = (kib: number) => Number((kib / 1024).toFixed(1));

/** The ramp's steps as a table (warm-ups left out). */
export function stepRows(ramps: readonly RampResult[], unit: string): Record<string, Cell>[] {
  return ramps.flatMap((r) =>
    r.steps
      .filter((s) => s.phase !== 'warmup')
      .map((s) => ({
        system: s.system,
        step: s.phase,
        s: s.seconds,
        [`offered ${unit}/s`]: s.offered,
        [`achieved ${unit}/s`]: s.achieved,
        failed: s.failed,
        retrans: s.retransmissions,
        'p50 ms': s.p50,
        'p99 ms': s.p99,
        'CPU µs/call': s.cpuPerCall,
        'CPU %': s.cpuPercent,
        'caller CPU %': s.callerCpuPercent,
        'other CPU %': s.otherCpuPercent,
        result: s.clean ? 'clean' : (s.reason ?? 'failed'),
      })),
  );
}

export interface CallBenchResult {
  ramps: RampResult[];
  rxsip: RampResult;
  reference: RampResult | undefined;
}

/**
 * Measures the systems' same-rate anchors interleaved (`anchors.ts`) when the plans ask for
 * rounds, then ramps each system in turn (rxsip first), then builds the scenario's result.
 */
export async function runCallBench(
  entries: readonly { system: SystemUnderTest; plan: RampPlan }[],
  unit: string,
  log: (text: string) => void = progress,
): Promise<CallBenchResult & { result: ScenarioResult }> {
  const anchored = entries.filter((e) => (e.plan.anchors?.length ?? 0) > 0 && e.plan.anchorRounds);
  const rates = anchored[0]?.plan.anchors ?? [];
  if (anchored.some((e) => e.plan.anchors?.join() !== rates.join()))
    throw new Error('runCallBench: interleaved anchors need the same rates for every system');
  const first = anchored[0]?.plan;
  const measured = first
    ? await interleavedAnchors(
        anchored,
        rates,
        first.anchorRounds ?? 1,
        first.anchorSeconds ?? first.holdSeconds,
        log,
      )
    : undefined;
  const ramps: RampResult[] = [];
  for (const { system, plan: rampPlan } of entries)
    ramps.push(await ramp(system, rampPlan, log, measured?.get(system.label)));
  const rampPlan = (entries[0] as { plan: RampPlan }).plan;
  log('');
  const rxsip = ramps.find((r) => r.role === 'rxsip') as RampResult;
  // The reference for the rows' ratios is the first one ramped (an anchors-only one has no max).
  const reference = ramps.find((r, i) => r.role === 'reference' && !entries[i]?.plan.anchorsOnly);
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a != null && b ? Number((a / b).toFixed(2)) : null;

  const rows = ramps.map((r, i) => {
    const b = r.best;
    return {
      system: r.system,
      [`max clean ${unit}/s`]: b?.offered ?? (entries[i]?.plan.anchorsOnly ? null : 0),
      'held s': b?.seconds ?? null,
      'p50 ms': b?.p50 ?? null,
      'p99 ms': b?.p99 ?? null,
      'CPU µs/call': b?.cpuPerCall ?? null,
      'CPU %': b?.cpuPercent ?? null,
      'peak RSS MiB': mib(r.peakRssKiB),
      'rate vs ref': r.role === 'rxsip' && reference ? ratio(b?.offered, reference.best?.offered) : null,
      'CPU/call vs ref':
        r.role === 'rxsip' && reference ? ratio(b?.cpuPerCall, reference.best?.cpuPerCall) : null,
    } satisfies Record<string, Cell>;
  });

  return {
    ramps,
    rxsip,
    reference,
    result: {
      rows,
      tables: [{ title: 'steps', rows: stepRows(ramps, unit) }],
      settings: Object.fromEntries(entries.map((e) => [e.system.label, e.plan])),
      details: {
        ramps,
        anchorRounds: measured ? Object.fromEntries([...measured].map(([k, v]) => [k, v.rounds])) : undefined,
      },
      notes: [
        `max clean: the highest offered rate held for ${rampPlan.holdSeconds} s with no failed ${unit === 'calls' ? 'call' : 'transaction'},`,
        `retransmissions <= ${rampPlan.maxRetransmissionRatio * 100}% of them and >= 95% of the offered rate achieved; p50/p99/CPU are that step's.`,
        'Held steps start between the last clean and the first failed probe, then go up by',
        `${Math.round((rampPlan.holdFactor - 1) * 100)}% until one fails (or down by ${Math.round((1 - 1 / rampPlan.holdFactor ** 2) * 100)}% until one holds): the max clean rate is within a step of the true one,`,
        `unless the ${rampPlan.maxHolds} held steps going up were all clean: then it is a lower bound (listed below).`,
        ...ramps
          .filter((r) => r.atLeast)
          .map(
            (r) =>
              `${r.system}: every held step clean up to the last, so its max clean rate is at least ${r.best?.offered} ${unit}/s.`,
          ),
        'p50/p99: SIPp response time 1 (INVITE or OPTIONS to its 200), in whole milliseconds (SIPp resolution).',
        'CPU: the time the process(es) under test ran, user + system (schedstat ns, all threads, GC included), per successful call.',
        'other CPU %: what the rest of the machine used meanwhile (other processes, kernel threads), of one core.',
        `probes (${rampPlan.probeSeconds} s, doubling then bisecting) find the knee; a failed step restarts the system under test.`,
        ...(first
          ? [
              `anchors (${rates.join(', ')} ${unit}/s): ${first.anchorRounds} rounds of ${first.anchorSeconds} s per system, the systems' rounds`,
              "alternating; CPU per call is the median round's, each round's CPU counted up to that system's next round.",
            ]
          : []),
      ],
    },
  };
}

/**
 * One continuous step at `rate` for `seconds` on a freshly started and warmed-up system: what a
 * steady run does to resident memory, which short interleaved rounds cannot show.
 *
 * @returns the step (its `rssGrowthPerCallKiB` is the growth over it)
 */
export async function steadyStep(
  system: SystemUnderTest,
  rampPlan: RampPlan,
  rate: number,
  seconds: number,
  log: (text: string) => void = progress,
): Promise<Step> {
  await system.start();
  try {
    await warmUp(system, rampPlan, log);
    return await runStep(system, rampPlan, rate, seconds, 'hold', log);
  } finally {
    await system.stop();
    log('');
  }
}

/** A rate goal: at least `target` per second. */
export function rateGoal(goal: string, target: number, best: Step | undefined, unit: string): Goal {
  const measured = best?.offered ?? 0;
  return { goal, target, measured, met: measured >= target, unit: `${unit}/s` };
}

// `measured` over `reference` to two decimals; NaN (never met) when either is missing.
function ratio(measured: number | null, reference: number | null): number {
  return measured != null && reference ? Number((measured / reference).toFixed(2)) : Number.NaN;
}

/** A ratio goal: `measured` over `reference`, at most `target` (CPU per call against a reference's). */
export function ratioGoal(
  goal: string,
  target: number,
  measured: number | null,
  reference: number | null,
): Goal {
  const value = ratio(measured, reference);
  return { goal, target, measured: value, met: value <= target, kind: 'at most' };
}

/** A floor on a ratio (a rate against a reference's). */
export function ratioFloorGoal(
  goal: string,
  target: number,
  measured: number | null,
  reference: number | null,
  lowerBound = false,
): Goal {
  const value = ratio(measured, reference);
  return {
    goal: lowerBound ? `${goal} (a lower bound)` : goal,
    target,
    measured: value,
    met: value >= target,
  };
}

/** The step of a ramp held at `rate` (an anchor), if any. */
export function anchorStep(r: RampResult | undefined, rate: number): Step | undefined {
  return r?.steps.find((s) => s.phase === 'anchor' && s.offered === rate);
}

/** A ceiling goal (µs per call, ms of latency). */
export function ceilingGoal(goal: string, target: number, measured: number | null, unit: string): Goal {
  const value = measured ?? Number.NaN;
  return { goal, target, measured: value, met: value <= target, unit, kind: 'at most' };
}

/**
 * `--profile`: the rxsip example under `node --cpu-prof`, at `rate` for `seconds`, then a summary
 * of the profile (functions by self time). The raw profile is left in bench/results/ (ignored by
 * git) for Chrome DevTools or speedscope.
 */
export async function profileScenario(
  name: string,
  make: (nodeFlags: string[]) => RxsipSystem,
  rampPlan: RampPlan,
  rate: number,
): Promise<ScenarioResult> {
  const dir = join(BENCH_DIR, 'results');
  const file = `${name}.cpuprofile`;
  // One profile per thread (tsx's module hooks run on a thread of their own): a directory of
  // their own, and the main thread's is the one kept.
  const profiles = mkdtempSync(join(tmpdir(), 'rxsip-bench-prof-'));
  const system = make(['--cpu-prof', '--cpu-prof-dir', profiles]);
  await system.start();
  let step: Step;
  // The profile's clock is the monotonic one process.hrtime reads: only the measured step counts.
  let from = 0;
  let to = 0;
  try {
    await runStep(system, rampPlan, rampPlan.warmupRate, rampPlan.warmupSeconds, 'warmup', progress);
    from = Number(process.hrtime.bigint() / 1000n);
    step = await runStep(system, rampPlan, rate, rampPlan.holdSeconds, 'hold', progress);
    to = Number(process.hrtime.bigint() / 1000n);
  } finally {
    await system.stop();
  }
  progress('');
  copyFileSync(mainThreadProfile(profiles), join(dir, file));
  rmSync(profiles, { recursive: true, force: true });
  const summary = summarizeProfile(join(dir, file), { from, to });
  return {
    rows: summary.functions.map((f) => ({
      function: f.name,
      location: f.location,
      'self ms': f.selfMs,
      'self %': f.selfPercent,
    })),
    tables: [
      {
        title: 'self time by file',
        rows: summary.files.map((f) => ({ file: f.file, 'self ms': f.selfMs, 'self %': f.selfPercent })),
      },
      { title: 'the profiled step', rows: stepRows([{ ...emptyRamp(), steps: [step] }], 'calls') },
    ],
    settings: { rate, seconds: rampPlan.holdSeconds, profile: `bench/results/${file}` },
    details: { step, summary },
    notes: [
      `node --cpu-prof of the ${name} example at ${rate}/s for ${rampPlan.holdSeconds} s, samples of that step only`,
      '(start-up and warm-up left out); the profiler costs some CPU itself.',
      `self % is of the process's sampled non-idle time. Raw profile: bench/results/${file}.`,
    ],
  };
}

/** Node names the files CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is main. */
function mainThreadProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const main = files.find((f) => f.split('.').at(-3) === '0') ?? files[0];
  if (!main) throw new Error('--profile: node wrote no CPU profile');
  return join(dir, main);
}

function emptyRamp(): RampResult {
  return {
    system: '',
    role: 'rxsip',
    steps: [],
    best: undefined,
    atLeast: false,
    peakRssKiB: 0,
    restarts: 0,
    seconds: 0,
  };
}
