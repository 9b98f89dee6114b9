import type { Cell, Goal } from './scenario.js';

function decimals(value: Cell): number {
  if (typeof value !== 'number' || Number.isInteger(value)) return 0;
  return Math.min(2, String(value).split('.')[1]?.length ?? 0);
}

function formatCell(value: Cell, digits: number): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain-text table: strings left-aligned, numbers right-aligned. */
export function formatTable(rows: readonly Record<string, Cell>[]): string {
  const first = rows[0];
  if (!first) return '(no rows)';
  const columns = Object.keys(first);
  const numeric = columns.map((c) => rows.some((r) => typeof r[c] === 'number'));
  // A column's numbers all get as many decimals as its most precise one (at most 2).
  const digits = columns.map((c) => Math.max(...rows.map((r) => decimals(r[c] ?? null))));
  const cells = rows.map((r) => columns.map((c, i) => formatCell(r[c] ?? null, digits[i] as number)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function formatGoals(goals: readonly Goal[]): string {
  return formatTable(
    goals.map((g) => ({
      goal: g.goal,
      target: `${g.target}x`,
      measured: `${g.measured.toFixed(2)}x`,
      result: g.met ? 'met' : 'MISSED',
    })),
  );
}
