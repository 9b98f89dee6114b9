// Same-rate anchors measured interleaved: every system of a scenario is started and warmed up,
// then each anchor rate is held in short rounds that alternate between the systems (rxsip, a
// reference, the other reference, rxsip again, ... with the order rotated each round), instead of
// one system's whole run after another's.
//
// Why: on a shared or virtual machine the cost of a datagram, a wake-up or a page fault drifts by
// tens of percent over minutes (other tenants, the host's frequency, the kernel's own threads).
// Measured one system after the other, minutes apart, a ratio carries that drift; two full runs an
// hour apart gave ratios 1.8x apart. Rounds a few seconds apart see the same machine, and the
// median of the rounds drops a round that a burst of other load disturbed.
//
// What a round costs a system includes what its calls leave behind to do soon after (the
// garbage collections they cause, short timers): each round's CPU is counted from its start to
// the start of the same system's next round (the last one to the end of the phase, after the
// same settle), so work deferred past a round's end is not lost to the systems that run
// meanwhile. The 32 s timers of lingering transactions (RFC 3261 Timer J, RFC 6026 Timer L/M)
// outlast a rate's rounds: they fall in later rounds, possibly of the next rate, or after the
// phase. A steady state per rate would need more than 32 s at that rate before measuring, which
// the bench's time budget does not have; the README says how this skews the low-rate figures.

import { setTimeout as sleep } from 'node:timers/promises';
import { median } from './measure.js';
import { type RampPlan, round, runStep, type Step, type SystemUnderTest, warmUp } from './ramp.js';

/** One system to measure at the anchors, with its ramp plan (warm-up settings, scenario). */
export interface AnchoredEntry {
  system: SystemUnderTest;
  plan: RampPlan;
}

/** What the interleaved phase measured of one system. */
export interface AnchorResult {
  /** One merged `anchor` step per rate, with the rounds' median CPU per call. */
  steps: Step[];
  /** The rounds themselves, for the record. */
  rounds: Step[];
  peakRssKiB: number;
}

// The median of what there is; `null` when there is nothing.
const medianOf = (values: readonly number[]): number | null => (values.length ? median(values) : null);

interface Round {
  step: Step;
  cpu0: number;
}

/** The rounds of one system at one rate as one anchor step: sums, and medians where a round may be an outlier. */
function merge(system: SystemUnderTest, rate: number, rounds: readonly (Round & { cpu: number })[]): Step {
  const steps = rounds.map((r) => r.step);
  const sum = (f: (s: Step) => number) => steps.reduce((a, s) => a + f(s), 0);
  const successful = sum((s) => s.successful);
  // An unclean round (a restart followed it) is left out when a clean one is there.
  const counted = rounds.some((r) => r.step.clean) ? rounds.filter((r) => r.step.clean) : rounds;
  const perCall = counted.filter((r) => r.step.successful > 0).map((r) => (r.cpu / r.step.successful) * 1e6);
  const cpuPerCall = medianOf(perCall);
  const reasons = steps.filter((s) => !s.clean).map((s) => s.reason);
  const first = steps[0] as Step;
  return {
    ...first,
    system: system.label,
    phase: 'anchor',
    offered: rate,
    seconds: sum((s) => s.seconds),
    achieved: round(medianOf(steps.map((s) => s.achieved)) ?? 0),
    calls: sum((s) => s.calls),
    successful,
    failed: sum((s) => s.failed),
    retransmissions: sum((s) => s.retransmissions),
    p50: medianOf(steps.flatMap((s) => (s.p50 === null ? [] : [s.p50]))),
    p90: medianOf(steps.flatMap((s) => (s.p90 === null ? [] : [s.p90]))),
    // The worst round's: a tail that one round saw is a tail.
    p99: steps.reduce<number | null>((a, s) => (s.p99 === null ? a : Math.max(a ?? 0, s.p99)), null),
    max: steps.reduce<number | null>((a, s) => (s.max === null ? a : Math.max(a ?? 0, s.max)), null),
    cpuPerCall: cpuPerCall === null ? null : round(cpuPerCall, 1),
    // Short rounds with pauses between them are no steady run: the pauses let the heap shrink.
    // Resident memory growth is for a continuous step to tell (see the b2bua scenario).
    rssGrowthPerCallKiB: null,
    // The rounds' own: a window also spans the other systems' rounds, when this one idles.
    cpuPercent: round(medianOf(steps.map((s) => s.cpuPercent)) ?? 0, 1),
    callerCpuPercent: round(medianOf(steps.map((s) => s.callerCpuPercent)) ?? 0, 1),
    helperCpuPercent: medianOf(
      steps.flatMap((s) => (s.helperCpuPercent === null ? [] : [s.helperCpuPercent])),
    ),
    otherCpuPercent: round(medianOf(steps.map((s) => s.otherCpuPercent)) ?? 0, 1),
    clean: reasons.length === 0,
    reason: reasons.length ? reasons.join('; ') : null,
  };
}

