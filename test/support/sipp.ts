// Runs SIPp (Debian package sip-tester) as the real peer of rxsip on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boundIn, IP } from './netns.js';

export const SCENARIOS = resolve(dirname(fileURLToPath(import.meta.url)), '../sipp');

/** Fails loudly when SIPp is missing: `npm test` installs it; a test never skips for want of it. */
export function requireSipp(): void {
  if (spawnSync('sh', ['-c', 'command -v sipp'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      'SIPp is not installed: run `npm test` (it installs sip-tester when root) or `apt-get install -y sip-tester`',
    );
  }
}

export interface SippOptions {
  /** A scenario file in test/sipp/ (without .xml), or a built-in (`sn: 'uac'`). */
  scenario?: string;
  sn?: string;
  /** `host:port` of rxsip. */
  target: string;
  transport?: 'u1' | 'un' | 't1' | 'tn';
  calls?: number;
  rate?: number;
  /** Simultaneous calls limit (-l). */
  limit?: number;
  localPort?: number;
  /** Percentage of messages SIPp loses on purpose (-lost). */
  lost?: number;
  /** Scenario variables for `[key]` keywords (-key). */
  keys?: Record<string, string>;
  /** Request-URI user (-s). */
  service?: string;
  timeoutSeconds?: number;
  extra?: string[];
  /** Run SIPp as a server (uas) instead of a client: no target is dialled. */
  server?: boolean;
  /** Run SIPp inside this network namespace (`ip netns exec`, see netns.ts). */
  netns?: string;
  /** The address SIPp binds and puts in its messages (-i); 127.0.0.1 by default. */
  localAddress?: string;
}

export interface SippResult {
  code: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** The message log (-trace_msg): every message SIPp sent and received. */
  messages: string;
  errors: string;
  stderr: string;
  stdout: string;
}

function count(stdout: string, label: string): number {
  const matches = [...stdout.matchAll(new RegExp(`${label}\\s*\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)`, 'g'))];
  const last = matches.at(-1);
  return last ? Number(last[2] ?? last[1]) : 0;
}

// Sums the Retrans column of the final scenario screen's message lines.
function retransmissions(screen: string): number {
  const blocks = screen.split('Scenario Screen');
  const last = blocks.at(-1) ?? '';
  let total = 0;
  for (const m of last.matchAll(/^\s+\S+\s+(?:<-+|-+>)\s+(?:E-RTD\d\s+)?\d+\s+(\d+)/gm))
    total += Number(m[1]);
  return total;
}

// Whether something listens on 127.0.0.1:port, read from the kernel's socket table (Linux), so
// that checking never takes the port from SIPp the way a test bind would.
function listening(port: number, transport: SippOptions['transport']): boolean {
  const table = transport === 't1' || transport === 'tn' ? '/proc/net/tcp' : '/proc/net/udp';
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return readFileSync(table, 'utf8')
      .split('\n')
      .some((line) => line.trim().split(/\s+/)[1] === local);
  } catch {
    return false;
  }
}

/** Starts SIPp; `done` resolves when it exits. `stop()` ends a server run. */
export function startSipp(options: SippOptions): {
  done: Promise<SippResult>;
  stop: () => void;
  /**
   * Resolves once SIPp listens on `localPort` (a server run must before rxsip calls it);
   * rejects if SIPp exits first or takes more than 5 s. Needs `localPort`.
   */
  ready: () => Promise<void>;
} {
  requireSipp();
  const dir = mkdtempSync(join(tmpdir(), 'rxsip-sipp-'));
  const args: string[] = [];
  if (options.scenario) args.push('-sf', join(SCENARIOS, `${options.scenario}.xml`));
  if (options.sn) args.push('-sn', options.sn);
  if (!options.server) args.push(options.target);
  args.push(
    '-i',
    options.localAddress ?? '127.0.0.1',
    '-nostdin',
    '-trace_msg',
    '-trace_err',
    '-trace_screen',
    '-buff_size',
    '4194304',
  );
  args.push('-t', options.transport ?? 'u1');
  args.push('-p', String(options.localPort ?? 0));
  if (options.calls !== undefined) args.push('-m', String(options.calls));
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.limit !== undefined) args.push('-l', String(options.limit));
  if (options.lost !== undefined) args.push('-lost', String(options.lost));
  if (options.service) args.push('-s', options.service);
  for (const [k, v] of Object.entries(options.keys ?? {})) args.push('-key', k, v);
  args.push('-timeout', `${options.timeoutSeconds ?? 20}s`, '-timeout_error');
  args.push(...(options.extra ?? []));
  const [command, commandArgs]: [string, string[]] = options.netns
    ? [IP, ['netns', 'exec', options.netns, 'sipp', ...args]]
    : ['sipp', args];
  const child = spawn(command, commandArgs, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<SippResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const read = (suffix: string) =>
        readdirSync(dir)
          .filter((f) => f.endsWith(suffix))
          .map((f) => readFileSync(join(dir, f), 'utf8'))
          .join('\n');
      const screen = read('_screen.log') || stdout;
      const result: SippResult = {
        code: code ?? -1,
        successful: count(screen, 'Successful call'),
        failed: count(screen, 'Failed call'),
        retransmissions: retransmissions(screen),
        messages: read('_messages.log'),
        errors: read('_errors.log'),
        stderr,
        stdout: screen,
      };
      rmSync(dir, { recursive: true, force: true });
      resolvePromise(result);
    });
  });
  let exited = false;
  void done.then(() => (exited = true));
  const ready = async () => {
    const port = options.localPort;
    if (!port) throw new Error('startSipp: ready() needs options.localPort');
    const deadline = Date.now() + 5000;
    // In a namespace, its own socket table, seen through the process (`ip netns exec` execs SIPp).
    const up = () =>
      options.netns
        ? child.pid !== undefined &&
          boundIn(
            child.pid,
            options.localAddress ?? '127.0.0.1',
            port,
            options.transport?.startsWith('t') ? 'tcp' : 'udp',
          )
        : listening(port, options.transport);
    while (!up()) {
      if (exited) throw new Error(`SIPp exited before listening on ${port}: ${(await done).stderr}`);
      if (Date.now() > deadline) throw new Error(`SIPp did not listen on ${port} within 5 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { done, stop: () => child.kill('SIGUSR1'), ready };
}

export function runSipp(options: SippOptions): Promise<SippResult> {
  return startSipp(options).done;
}
