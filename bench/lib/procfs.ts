// CPU time and memory of a process tree, read from Linux's /proc: the figures come from the
// kernel, not from the process measured, so they cost it nothing and include its GC threads.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  ppid: number;
  /** utime + stime of the process (all its threads), seconds. */
  self: number;
  /** cutime + cstime: children that exited and were waited for, seconds. */
  children: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, so fields[11].
  const n = (i: number) => Number(fields[i]);
  return { ppid: n(1), self: (n(11) + n(12)) / TICKS, children: (n(13) + n(14)) / TICKS };
}

/** The process and its live descendants. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    const stat = readStat(child);
    if (!stat) continue;
    const list = parents.get(stat.ppid) ?? [];
    list.push(child);
    parents.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift() as number;
    tree.push(p);
    queue.push(...(parents.get(p) ?? []));
  }
  return tree;
}

/**
 * CPU seconds (user + system) the process and its descendants have used so far, children that
 * already exited included. Differences of two readings give the CPU a piece of work cost.
 */
export function cpuSeconds(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    const stat = readStat(p);
    if (stat) total += (runSeconds(p) ?? stat.self) + stat.children;
  }
  return total;
}

/**
 * The time the process's threads have run, in nanoseconds summed from each thread's
 * /proc/<pid>/task/<tid>/schedstat: the scheduler's own clock, where /proc/<pid>/stat counts
 * 10 ms ticks. A few seconds of a light process are a few tens of ticks, too coarse for a ratio
 * of short interleaved rounds. Each thread's last reading is remembered, so a thread that has
 * exited still counts and the total never goes down. `undefined` where the kernel keeps no
 * schedstat.
 */
function runSeconds(pid: number): number | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let seen = lastRun.get(pid);
  if (!seen) {
    seen = new Map();
    lastRun.set(pid, seen);
  }
  for (const tid of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
      const ns = Number(text.slice(0, text.indexOf(' ')));
      if (Number.isFinite(ns)) seen.set(tid, Math.max(ns, seen.get(tid) ?? 0));
    } catch {
      // The thread exited between the listing and the read: its last reading stands.
    }
  }
  if (seen.size === 0) return undefined;
  let total = 0;
  for (const ns of seen.values()) total += ns;
  return total / 1e9;
}

// pid → thread id → the last run time read, ns (pids are not reused within a bench run).
const lastRun = new Map<number, Map<string, number>>();

export interface Memory {
  /** Resident set now, KiB (VmRSS). */
  rssKiB: number;
  /** Peak resident set of the process's life, KiB (VmHWM). */
  peakRssKiB: number;
}

function statusField(text: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** The process's own resident memory (not its children's). */
export function memory(pid: number): Memory {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKiB: statusField(text, 'VmRSS'), peakRssKiB: statusField(text, 'VmHWM') };
  } catch {
    return { rssKiB: 0, peakRssKiB: 0 };
  }
}

/**
 * Proportional set size of a process tree, KiB: pages shared between the processes (Kamailio's
 * shared memory) counted once in all, where adding their RSS would count them in each.
 */
export function treePssKiB(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const text = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      total += statusField(text, 'Pss');
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

/**
 * CPU seconds the whole machine has spent busy (all cores: user, nice, system, irq, softirq,
 * steal), from /proc/stat. Minus what the bench's own processes used over the same interval, it
 * tells how much other work shared the machine with a measurement.
 */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS;
  } catch {
    return 0;
  }
}
