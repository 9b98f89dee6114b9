// The two systems of the drachtio-server bench: a drachtio-srf app (the npm package) attached to
// rxsip's drachtio server, two processes whose CPU is read apart; and the same app's code on
// rxsip/drachtio, one process.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_BUILD, BENCH_DIR, freeUdpPort, Managed, REPO_DIR } from '../lib/processes.js';
import type { SystemUnderTest } from '../lib/ramp.js';

const APP = join(BENCH_DIR, 'drachtio-server', 'uas-app.cjs');
const SECRET = 'cymru';

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Waits until a process printed `text`; throws if it exits first or takes longer than `ms`. */
async function printed(process: Managed, text: string, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!process.tail.includes(text)) {
    if (process.exited) throw new Error(`${process.label} exited:\n${process.tail}`);
    if (Date.now() > deadline) throw new Error(`${process.label} did not print "${text}" within ${ms} ms`);
    await sleep(25);
  }
}

function node(label: string, args: string[], env?: Record<string, string>): Managed {
  return new Managed(
    label,
    spawn(process.execPath, args, {
      cwd: REPO_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    }),
  );
}

abstract class Base implements SystemUnderTest {
  abstract readonly label: string;
  abstract readonly role: 'rxsip' | 'reference';
  protected port = 0;
  protected abstract main(): Managed | undefined;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  target(): string {
    return `127.0.0.1:${this.port}`;
  }

  cpuSeconds(): number {
    return this.main()?.cpuSeconds() ?? 0;
  }

  peakRssKiB(): number {
    return this.main()?.memory().peakRssKiB ?? 0;
  }

  exited(): boolean {
    return this.main()?.exited ?? true;
  }
}

/**
 * `npm run example -- drachtio-server` and the drachtio-srf app connected to its admin port. The
 * server is the system under test (its CPU is the step's); the app is the helper (its CPU is the
 * step's helper CPU), so that each process has its own figure.
 */
export class AppOnDrachtioServer extends Base {
  readonly label = 'drachtio-srf app + rxsip drachtio server';
  readonly role = 'rxsip';
  private server: Managed | undefined;
  private app: Managed | undefined;

  protected main(): Managed | undefined {
    return this.server;
  }

  async start(): Promise<void> {
    this.port = await freeUdpPort();
    const admin = await freeTcpPort();
    const server = node('rxsip drachtio server', [
      join(BENCH_BUILD, 'examples', 'run.js'),
      'drachtio-server',
      '--listen',
      `udp:127.0.0.1:${this.port}`,
      '--admin',
      `127.0.0.1:${admin}`,
      '--secret',
      SECRET,
      '--log-level',
      'warn',
    ]);
    this.server = server;
    await server.waitListening(this.port);
    // The app is plain JavaScript on the npm package, as a drachtio-srf app runs.
    const app = node('drachtio-srf app', [APP, '--connect', `127.0.0.1:${admin}`, '--secret', SECRET]);
    this.app = app;
    await printed(app, 'ready');
  }

  async stop(): Promise<void> {
    await this.app?.stop('SIGTERM', 5000);
    await this.server?.stop('SIGTERM', 5000);
  }

  helperCpuSeconds(): number {
    return this.app?.cpuSeconds() ?? 0;
  }

  override peakRssKiB(): number {
    return (this.server?.memory().peakRssKiB ?? 0) + (this.app?.memory().peakRssKiB ?? 0);
  }

  override exited(): boolean {
    return (this.server?.exited ?? true) || (this.app?.exited ?? true);
  }
}

/** The same app's code on rxsip/drachtio, which serves SIP itself: one process. */
export class AppOnRxsipDrachtio extends Base {
  readonly label = 'the same app on rxsip/drachtio';
  readonly role = 'reference';
  private app: Managed | undefined;

  protected main(): Managed | undefined {
    return this.app;
  }

  async start(): Promise<void> {
    this.port = await freeUdpPort();
    const app = node('rxsip/drachtio app', [APP, '--listen', `udp:127.0.0.1:${this.port}`], {
      RXSIP_DRACHTIO: join(BENCH_BUILD, 'src', 'drachtio.js'),
    });
    this.app = app;
    await app.waitListening(this.port);
    await printed(app, 'ready');
  }

  async stop(): Promise<void> {
    await this.app?.stop('SIGTERM', 5000);
  }
}
