// Throughput of small synchronous operations: warm up, then several fixed-time rounds per case,
// the cases interleaved round by round so that a slow spell of the machine hits them all alike.
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export interface Case {
  name: string;
  /** One operation. It must check something of its result and throw if it is wrong, so that
   * the work cannot be optimized away and a parser that failed cannot look fast. */
  op: () => void;
}

export interface MeasureOptions {
  warmupMs: number;
  rounds: number;
  roundMs: number;
}

export interface Throughput {
  name: string;
  /** Median of the rounds' operations per second. */
  median: number;
  /** Median absolute deviation of the rounds, a spread that one disturbed round does not move. */
  mad: number;
  min: number;
  max: number;
  rounds: number[];
}

/** Runs `op` in batches until `ms` have passed; returns [operations, seconds]. */
function timed(op: () => void, batch: number, ms: number): [number, number] {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) op();
    count += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return [count, elapsed / 1000];
}

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function measure(
  cases: readonly Case[],
  options: MeasureOptions,
  onProgress?: (text: string) => void,
): Promise<Throughput[]> {
  // Warm-up: lets the JIT optimize each case, and sizes batches to about 1 ms between clock reads.
  const batches = new Map<string, number>();
  for (const c of cases) {
    onProgress?.(`warming up ${c.name}`);
    const [count, seconds] = timed(c.op, 16, options.warmupMs);
    batches.set(c.name, Math.max(1, Math.round(count / seconds / 1000)));
    await yieldToLoop();
  }
  const perCase = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    onProgress?.(`round ${round + 1}/${options.rounds}`);
    // Rotate the order each round: no case always runs right after the same neighbour.
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + round) % cases.length] as Case;
      const [count, seconds] = timed(c.op, batches.get(c.name) as number, options.roundMs);
      perCase.get(c.name)?.push(count / seconds);
      await yieldToLoop();
    }
  }
  return cases.map((c) => {
    const rounds = perCase.get(c.name) as number[];
    const mid = median(rounds);
    return {
      name: c.name,
      median: mid,
      mad: median(rounds.map((r) => Math.abs(r - mid))),
      min: Math.min(...rounds),
      max: Math.max(...rounds),
      rounds,
    };
  });
}

/**
 * How many times as fast `a` is as `b`: the median of the per-round ratios. Rounds of all cases
 * run close together in time, so a spell of load from elsewhere hits both sides of a ratio.
 */
export function speedRatio(a: Throughput, b: Throughput): number {
  return median(a.rounds.map((r, i) => r / (b.rounds[i] as number)));
}
