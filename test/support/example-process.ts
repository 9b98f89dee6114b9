// Runs an example as its command line does (`node --import tsx examples/run.ts <name> ...`), for
// the tests of its flags against real peers.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ExampleProcess {
  /** Everything it printed so far (pino's JSON lines, errors). */
  output(): string;
  /** Resolves once it logged `listening` for each of `points` (`tls 127.0.0.1:5061`); rejects if it exits first. */
  listening(points: string[]): Promise<void>;
  /** Rejects when the process exits (with what it printed). */
  exited: Promise<never>;
  /** Resolves with the exit code (for runs that are meant to exit). */
  code: Promise<number | null>;
  stop(): void;
}

export function startExample(name: string, args: string[]): ExampleProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'examples/run.ts'), name, ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const code = new Promise<number | null>((resolveCode) => child.once('exit', (c) => resolveCode(c)));
  const exited = code.then((c): never => {
    throw new Error(`example ${name} exited (${c}):\n${out}`);
  });
  exited.catch(() => undefined);
  const listening = async (points: string[]) => {
    const deadline = Date.now() + 20_000;
    const up = async () => {
      const seen = () =>
        points.every((p) => {
          const [protocol, address] = p.split(' ');
          return out.includes(`"protocol":"${protocol}","address":"${address}","msg":"listening"`);
        });
      while (!seen()) {
        if (Date.now() > deadline)
          throw new Error(`example ${name} never listened on ${points.join(', ')}:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await Promise.race([up(), exited]);
  };
  return { output: () => out, listening, exited, code, stop: () => child.kill('SIGTERM') };
}
