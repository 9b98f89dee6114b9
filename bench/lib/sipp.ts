// One bounded SIPp client run: a call rate (-r), a call count (-m), a time limit (-timeout),
// statistics every second (-trace_stat -fd 1) watched while it runs, and every call's response
// time (-trace_rtt) read when it ends.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_DIR, commandExists, readStatFile, type SippCounters } from './processes.js';
import { cpuSeconds } from './procfs.js';

export function requireSipp(): void {
  if (!commandExists('sipp'))
    throw new Error('SIPp is not installed: `apt-get install -y sip-tester` (SIPp 3.6)');
}

export interface SippClientOptions {
  /** A scenario file in bench/sipp/ (without .xml). */
  scenario: string;
  /** host:port called. */
  target: string;
  rate: number;
  calls: number;
  /** Pause of the scenario's <pause/>, ms (-d): the call's length. */
  pauseMs?: number;
  /** Simultaneous calls allowed (-l). */
  limit?: number;
  timeoutSeconds: number;
  /**
   * Checked against the counters every second; returning a reason stops SIPp early (a step that
   * already failed need not run to its end, overloading the system under test further).
   */
  abortWhen?: (counters: SippCounters, seconds: number) => string | undefined;
}

export interface SippClientResult extends SippCounters {
  /** SIPp's exit code (-1 when the bench killed it). */
  code: number;
  /** Seconds from start to exit. */
  wall: number;
  /** Why the bench stopped it early, if it did. */
  aborted?: string;
  /** Response time 1 (INVITE to 200, or OPTIONS to 200) of each call, ms (SIPp's resolution: 1 ms). */
  rtts: number[];
  /** The caller's own CPU use, seconds (sampled: the last ≤ 250 ms are missed). */
  callerCpu: number;
  stderr: string;
}

function readRtts(dir: string): number[] {
  const out: number[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('_rtt.csv'))) {
    for (const line of readFileSync(join(dir, file), 'latin1').split('\n')) {
      const [, time, rtd] = line.split(';');
      if (rtd?.trim() === '1' && time !== undefined) out.push(Number(time));
    }
  }
  return out;
}

/** Runs a SIPp client to completion (or to its time limit, or until `abortWhen` says so). */
export async function runSippClient(options: SippClientOptions): Promise<SippClientResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rxsip-bench-uac-'));
  const args = [
    '-sf',
    join(BENCH_DIR, 'sipp', `${options.scenario}.xml`),
    options.target,
    '-i',
    '127.0.0.1',
    '-p',
    '0',
    '-t',
    'u1',
    '-nostdin',
    '-buff_size',
    '4194304',
    '-r',
    String(options.rate),
    '-m',
    String(options.calls),
    '-l',
    String(options.limit ?? Math.max(2000, options.rate * 4)),
    '-d',
    String(options.pauseMs ?? 0),
    // The time limit ends the run even with calls still open (without -timeout_error SIPp waits
    // for them), and a call waiting more than 10 s for a message fails instead of hanging.
    '-timeout',
    `${options.timeoutSeconds}s`,
    '-timeout_error',
    '-recv_timeout',
    '10000',
    '-trace_stat',
    '-fd',
    '1',
    '-trace_rtt',
    '-rtt_freq',
    '1000',
  ];
  const start = performance.now();
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exit = new Promise<number>((resolveExit) => {
    child.once('exit', (code) => resolveExit(code ?? -1));
    child.once('error', (err) => {
      stderr += String(err);
      resolveExit(-1);
    });
  });
  let done = false;
  void exit.then(() => (done = true));

  let callerCpu = 0;
  let aborted: string | undefined;
  let lastCheck = performance.now();
  const statFile = () => readdirSync(dir).find((f) => f.endsWith('_.csv'));
  while (!done) {
    await Promise.race([sleep(250), exit]);
    if (done) break;
    if (child.pid !== undefined) callerCpu = Math.max(callerCpu, cpuSeconds(child.pid));
    // A backstop should SIPp not honour its own time limit.
    if (performance.now() - start > (options.timeoutSeconds + 5) * 1000) {
      aborted = 'time limit';
      child.kill('SIGKILL');
      break;
    }
    if (options.abortWhen && performance.now() - lastCheck >= 1000) {
      lastCheck = performance.now();
      const file = statFile();
      const counters = file ? readStatFile(join(dir, file)) : undefined;
      const reason = counters && options.abortWhen(counters, (performance.now() - start) / 1000);
      if (reason) {
        aborted = reason;
        child.kill('SIGKILL');
        break;
      }
    }
  }
  const code = await exit;
  const wall = (performance.now() - start) / 1000;
  const file = statFile();
  const counters = (file && existsSync(join(dir, file)) ? readStatFile(join(dir, file)) : undefined) ?? {
    successful: 0,
    failed: 0,
    retransmissions: 0,
    created: 0,
    current: 0,
  };
  const rtts = readRtts(dir);
  rmSync(dir, { recursive: true, force: true });
  return { ...counters, code: aborted ? -1 : code, wall, aborted, rtts, callerCpu, stderr };
}

/** The p-th percentile (0–100) by nearest rank; undefined for no samples. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}
