// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function and per file.
import { readFileSync } from 'node:fs';
import { REPO_DIR } from './processes.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  functions: { name: string; location: string; selfMs: number; selfPercent: number }[];
  files: { file: string; selfMs: number; selfPercent: number }[];
}

const sources = new Map<string, string[]>();

/**
 * The line a function is declared on. tsx hands V8 its output on one line, so a profile's
 * positions in our TypeScript files are all line 1: look the name up in the source instead (the
 * first declaration of that name with a body in the file; none for anonymous functions).
 */
function declarationLine(path: string, name: string): number | undefined {
  if (!/^[\w$]+$/.test(name)) return undefined;
  let lines = sources.get(path);
  if (!lines) {
    try {
      lines = readFileSync(path, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sources.set(path, lines);
  }
  const declaration = new RegExp(
    `(?:function\\s*\\*?\\s*${name}\\b|^\\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\\s+)*\\*?${name}\\s*[(<]|\\b${name}\\s*[:=]\\s*(?:async\\s*)?(?:function\\b|\\(|[\\w$]+\\s*=>))`,
  );
  // Interfaces declare methods too (ending with ";"): a line that opens a body wins.
  const matches = lines.flatMap((line, i) => (declaration.test(line) ? [i] : []));
  const index = matches.find((i) => !(lines as string[])[i]?.trimEnd().endsWith(';')) ?? matches[0];
  return index === undefined ? undefined : index + 1;
}

function shortUrl(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  if (path.startsWith(`${REPO_DIR}/node_modules/`)) return path.slice(REPO_DIR.length + 1);
  if (path.startsWith(`${REPO_DIR}/`)) return path.slice(REPO_DIR.length + 1);
  return path;
}

/**
 * Self time of each function (and file) over the samples taken within `window` (µs on the
 * monotonic clock, as process.hrtime gives it; the whole profile without one).
 */
export function summarizeProfile(
  file: string,
  window?: { from: number; to: number },
  top = 25,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.from || t > window.to)) continue;
    // A sample's time is the gap to the next one (the last sample gets the previous gap).
    const next = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + next);
  }
  const functions = new Map<string, { name: string; location: string; us: number }>();
  const files = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busy += us;
    const url = shortUrl(frame.url);
    const oneLine = frame.lineNumber === 0 && url.endsWith('.ts');
    const line = oneLine ? declarationLine(`${REPO_DIR}/${url}`, frame.functionName) : frame.lineNumber + 1;
    const location = url ? (line ? `${url}:${line}` : url) : '';
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${location}`;
    const entry = functions.get(key) ?? { name, location, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const fileKey = url || name;
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
  }
  const pct = (us: number) => Number(((us / busy) * 100).toFixed(1));
  const ms = (us: number) => Number((us / 1000).toFixed(1));
  return {
    busyMs: ms(busy),
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, location: f.location, selfMs: ms(f.us), selfPercent: pct(f.us) })),
    files: [...files.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([f, us]) => ({ file: f, selfMs: ms(us), selfPercent: pct(us) })),
  };
}
