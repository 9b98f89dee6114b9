// A Linux network namespace for tests that need fixed addresses and ports: the seed document's
// drachtio examples hard-code 10.10.100.1, 10.10.100.2 and host names, and listen on 5060. Inside
// a namespace of its own a test file has those addresses on its loopback, its own /etc/hosts and
// resolv.conf (`ip netns exec` bind-mounts /etc/netns/<name>/*), and ports nobody else uses.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/** A network namespace made by {@link createNetns}. */
export interface Netns {
  /** Its name, for `ip netns exec <name>`. */
  name: string;
  /** Starts `command` inside the namespace (stdin ignored, stdout and stderr piped). */
  spawn(command: string, args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): ChildProcess;
  /** Deletes the namespace and its /etc/netns directory. Safe to call twice. */
  remove(): void;
}

let created = 0;

/** iproute2's `ip` (in /usr/sbin, which a PATH may not hold). */
export const IP = '/usr/sbin/ip';

function ip(args: string[]): void {
  const run = spawnSync(IP, args, { encoding: 'utf8' });
  if (run.error) throw new Error(`ip ${args.join(' ')}: ${run.error.message} (is iproute2 installed?)`);
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${run.stderr.trim()}`);
}

/**
 * Creates a namespace `rxsip-<tag>-<pid>` (then `-2`, `-3`... in the same process) whose loopback is up and carries `addresses` (each a
 * /32) besides 127.0.0.1; its /etc/hosts maps each name of `hosts` to its address (and localhost
 * to 127.0.0.1), and its resolv.conf names 127.0.0.1, where no DNS server listens: NAPTR and SRV
 * queries fail at once and names resolve from the hosts file. Needs root (`ip netns add`).
 */
export function createNetns(tag: string, addresses: string[], hosts: Record<string, string>): Netns {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new Error('createNetns: network namespaces need root (ip netns add)');
  const name = `rxsip-${tag}-${process.pid}${created++ > 0 ? `-${created}` : ''}`;
  const etc = `/etc/netns/${name}`;
  // A namespace left by a run that was killed before its afterAll.
  spawnSync(IP, ['netns', 'del', name], { stdio: 'ignore' });
  ip(['netns', 'add', name]);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    spawnSync(IP, ['netns', 'del', name], { stdio: 'ignore' });
    rmSync(etc, { recursive: true, force: true });
  };
  try {
    ip(['netns', 'exec', name, IP, 'link', 'set', 'lo', 'up']);
    for (const address of addresses)
      ip(['netns', 'exec', name, IP, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
    mkdirSync(etc, { recursive: true });
    const lines = [
      '127.0.0.1 localhost',
      ...Object.entries(hosts).map(([host, address]) => `${address} ${host}`),
    ];
    writeFileSync(`${etc}/hosts`, `${lines.join('\n')}\n`);
    writeFileSync(`${etc}/resolv.conf`, 'nameserver 127.0.0.1\n');
  } catch (err) {
    remove();
    throw err;
  }
  return {
    name,
    spawn: (command, args, options = {}) =>
      spawn(IP, ['netns', 'exec', name, command, ...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    remove,
  };
}

/** An IPv4 address as the kernel's socket tables print it: `127.0.0.1` is `0100007F`. */
export function kernelHex(address: string): string {
  return address
    .split('.')
    .reverse()
    .map((octet) => Number(octet).toString(16).toUpperCase().padStart(2, '0'))
    .join('');
}

/**
 * Whether a socket of the network namespace of process `pid` is bound to `address:port` (UDP,
 * or TCP when `protocol` says so), read from `/proc/<pid>/net/*`: checking never takes the port.
 */
export function boundIn(
  pid: number,
  address: string,
  port: number,
  protocol: 'udp' | 'tcp' = 'udp',
): boolean {
  const local = `${kernelHex(address)}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return readFileSync(`/proc/${pid}/net/${protocol}`, 'utf8')
      .split('\n')
      .some((line) => line.trim().split(/\s+/)[1] === local);
  } catch {
    return false;
  }
}

/** A process started in a namespace, its output gathered line by line. */
export interface NetnsProcess {
  child: ChildProcess;
  /** Everything it printed to stdout so far. */
  stdout(): string;
  /** Everything it printed to stderr so far. */
  stderr(): string;
  /**
   * Resolves with the first line of `stream` (stdout by default) matching `pattern`; rejects if
   * it exits first or after `ms`.
   */
  line(pattern: RegExp, ms?: number, stream?: 'stdout' | 'stderr'): Promise<string>;
  /** Resolves once it has bound `address:port`; rejects if it exits first or after `ms`. */
  bound(address: string, port: number, ms?: number): Promise<void>;
  /** Ends it (SIGTERM, then SIGKILL) and resolves when it has exited. */
  stop(): Promise<void>;
  /** Resolves with its exit code (or signal name) when it exits. */
  exited: Promise<number | string>;
}

/**
 * Starts `command` in `netns` and follows its output.
 *
 * @param netns - the namespace
 * @param command - the program
 * @param args - its arguments
 * @param options - working directory and environment
 */
export function startIn(
  netns: Netns,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): NetnsProcess {
  const child = netns.spawn(command, args, options);
  let out = '';
  let err = '';
  let exitedWith: number | string | undefined;
  const exited = new Promise<number | string>((resolve) =>
    child.on('close', (code, signal) => {
      exitedWith = code ?? signal ?? -1;
      resolve(exitedWith);
    }),
  );
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const describe = () => `${command} ${args.join(' ')}\nstdout:\n${out}\nstderr:\n${err}`;
  const poll = async (what: string, test: () => boolean, ms: number): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (exitedWith !== undefined) throw new Error(`exited (${exitedWith}) before ${what}: ${describe()}`);
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms: ${describe()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    line: async (pattern, ms = 10_000, stream = 'stdout') => {
      const find = () => (stream === 'stdout' ? out : err).split('\n').find((l) => pattern.test(l));
      await poll(`a line matching ${pattern}`, () => find() !== undefined, ms);
      return find() ?? '';
    },
    bound: (address, port, ms = 10_000) =>
      poll(
        `socket on ${address}:${port}`,
        () => child.pid !== undefined && boundIn(child.pid, address, port),
        ms,
      ),
    stop: async () => {
      if (exitedWith !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
