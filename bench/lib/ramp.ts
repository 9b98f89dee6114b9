// The call-rate ramp: find the highest rate a system under test holds cleanly (no failed call,
// few retransmissions, the offered rate achieved) for a whole hold step.
//
// Holding every rate of a fine ramp for 20 s would not fit the bench's time budget, so the ramp
// first probes with short steps (doubling, then two bisections) to find the knee, then holds
// steps of `holdSeconds` from the middle of the last [clean, failed] probe interval upwards by
// `holdFactor` until one fails (or downwards until one is clean). The highest clean held step is the result. A step that failed
// leaves the system overloaded (retransmission timers, lingering transactions), so the system is
// restarted after it and warmed up again before the next step.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { machineBusySeconds } from './procfs.js';
import { percentile, runSippClient } from './sipp.js';

export interface SystemUnderTest {
  /** Row label: "rxsip UAS", "SIPp UAS (reference)". */
  label: string;
  role: 'rxsip' | 'reference';
  /** (Re)starts the system and its helpers (a SIPp callee), ready for calls. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** host:port the caller sends to. */
  target(): string;
  /** CPU seconds used so far by the process(es) under test. */
  cpuSeconds(): number;
  /** Peak resident memory of the system so far in this life, KiB. */
  peakRssKiB(): number;
  /** Resident memory now, KiB (for the growth over a step). */
  rssKiB?(): number;
  /** Calls failed so far at helpers (the callee's view), cumulative for this life. */
  helperFailures?(): number;
  /** CPU seconds of helpers (the SIPp callee), for the record. */
  helperCpuSeconds?(): number;
  /** Whether it died. */
  exited(): boolean;
}

export interface RampPlan {
  /** SIPp scenario in bench/sipp/ that the caller runs. */
  scenario: string;
  /** The first probe's rate. */
  start: number;
  /** No step above this rate (the caller's own limit on this machine). */
  max: number;
  /** Rates always held (a goal's reference point, the same for every system), before probing. */
  anchors?: number[];
  /** How long each anchor is held (default `holdSeconds`); with `anchorRounds`, each round. */
  anchorSeconds?: number;
  /**
   * Anchors held in this many short rounds interleaved with the other systems' (`anchors.ts`),
   * the median round counting; without it, each anchor is one step of the system's own ramp.
   */
  anchorRounds?: number;
  probeSeconds: number;
  holdSeconds: number;
  /** Bisections of the probes' [clean, failed] interval. */
  bisections: number;
  /** Ratio between held steps. */
  holdFactor: number;
  /** Most held steps after the anchors going up (two more going down). */
  maxHolds: number;
  /** Then one more held step at half the max clean rate, for the latency there. */
  halfStep?: boolean;
  /** Only the anchors: a reference measured at the same rates, not ramped. */
  anchorsOnly?: boolean;
  warmupSeconds: number;
  warmupRate: number;
  /** "Few retransmissions": at most this fraction of the calls. */
  maxRetransmissionRatio: number;
}

export type Phase = 'warmup' | 'anchor' | 'probe' | 'hold' | 'half';

export interface Step {
  system: string;
  phase: Phase;
  offered: number;
  seconds: number;
  /** Successful calls per second of wall time. */
  achieved: number;
  calls: number;
  successful: number;
  failed: number;
  retransmissions: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** CPU (user + system) of the system under test per successful call, µs. */
  cpuPerCall: number | null;
  /** How much its resident memory grew over the step, per successful call, KiB. */
  rssGrowthPerCallKiB: number | null;
  /** CPU of the system under test over the step, percent of one core. */
  cpuPercent: number;
  callerCpuPercent: number;
  helperCpuPercent: number | null;
  /**
   * CPU the rest of the machine used meanwhile (other processes, the kernel's own threads), percent
   * of one core: what the system under test, the caller and the helpers did not use themselves.
   */
  otherCpuPercent: number;
  clean: boolean;
  reason: string | null;
}