/**
 * Holds each rate of `rates` on every system of `entries` in `rounds` alternating rounds of
 * `seconds` each (see the top of this file), and returns each system's merged anchor steps.
 * A round that fails restarts and warms up that system before its next round.
 *
 * @param entries - the systems, each with its plan (its warm-up and SIPp scenario)
 * @param rates - the anchor rates, the same for every system
 * @param rounds - rounds per system and rate
 * @param seconds - the length of one round
 * @param log - progress
 * @returns per system label, its anchor steps
 */
export async function interleavedAnchors(
  entries: readonly AnchoredEntry[],
  rates: readonly number[],
  rounds: number,
  seconds: number,
  log: (text: string) => void,
): Promise<Map<string, AnchorResult>> {
  const results = new Map<string, AnchorResult>();
  for (const { system } of entries) results.set(system.label, { steps: [], rounds: [], peakRssKiB: 0 });
  const peak = (system: SystemUnderTest) => {
    const r = results.get(system.label) as AnchorResult;
    r.peakRssKiB = Math.max(r.peakRssKiB, system.peakRssKiB());
  };
  // Every system's first seconds at a rate cost more than the rest: a node process still pays
  // for its JIT (optimizing compiles run on threads of its own, and count), and Kamailio's first
  // round was half again as costly as its third. One unmeasured round at the highest anchor
  // rate, for every system, so that the first measured round is not that transient.
  const settle = async (system: SystemUnderTest, plan: RampPlan) => {
    await runStep(system, plan, Math.max(...rates), seconds, 'warmup', log);
  };
  const started: SystemUnderTest[] = [];
  try {
    // Warmed up in reverse, so the first round of the lowest rate follows its system's settle at
    // once. A stateful system's warm-up calls leave their transactions for 32 s (Timers J, L, M):
    // warmed up first, as before, their expiry and collection fell inside its low-rate rounds
    // (thousands of calls' worth over a few hundred measured); now it falls after them.
    for (const { system, plan } of [...entries].reverse()) {
      await system.start();
      started.push(system);
      await warmUp(system, plan, log);
      await settle(system, plan);
    }
    for (const rate of rates) {
      const byLabel = new Map<string, (Round & { cpu: number })[]>();
      const open = new Map<string, Round>();
      // A round's window ends where the same system's next round begins.
      const close = (system: SystemUnderTest) => {
        const r = open.get(system.label);
        if (!r) return;
        const closed = { ...r, cpu: system.cpuSeconds() - r.cpu0 };
        byLabel.set(system.label, [...(byLabel.get(system.label) ?? []), closed]);
        open.delete(system.label);
      };
      for (let i = 0; i < rounds; i++) {
        for (let k = 0; k < entries.length; k++) {
          const { system, plan } = entries[(i + k) % entries.length] as AnchoredEntry;
          close(system);
          const cpu0 = system.cpuSeconds();
          const step = await runStep(system, plan, rate, seconds, 'anchor', log);
          open.set(system.label, { step, cpu0 });
          peak(system);
          if (!step.clean) {
            close(system);
            await system.stop();
            await system.start();
            await warmUp(system, plan, log);
            await settle(system, plan);
          }
        }
      }
      // The last rounds' deferred work: as long a settle as a round, then every window closes.
      await sleep(seconds * 1000);
      for (const { system } of entries) {
        close(system);
        const r = results.get(system.label) as AnchorResult;
        const mine = byLabel.get(system.label) ?? [];
        r.rounds.push(...mine.map((m) => m.step));
        if (mine.length) r.steps.push(merge(system, rate, mine));
      }
    }
  } finally {
    for (const system of started) {
      peak(system);
      await system.stop();
    }
  }
  return results;
}
