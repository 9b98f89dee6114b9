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
}

export interface RunOptions {
  /** `--quick`: short rounds, to check that the scenario works; figures are not reference ones. */
  quick: boolean;
}

export interface Scenario {
  /** The folder name under bench/ and the argument of `npm run bench -- <name>`. */
  name: string;
  description: string;
  run(options: RunOptions): Promise<ScenarioResult>;
}