export interface RampResult {
  system: string;
  role: 'rxsip' | 'reference';
  steps: Step[];
  /** The highest clean held (anchor or hold) step. */
  best: Step | undefined;
  /**
   * The held steps ran out while still clean: `best` is a rate the system holds, and its max clean
   * rate is higher (reported as "≥").
   */
  atLeast: boolean;
  peakRssKiB: number;
  restarts: number;
  seconds: number;
}

/** Rates the eye reads: two significant digits (2,828 → 2,800). */
export function niceRate(rate: number): number {
  if (rate < 10) return Math.max(1, Math.round(rate));
  const unit = 10 ** (Math.floor(Math.log10(rate)) - 1);
  return Math.round(rate / unit) * unit;
}

/** Waits `ms` milliseconds. */
/** `value` to `digits` decimals, as a number. */
export const round = (value: number, digits = 0) => Number(value.toFixed(digits));

export async function runStep(
  system: SystemUnderTest,
  plan: RampPlan,
  rate: number,
  seconds: number,
  phase: Phase,
  log: (text: string) => void,
): Promise<Step> {
  const calls = Math.max(1, Math.round(rate * seconds));
  const retransBudget = Math.max(1, Math.floor(calls * plan.maxRetransmissionRatio));
  const cpu0 = system.cpuSeconds();
  const helperCpu0 = system.helperCpuSeconds?.() ?? 0;
  const helperFailed0 = system.helperFailures?.() ?? 0;
  const busy0 = machineBusySeconds();
  const rss0 = system.rssKiB?.() ?? 0;
  const t0 = performance.now();
  const run = await runSippClient({
    scenario: plan.scenario,
    target: system.target(),
    rate,
    calls,
    timeoutSeconds: Math.ceil(seconds + 10),
    abortWhen: (c) =>
      c.failed > 0
        ? `${c.failed} failed`
        : c.retransmissions > retransBudget
          ? `${c.retransmissions} retransmissions`
          : undefined,
  });
  // The last responses are on their way: let the system account for them.
  await sleep(200);
  const wall = (performance.now() - t0) / 1000;
  const rss1 = system.rssKiB?.() ?? 0;
  const cpu = system.cpuSeconds() - cpu0;
  const helperCpu = system.helperCpuSeconds ? system.helperCpuSeconds() - helperCpu0 : null;
  const other = Math.max(0, machineBusySeconds() - busy0 - cpu - run.callerCpu - (helperCpu ?? 0));
  // The callee's statistics are dumped each second: its failures show up to a second late.
  const helperFailed = (system.helperFailures?.() ?? 0) - helperFailed0;
  const failed = run.failed + Math.max(0, helperFailed);
  // A step stopped early ran for `wall` seconds only.
  const achieved = run.successful / (run.aborted ? run.wall : Math.max(seconds, run.wall));
  const sorted = [...run.rtts].sort((a, b) => a - b);
  const reasons: string[] = [];
  if (run.aborted) reasons.push(`stopped: ${run.aborted}`);
  if (failed > 0 && !run.aborted) reasons.push(`${failed} failed`);
  if (run.retransmissions > retransBudget && !run.aborted)
    reasons.push(`${run.retransmissions} retransmissions`);
  if (run.successful < calls && !run.aborted) reasons.push(`${calls - run.successful} calls unfinished`);
  if (achieved < rate * 0.95 && reasons.length === 0) reasons.push(`achieved < 95% of offered`);
  if (system.exited()) reasons.push('system under test exited');
  const step: Step = {
    system: system.label,
    phase,
    offered: rate,
    seconds,
    achieved: round(achieved),
    calls,
    successful: run.successful,
    failed,
    retransmissions: run.retransmissions,
    p50: percentile(sorted, 50) ?? null,
    p90: percentile(sorted, 90) ?? null,
    p99: percentile(sorted, 99) ?? null,
    max: sorted.at(-1) ?? null,
    cpuPerCall: run.successful > 0 ? round((cpu / run.successful) * 1e6, 1) : null,
    rssGrowthPerCallKiB: run.successful > 0 && rss0 > 0 ? round((rss1 - rss0) / run.successful, 2) : null,
    cpuPercent: round((cpu / wall) * 100, 1),
    callerCpuPercent: round((run.callerCpu / run.wall) * 100, 1),
    helperCpuPercent: helperCpu === null ? null : round((helperCpu / wall) * 100, 1),
    otherCpuPercent: round((other / wall) * 100, 1),
    clean: reasons.length === 0,
    reason: reasons.length ? reasons.join('; ') : null,
  };
  log(
    `${system.label}: ${phase} ${rate}/s × ${seconds} s → ${step.achieved}/s, ` +
      `${step.failed} failed, ${step.retransmissions} retrans, p99 ${step.p99 ?? '-'} ms, ` +
      `${step.cpuPerCall ?? '-'} µs/call, ${step.clean ? 'clean' : step.reason}`,
  );
  return step;
}

