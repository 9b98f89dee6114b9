// The processes a bench drives: an rxsip example (run by node itself, so that the process whose
// CPU is read is the one running the SIP stack), Kamailio, and long-running SIPp servers.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuSeconds, type Memory, memory, treePssKiB } from './procfs.js';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(BENCH_DIR, '..');
/** Where `buildForBench` compiles src/, examples/ and the stats hook (tsconfig.bench.json). */
export const BENCH_BUILD = join(REPO_DIR, 'temp', 'bench-build');

/**
 * Compiles src/, examples/ and the stats hook with tsc into temp/bench-build, which the bench
 * runs: what an application gets from the package, not what tsx makes of the sources.
 */
export function buildForBench(): void {
  rmSync(BENCH_BUILD, { recursive: true, force: true });
  execFileSync(join(REPO_DIR, 'node_modules', '.bin', 'tsc'), ['-p', join(REPO_DIR, 'tsconfig.bench.json')], {
    cwd: REPO_DIR,
    stdio: 'inherit',
  });
}

/** A UDP port free on 127.0.0.1 now (the kernel's choice). */
export async function freeUdpPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolvePort(port));
    });
  });
}

/** Whether something is bound to 127.0.0.1:port over UDP, read from the kernel's socket table. */
export function udpListening(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return readFileSync('/proc/net/udp', 'utf8')
      .split('\n')
      .some((line) => line.trim().split(/\s+/)[1] === local);
  } catch {
    return false;
  }
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** A child process the bench started: its CPU and memory from /proc, and a bounded stop. */
export class Managed {
  readonly pid: number;
  private exitCode: number | null | undefined;
  private readonly exit: Promise<void>;
  private output = '';
  /** Highest proportional memory seen by `samplePss()`, KiB. */
  peakPssKiB = 0;

