// A process the cluster started (Kamailio, an rxsip node): what it printed, when it exits, and a
// bounded stop.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether something is bound to host:port over UDP, from the kernel's table (IPv4, Linux): read,
 * never probed by binding, so the port is never taken from the process that waits for it.
 *
 * @param host - an IPv4 address
 * @param port - the port
 * @returns true when a UDP socket is bound there
 */
export function udpBound(host: string, port: number): boolean {
  const hex = host
    .split('.')
    .reverse()
    .map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0'))
    .join('');
  const local = `${hex}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return readFileSync('/proc/net/udp', 'utf8')
      .split('\n')
      .some((line) => line.trim().split(/\s+/)[1] === local);
  } catch {
    return false;
  }
}

/** A child process with its output kept (the last 64 KiB) and its exit as a Promise. */
export class Child {
  private out = '';
  private code: number | null | undefined;
  private readonly child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exit: Promise<number | null>;

  /**
   * @param label - its name in messages
   * @param command - the program
   * @param args - its arguments
   * @param onLine - called with each line it prints (stdout and stderr)
   * @param cwd - its working directory
   */
  constructor(
    readonly label: string,
    command: string,
    args: string[],
    onLine?: (line: string) => void,
    cwd?: string,
  ) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd });
    let partial = '';
    const keep = (data: Buffer) => {
      const text = data.toString();
      this.out = (this.out + text).slice(-65536);
      if (!onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        this.code = code;
        resolve(code);
      });
      this.child.once('error', (err) => {
        this.out += `${String(err)}\n`;
        this.code = -1;
        resolve(-1);
      });
    });
  }

  /** Its process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether it has exited. */
  get exited(): boolean {
    return this.code !== undefined;
  }

  /** What it printed (the last 64 KiB). */
  output(): string {
    return this.out;
  }

  /**
   * Sends a signal (nothing once it has exited).
   *
   * @param signal - SIGTERM to drain an rxsip node, SIGKILL to kill it
   */
  kill(signal: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(signal);
  }

  /**
   * Waits until it has bound UDP host:port; throws when it exits first or `ms` pass.
   *
   * @param host - the address
   * @param port - the port
   * @param ms - how long at most
   */
  async waitForUdp(host: string, port: number, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!udpBound(host, port)) {
      if (this.exited) throw new Error(`${this.label} exited before listening:\n${this.out.slice(-4000)}`);
      if (Date.now() > deadline)
        throw new Error(`${this.label} did not bind ${host}:${port} within ${ms} ms`);
      await sleep(25);
    }
  }

  /**
   * Sends `signal` and waits for the exit; SIGKILL after `graceMs`.
   *
   * @param signal - the first signal
   * @param graceMs - how long it may take
   * @returns its exit code
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<number | null> {
    this.kill(signal);
    const timeout = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([this.exit, timeout])) === 'timeout') this.kill('SIGKILL');
    return this.exit;
  }
}
