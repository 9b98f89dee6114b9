// The contract between `bench/run.ts` and each benchmark scenario. Kept small on purpose: a
// scenario measures and returns rows; the dispatcher prints them and writes the JSON file.

/** A cell of a result table: numbers stay numbers in the JSON file. */
export type Cell = string | number | null;

/** A target the issue set, checked against a measured figure. */
export interface Goal {
  goal: string;
  target: number;
  measured: number;
  met: boolean;
  /** The figures' unit ("calls/s", "µs/call"...); none means a ratio, shown as "2.00x". */
  unit?: string;
  /** Whether the target is a floor (the default) or a ceiling. */
  kind?: 'at least' | 'at most';
}

export interface ScenarioResult {
  /** One object per measured line; all rows share the same keys (the table's columns). */
  rows: Record<string, Cell>[];
  goals?: Goal[];
  /** Run settings worth keeping with the figures (durations, rounds, message size...). */
  settings?: Record<string, unknown>;
  /** Caveats printed under the table and saved with it. */
  notes?: string[];
  /** Raw data saved with the figures but not printed (per-round samples...). */
  details?: Record<string, unknown>;
  /** More tables printed after the main one (and saved): the ramp's steps... */
  tables?: { title: string; rows: Record<string, Cell>[] }[];
}

export interface RunOptions {
  /** `--quick`: short rounds, to check that the scenario works; figures are not reference ones. */
  quick: boolean;
  /** `--profile`: run the rxsip process under `node --cpu-prof` at a fixed load instead of the
   * full measurement, and summarize where its CPU goes (scenarios that run an rxsip process). */
  profile: boolean;
}

export interface Scenario {
  /** The folder name under bench/ and the argument of `npm run bench -- <name>`. */
  name: string;
  description: string;
  /** Whether `--profile` means something for this scenario. */
  profiles?: boolean;
  run(options: RunOptions): Promise<ScenarioResult>;
}

/**
 * What the scenarios of this run have measured, by name: a later scenario states a goal as a
 * ratio to an earlier one's figure from the same run (the B2BUA's max clean rate over the UAS's).
 */
export const RUN_RESULTS = new Map<string, ScenarioResult & { maxClean?: number }>();