  constructor(
    readonly label: string,
    protected readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${label}: failed to start`);
    this.pid = child.pid;
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exit = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolveExit();
      });
      child.once('error', (err) => {
        this.output += String(err);
        this.exitCode = -1;
        resolveExit();
      });
    });
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  /** The last few KB it wrote to stdout and stderr. */
  get tail(): string {
    return this.output;
  }

  /** CPU seconds (user + system) of the process and its descendants so far. */
  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  memory(): Memory {
    return memory(this.pid);
  }

  /** Samples the tree's proportional set size, keeping the peak (for multi-process servers). */
  samplePss(): number {
    const pss = treePssKiB(this.pid);
    this.peakPssKiB = Math.max(this.peakPssKiB, pss);
    return pss;
  }

  /** Signals the process and waits for it to exit; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.child.kill(signal);
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([this.exit.then(() => 'exit' as const), timer])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exit;
    }
  }

  /** Waits until it binds UDP `port`; throws if it exits first or takes longer than `ms`. */
  async waitListening(port: number, ms = 20000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!udpListening(port)) {
      if (this.exited) throw new Error(`${this.label} exited before listening on ${port}:\n${this.tail}`);
      if (Date.now() > deadline) throw new Error(`${this.label} did not listen on ${port} within ${ms} ms`);
      await sleep(25);
    }
  }
}

/** What the stats hook (app-stats.ts) reports from inside an rxsip example. */
export interface AppStats {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  dialogs: number;
  transactions: { client: number; server: number };
}

export interface AppOptions {
  /** The folder under examples/. */
  example: 'uas' | 'b2bua' | 'proxy';
  port: number;
  targets?: string[];
  /** Extra node flags: --expose-gc, --cpu-prof... */
  nodeFlags?: string[];
}

/**
 * An rxsip example run as `node --import tsx --import bench/lib/app-stats.ts examples/run.ts …`:
 * one process, the one running the SIP stack (the `tsx` CLI would run it in a child node). The
 * stats hook answers `stats()` over the IPC channel with process.memoryUsage() and the Srf's
 * dialog and transaction counts, without a change to the example.
 */
export class App extends Managed {
  private nextId = 1;

  static async start(options: AppOptions): Promise<App> {
    // The examples as tsc compiles them (`buildForBench`), as an application runs rxsip from its
    // package: no tsx loader, no esbuild keepNames wrapper around every closure.
    const hook = pathToFileURL(join(BENCH_BUILD, 'bench', 'lib', 'app-stats.js')).href;
    const args = [
      ...(options.nodeFlags ?? []),
      '--import',
      hook,
      join(BENCH_BUILD, 'examples', 'run.js'),
      options.example,
      '--listen',
      `udp:127.0.0.1:${options.port}`,
      ...(options.targets ?? []).flatMap((t) => ['--target', t]),
      '--log-level',
      'warn',
      // Stopped between steps: no drain (calls a failed step left would hold it up).
      '--drain-timeout',
      '0',
    ];
    const child = spawn(process.execPath, args, { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const app = new App(`rxsip ${options.example}`, child);
    await app.waitListening(options.port);
    return app;
  }

  /** Memory and dialog counts from inside the app; `gc` runs a full GC first (needs --expose-gc). */
  stats(gc = false): Promise<AppStats> {
    const id = this.nextId++;
    return new Promise((resolveStats, reject) => {
      const timer = setTimeout(() => {
        this.child.off('message', onMessage);
        reject(new Error(`${this.label}: no stats within 30 s`));
      }, 30000);
      const onMessage = (message: unknown) => {
        const m = message as { id?: number; stats?: AppStats };
        if (m.id !== id || !m.stats) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolveStats(m.stats);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'stats', id, gc });
    });
  }
}

/** Installs Kamailio when missing (as root, from the Debian archive), or explains how. */
export function requireKamailio(): string {
  if (commandExists('kamailio')) return 'kamailio';
  if (process.getuid?.() === 0) {
    console.log('installing kamailio (apt-get install -y kamailio)…');
    const install = spawnSync('apt-get', ['install', '-y', 'kamailio'], { stdio: 'inherit' });
    if (install.status === 0 && commandExists('kamailio')) return 'kamailio';
  }
  throw new Error('Kamailio is not installed: run `apt-get install -y kamailio` as root');
}

/** `kamailio -V`'s first line, e.g. "version: kamailio 5.6.3 (x86_64/linux)". */
export function kamailioVersion(): string {
  const out = spawnSync('kamailio', ['-v'], { encoding: 'utf8' }).stdout ?? '';
  return /kamailio [\d.]+/.exec(out)?.[0] ?? 'kamailio';
}

/**
 * Kamailio with bench/kamailio/kamailio.cfg, in the foreground (-DD -E): its main process, the two
 * UDP workers (children=2) and its timer processes are descendants, and all their CPU is counted.
 */
export async function startKamailio(port: number, target: string, allocator?: 'tlsf'): Promise<Managed> {
  const child = spawn(
    'kamailio',
    [
      // `-x tlsf`: the TLSF memory manager production deployments run (Kamailio's default is q_malloc).
      ...(allocator ? ['-x', allocator] : []),
      '-f',
      join(BENCH_DIR, 'kamailio', 'kamailio.cfg'),
      '-DD',
      '-E',
      '-l',
      `udp:127.0.0.1:${port}`,
      '-A',
      `TARGET="${target}"`,
      // Shared memory: tm keeps every transaction there until its wait timer ends; at 2,000 calls/s
      // 256 MB runs out within seconds ("out of mem", 500 replies), 1 GB does not.
      '-m',
      '1024',
      '-M',
      '16',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const kamailio = new Managed('kamailio', child);
  await kamailio.waitListening(port);
  // The workers fork after the socket is bound: give them a moment.
  await sleep(500);
  return kamailio;
}

export interface SippServerOptions {
  /** A scenario file in bench/sipp/ (without .xml), or SIPp's built-in `uas`. */
  scenario: string;
  builtin?: boolean;
  port: number;
  /** The server's own time limit, seconds: it never outlives the bench for long. */
  timeoutSeconds: number;
  /** host:port to call: a client that keeps its calls up (the dialogs scenario), not a server. */
  target?: string;
  /** Call limit (-m); a server's default is high enough never to be reached. */
  calls?: number;
  /** More SIPp flags (-r, -d, -l…). */
  extra?: string[];
}

/** Cumulative counters of a SIPp run, from its -trace_stat file (written every second). */
export interface SippCounters {
  successful: number;
  failed: number;
  retransmissions: number;
  created: number;
  current: number;
}

/** Parses the last complete line of a SIPp -trace_stat CSV file. */
export function readStatFile(path: string): SippCounters | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const header = lines[0]?.split(';');
  const last = lines.length > 1 ? lines.at(-1)?.split(';') : undefined;
  if (!header || !last || last.length < header.length - 1) return undefined;
  const get = (name: string) => Number(last[header.indexOf(name)] ?? 0) || 0;
  return {
    successful: get('SuccessfulCall(C)'),
    failed: get('FailedCall(C)'),
    retransmissions: get('Retransmissions(C)'),
    created: get('TotalCallCreated'),
    current: get('CurrentCall'),
  };
}

/**
 * A long-running SIPp: a server (the reference UAS, a callee, an OPTIONS responder) for the length
 * of a ramp, or a client holding long calls up.
 */
export class SippServer extends Managed {
  private constructor(
    label: string,
    child: ChildProcess,
    private readonly dir: string,
  ) {
    super(label, child);
  }

  static async start(options: SippServerOptions): Promise<SippServer> {
    const dir = mkdtempSync(join(tmpdir(), 'rxsip-bench-sipp-'));
    const scenario = options.builtin
      ? ['-sn', options.scenario]
      : ['-sf', join(BENCH_DIR, 'sipp', `${options.scenario}.xml`)];
    const args = [
      ...scenario,
      ...(options.target ? [options.target] : []),
      '-i',
      '127.0.0.1',
      '-p',
      String(options.port),
      '-t',
      'u1',
      '-nostdin',
      '-buff_size',
      '4194304',
      '-trace_stat',
      '-fd',
      '1',
      // A call limit and a time limit, like every SIPp run of the bench.
      '-m',
      String(options.calls ?? 100000000),
      '-timeout',
      `${options.timeoutSeconds}s`,
      '-timeout_error',
      '-recv_timeout',
      '10000',
      ...(options.extra ?? []),
    ];
    const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new SippServer(`sipp ${options.scenario}`, child, dir);
    await server.waitListening(options.port);
    return server;
  }

  /** Its counters as of its last statistics dump (at most a second old). */
  counters(): SippCounters | undefined {
    const file = readdirSync(this.dir).find((f) => f.endsWith('_.csv'));
    return file ? readStatFile(join(this.dir, file)) : undefined;
  }

  override async stop(signal: NodeJS.Signals = 'SIGKILL', graceMs = 2000): Promise<void> {
    await super.stop(signal, graceMs);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
