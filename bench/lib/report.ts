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

function formatFigure(value: number, unit: string | undefined): string {
  if (!Number.isFinite(value)) return 'not measured';
  if (unit === undefined) return `${value.toFixed(2)}x`;
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`;
}

/** "met", or "MISSED" and by how much, relative to the target. */
export function goalVerdict(g: Goal): string {
  if (g.met) return 'met';
  if (!Number.isFinite(g.measured)) return 'MISSED (not measured)';
  if (g.target === 0) return 'MISSED';
  const off = g.kind === 'at most' ? g.measured / g.target - 1 : 1 - g.measured / g.target;
  return `MISSED by ${(off * 100).toFixed(0)}%`;
}

export function formatGoals(goals: readonly Goal[]): string {
  return formatTable(
    goals.map((g) => ({
      goal: g.goal,
      target: `${g.kind === 'at most' ? '<= ' : g.unit === undefined ? '' : '>= '}${formatFigure(g.target, g.unit)}`,
      measured: formatFigure(g.measured, g.unit),
      result: goalVerdict(g),
    })),
  );
}
