// bench/results/calls.svg: achieved rate and p99 response time against offered load, for every
// call ramp saved in bench/results/*.json (rxsip solid, references dashed). Written by hand: two
// log-scale panels, a few lines and markers, no plotting dependency.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RampResult, Step } from './ramp.js';

interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: Step[];
  best: number | undefined;
}

const COLORS: Record<string, [string, string]> = {
  uas: ['#1f77b4', '#7fb2d9'],
  b2bua: ['#9467bd', '#c5b0d5'],
  proxy: ['#2ca02c', '#98df8a'],
  options: ['#ff7f0e', '#ffbb78'],
};

/** The order of the legend: the issue's order of scenarios. */
const ORDER = ['uas', 'b2bua', 'proxy', 'options'];

function loadSeries(resultsDir: string): Series[] {
  const series: Series[] = [];
  const rank = (f: string) => {
    const i = ORDER.indexOf(f.replace(/\.json$/, ''));
    return i < 0 ? ORDER.length : i;
  };
  const files = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json') && !f.includes('-profile'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const file of files) {
    let record: { scenario?: string; quick?: boolean; details?: { ramps?: RampResult[] } };
    try {
      record = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    } catch {
      continue;
    }
    const ramps = record.details?.ramps;
    if (!record.scenario || !Array.isArray(ramps)) continue;
    const [rxsipColor, referenceColor] = COLORS[record.scenario] ?? ['#444444', '#aaaaaa'];
    for (const ramp of ramps) {
      // One point per offered rate: the held step if there is one (it ran longest).
      const byRate = new Map<number, Step>();
      for (const s of ramp.steps.filter((x) => x.phase !== 'warmup')) {
        const seen = byRate.get(s.offered);
        if (!seen || s.seconds > seen.seconds) byRate.set(s.offered, s);
      }
      series.push({
        label: `${record.scenario}: ${ramp.system}${record.quick ? ' (quick run)' : ''}`,
        color: ramp.role === 'rxsip' ? rxsipColor : referenceColor,
        dashed: ramp.role !== 'rxsip',
        points: [...byRate.values()].sort((a, b) => a.offered - b.offered),
        best: ramp.best?.offered,
      });
    }
  }
  return series;
}

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) ticks.push(v);
    }
  return ticks;
}

const formatTick = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v));

interface Panel {
  top: number;
  height: number;
  title: string;
  yLabel: string;
  yMin: number;
  yMax: number;
  value: (s: Step) => number | null;
}

