// Runs redis-server (Debian package redis-server) on 127.0.0.1 on a free port, without
// persistence, as the shared location store of the registrar tests; stop and start it again on
// the same port to test an outage.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from './ports.js';

/** Fails loudly when redis-server is missing: `npm test` installs it; a test never skips for want of it. */
export function requireRedis(): void {
  if (spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0)
    throw new Error(
      'redis-server is not installed: run `npm test` (it installs it when root) or `apt-get install -y redis-server`',
    );
}

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGTERM) and resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`redis-server did not start within 10 s:\n${out}`)),
      10_000,
    );
    const seen = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(deadline);
        resolve(child);
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`redis-server exited (${code}):\n${out}`));
    });
  });
}

/** Starts redis-server on a free port of 127.0.0.1. */
export async function startRedis(): Promise<RedisServer> {
  requireRedis();
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port);
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      });
    },
    start: async () => {
      if (!child) child = await launch(port);
    },
  };
  return server;
}