/**
 * Warms a freshly started node process up gently: a ramp of four steps from an eighth of the
 * warm-up rate, so that a slow machine is not overloaded before its hot code is optimized.
 * Nothing for a system that needs no warm-up (`plan.warmupSeconds` 0).
 */
export async function warmUp(
  system: SystemUnderTest,
  plan: RampPlan,
  log: (text: string) => void,
): Promise<Step[]> {
  const steps: Step[] = [];
  if (plan.warmupSeconds <= 0) return steps;
  const seconds = Math.max(1, Math.round(plan.warmupSeconds / 4));
  for (const share of [1 / 8, 1 / 4, 1 / 2, 1])
    steps.push(await runStep(system, plan, niceRate(plan.warmupRate * share), seconds, 'warmup', log));
  return steps;
}

/**
 * Finds the highest rate `system` holds cleanly for `plan.holdSeconds`. Anchor steps measured
 * beforehand (interleaved with the other systems', see `anchors.ts`) are given as `anchored`:
 * they count as held steps, and the ramp does not hold the anchors again.
 */
export async function ramp(
  system: SystemUnderTest,
  plan: RampPlan,
  log: (text: string) => void,
  anchored: { steps: readonly Step[]; peakRssKiB: number } = { steps: [], peakRssKiB: 0 },
): Promise<RampResult> {
  const began = performance.now();
  const steps: Step[] = [...anchored.steps];
  let peakRssKiB = anchored.peakRssKiB;
  let restarts = 0;

  const warmup = async () => {
    steps.push(...(await warmUp(system, plan, log)));
  };
  const fresh = async () => {
    peakRssKiB = Math.max(peakRssKiB, system.peakRssKiB());
    await system.stop();
    await system.start();
    await warmup();
  };
  // A restarted process is warmed up to the warm-up rate only, its code still half optimized
  // (at `90bee39` the B2BUA ran 1,700 µs a call at 500 calls/s just warmed, 800 µs at 1,000 calls/s
  // a few seconds later), so a probe right after a restart can fail a rate the process holds
  // once warm: the held steps, which start between the probes, are what decide. Warming it up
  // further was tried (to the highest rate passed, up to twice the warm-up rate, at `129733f`):
  // the B2BUA fell behind in that warm-up step, at 120% CPU, and every held step after it failed.
  const restart = async () => {
    await fresh();
    restarts++;
  };
  const step = async (rate: number, seconds: number, phase: Phase) => {
    const s = await runStep(system, plan, rate, seconds, phase, log);
    steps.push(s);
    peakRssKiB = Math.max(peakRssKiB, system.peakRssKiB());
    if (!s.clean) await restart();
    return s;
  };
  let atLeast = false;

  // Probes, held steps and the half-rate step (references measured at the anchors only skip it).
  const rampUp = async () => {
    // Probes: double until a step fails, then bisect (geometrically) the last interval.
    let clean = 0;
    let failed = Number.POSITIVE_INFINITY;
    for (let rate = plan.start; rate <= plan.max; rate = niceRate(rate * 2)) {
      if ((await step(rate, plan.probeSeconds, 'probe')).clean) clean = rate;
      else {
        failed = rate;
        break;
      }
      if (rate === plan.max) break;
      if (rate * 2 > plan.max) rate = plan.max / 2;
    }
    for (let i = 0; i < plan.bisections && Number.isFinite(failed); i++) {
      const mid = niceRate(Math.sqrt(Math.max(clean, plan.start / 2) * failed));
      if (mid <= clean || mid >= failed) break;
      if ((await step(mid, plan.probeSeconds, 'probe')).clean) clean = mid;
      else failed = mid;
    }

    // Held steps: from between the last clean and the first failed probe (a short probe passes
    // rates a long step does not), up until one fails, or down until one is clean.
    let rate =
      clean === 0
        ? niceRate(plan.start / 2)
        : Number.isFinite(failed)
          ? niceRate(Math.sqrt(clean * failed))
          : clean;
    let holds = 0;
    let first = true;
    let goingUp = true;
    // Going down gets a few more steps: without a clean held step there is no result at all.
    while (holds < (goingUp ? plan.maxHolds : plan.maxHolds + 2) && rate <= plan.max) {
      const s = await step(rate, plan.holdSeconds, 'hold');
      holds++;
      if (first) goingUp = s.clean;
      first = false;
      // Out of held steps going up, every one clean: the last is a lower bound.
      atLeast = goingUp && s.clean && holds >= plan.maxHolds && rate < plan.max;
      if (goingUp && !s.clean) break;
      if (!goingUp && s.clean) break;
      // Down in bigger steps: a long step can fall well short of what the short probes passed
      // (state that lingers 32 s after each call only piles up in a long one).
      const next = niceRate(goingUp ? rate * plan.holdFactor : rate / plan.holdFactor ** 2);
      if (next === rate) break;
      rate = goingUp ? Math.min(next, plan.max) : next;
      if (goingUp && rate === steps.at(-1)?.offered) break;
    }
    if (plan.halfStep) {
      const top = steps
        .filter((s) => (s.phase === 'hold' || s.phase === 'anchor') && s.clean)
        .sort((a, b) => b.offered - a.offered)[0];
      // From a fresh, warmed-up process: right after the max clean step, the first 32 s at half
      // the rate would be spent letting go of the state that step's calls left (RFC 3261 Timers
      // J and L, RFC 6026 Timer M), a recovery from twice the load rather than the load itself.
      if (top) {
        // After a failed step the process was just restarted and warmed up (its steps end so).
        if (steps.at(-1)?.phase !== 'warmup') await fresh();
        await step(niceRate(top.offered / 2), plan.holdSeconds, 'half');
      }
    }
  };

  const anchors = anchored.steps.length > 0 ? [] : (plan.anchors ?? []);
  if (anchors.length > 0 || !plan.anchorsOnly) {
    await system.start();
    try {
      await warmup();
      for (const rate of anchors) await step(rate, plan.anchorSeconds ?? plan.holdSeconds, 'anchor');

      if (!plan.anchorsOnly) await rampUp();
    } finally {
      peakRssKiB = Math.max(peakRssKiB, system.peakRssKiB());
      await system.stop();
    }
  }
  const held = steps.filter((s) => (s.phase === 'hold' || s.phase === 'anchor') && s.clean);
  // A system measured only at the anchors was not ramped: it has no max clean rate.
  const best = plan.anchorsOnly ? undefined : held.sort((a, b) => b.offered - a.offered)[0];
  return {
    system: system.label,
    role: system.role,
    steps,
    best,
    atLeast: !plan.anchorsOnly && atLeast,
    peakRssKiB,
    restarts,
    seconds: round((performance.now() - began) / 1000),
  };
}