/** Draws the chart from the saved results; returns its path, or undefined with nothing to draw. */
export function writeCallsChart(resultsDir: string): string | undefined {
  const series = loadSeries(resultsDir);
  if (series.length === 0) return undefined;
  const all = series.flatMap((s) => s.points);
  const width = 1080;
  const left = 80;
  const plotWidth = 600;
  const legendX = left + plotWidth + 30;
  const xMin = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p.offered))));
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.offered))));
  const x = (v: number) => left + ((Math.log10(v) - Math.log10(xMin)) / Math.log10(xMax / xMin)) * plotWidth;
  // SIPp measures whole milliseconds: a p99 of 0 is drawn at 0.5 ms, "under 1 ms".
  const p99 = (s: Step) => (s.p99 === null ? null : Math.max(0.5, s.p99));
  const maxP99 = Math.max(10, ...all.map((p) => p99(p) ?? 0));
  const panels: Panel[] = [
    {
      top: 60,
      height: 300,
      title: 'achieved rate against offered load (calls/s; OPTIONS: transactions/s)',
      yLabel: 'achieved /s',
      yMin: xMin,
      yMax: xMax,
      value: (s) => (s.achieved > 0 ? s.achieved : null),
    },
    {
      top: 440,
      height: 260,
      title: 'p99 response time (INVITE or OPTIONS to 200) against offered load',
      yLabel: 'p99 ms',
      yMin: 0.5,
      yMax: 10 ** Math.ceil(Math.log10(maxP99)),
      value: p99,
    },
  ];
  const height = 760;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="28" font-size="16" font-weight="bold">rxsip call benchmarks (npm run bench): rate and p99 against offered load</text>`,
  );
  for (const panel of panels) {
    const y = (v: number) =>
      panel.top +
      panel.height -
      ((Math.log10(v) - Math.log10(panel.yMin)) / Math.log10(panel.yMax / panel.yMin)) * panel.height;
    out.push(`<text x="${left}" y="${panel.top - 12}" font-weight="bold">${xmlText(panel.title)}</text>`);
    out.push(
      `<rect x="${left}" y="${panel.top}" width="${plotWidth}" height="${panel.height}" fill="none" stroke="#888"/>`,
    );
    for (const t of logTicks(xMin, xMax)) {
      out.push(
        `<line x1="${x(t)}" y1="${panel.top}" x2="${x(t)}" y2="${panel.top + panel.height}" stroke="#eee"/>`,
        `<text x="${x(t)}" y="${panel.top + panel.height + 16}" text-anchor="middle">${formatTick(t)}</text>`,
      );
    }
    for (const t of logTicks(panel.yMin, panel.yMax)) {
      const label = panel.yLabel === 'p99 ms' && t === 0.5 ? '<1' : formatTick(t);
      out.push(
        `<line x1="${left}" y1="${y(t)}" x2="${left + plotWidth}" y2="${y(t)}" stroke="#eee"/>`,
        `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${xmlText(label)}</text>`,
      );
    }
    out.push(
      `<text x="${left + plotWidth / 2}" y="${panel.top + panel.height + 34}" text-anchor="middle">offered load /s (log)</text>`,
      `<text x="${left - 50}" y="${panel.top + panel.height / 2}" text-anchor="middle" transform="rotate(-90 ${left - 50} ${panel.top + panel.height / 2})">${panel.yLabel} (log)</text>`,
    );
    if (panel.yLabel === 'achieved /s')
      out.push(
        `<line x1="${x(xMin)}" y1="${y(xMin)}" x2="${x(xMax)}" y2="${y(xMax)}" stroke="#ccc" stroke-dasharray="2 4"/>`,
      );
    for (const s of series) {
      const pts = s.points
        .map((p) => ({ p, v: panel.value(p) }))
        .filter((e): e is { p: Step; v: number } => e.v !== null);
      if (pts.length === 0) continue;
      // The line joins the clean steps; failed ones are markers only.
      const path = pts
        .filter((e) => e.p.clean)
        .map((e, i) => `${i ? 'L' : 'M'}${x(e.p.offered).toFixed(1)},${y(e.v).toFixed(1)}`);
      if (path.length > 1)
        out.push(
          `<path d="${path.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
        );
      for (const { p, v } of pts) {
        const cx = x(p.offered).toFixed(1);
        const cy = y(v).toFixed(1);
        const fill = p.clean ? s.color : 'white';
        const r = p.offered === s.best ? 6 : 3.5;
        out.push(
          `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}" stroke="${s.color}" stroke-width="1.5"><title>${xmlText(
            `${s.label}: ${p.offered}/s offered, ${p.achieved}/s achieved, p99 ${p.p99 ?? '-'} ms, ${p.cpuPerCall ?? '-'} µs CPU/call, ${p.clean ? 'clean' : (p.reason ?? 'failed')}`,
          )}</title></circle>`,
        );
      }
    }
  }
  // Legend.
  let ly = 70;
  out.push(`<text x="${legendX}" y="${ly - 14}" font-weight="bold">series</text>`);
  for (const s of series) {
    out.push(
      `<line x1="${legendX}" y1="${ly - 4}" x2="${legendX + 28}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${legendX + 36}" y="${ly}">${xmlText(s.label)}${s.best ? ` — ${formatTick(s.best)}/s` : ''}</text>`,
    );
    ly += 20;
  }
  ly += 10;
  for (const line of [
    'filled marker: clean step (no failure,',
    '  few retransmissions, rate achieved);',
    '  lines join the clean steps',
    'hollow marker: failed step (achieved rate',
    '  until it was stopped)',
    'large marker: highest clean rate held',
    'probes are short steps; held steps 20 s',
    'p99 "<1": under SIPp\'s 1 ms resolution',
  ]) {
    out.push(`<text x="${legendX}" y="${ly}" fill="#555">${xmlText(line)}</text>`);
    ly += 16;
  }
  out.push('</svg>');
  const file = join(resultsDir, 'calls.svg');
  writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}
