// The systems the call scenarios measure: an rxsip example (with a SIPp callee behind it when it
// calls out), and the references: SIPp's built-in UAS, a SIPp OPTIONS responder, Kamailio, the
// Node floor.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  App,
  type AppOptions,
  BENCH_DIR,
  freeUdpPort,
  Managed,
  SippServer,
  startKamailio,
} from './processes.js';
import type { SystemUnderTest } from './ramp.js';

/** Time limit of the long-running SIPp servers: longer than any scenario, shorter than forever. */
const SERVER_TIMEOUT_SECONDS = 1800;

/** A SIPp callee (bench/sipp/uas.xml) behind the system, restarted with it. */
class Callee {
  server: SippServer | undefined;

  async start(): Promise<string> {
    const port = await freeUdpPort();
    this.server = await SippServer.start({ scenario: 'uas', port, timeoutSeconds: SERVER_TIMEOUT_SECONDS });
    return `sip:127.0.0.1:${port}`;
  }

  failures(): number {
    return this.server?.counters()?.failed ?? 0;
  }

  cpuSeconds(): number {
    return this.server?.cpuSeconds() ?? 0;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }
}

abstract class BaseSystem implements SystemUnderTest {
  abstract readonly label: string;
  abstract readonly role: 'rxsip' | 'reference';
  protected port = 0;
  protected callee: Callee | undefined;
  protected abstract process(): Managed | undefined;

  constructor(withCallee: boolean) {
    this.callee = withCallee ? new Callee() : undefined;
  }

  abstract start(): Promise<void>;

  async stop(): Promise<void> {
    await this.process()?.stop();
    await this.callee?.stop();
  }

  target(): string {
    return `127.0.0.1:${this.port}`;
  }

  cpuSeconds(): number {
    return this.process()?.cpuSeconds() ?? 0;
  }

  peakRssKiB(): number {
    return this.process()?.memory().peakRssKiB ?? 0;
  }

  rssKiB(): number {
    return this.process()?.memory().rssKiB ?? 0;
  }

  exited(): boolean {
    return this.process()?.exited ?? true;
  }

  helperFailures(): number {
    return this.callee?.failures() ?? 0;
  }

  helperCpuSeconds(): number {
    return this.callee?.cpuSeconds() ?? 0;
  }
}

/** An rxsip example, started as its own node process on a fresh port. */
export class RxsipSystem extends BaseSystem {
  readonly role = 'rxsip';
  app: App | undefined;

  constructor(
    readonly label: string,
    private readonly example: AppOptions['example'],
    private readonly options: { callee?: boolean; nodeFlags?: string[] } = {},
  ) {
    super(options.callee ?? false);
  }

  protected process(): Managed | undefined {
    return this.app;
  }

  async start(): Promise<void> {
    const target = await this.callee?.start();
    this.port = await freeUdpPort();
    this.app = await App.start({
      example: this.example,
      port: this.port,
      targets: target ? [target] : [],
      nodeFlags: this.options.nodeFlags,
    });
  }

  override async stop(): Promise<void> {
    // A graceful stop, long enough for --cpu-prof to write its profile.
    await this.app?.stop('SIGTERM', 20000);
    await this.callee?.stop();
  }
}

/** A SIPp server as the reference: the built-in `uas`, or a scenario of bench/sipp/. */
export class SippReference extends BaseSystem {
  readonly role = 'reference';
  server: SippServer | undefined;

  constructor(
    readonly label: string,
    private readonly scenario: string,
    private readonly builtin: boolean,
  ) {
    super(false);
  }

  protected process(): Managed | undefined {
    return this.server;
  }

  async start(): Promise<void> {
    this.port = await freeUdpPort();
    this.server = await SippServer.start({
      scenario: this.scenario,
      builtin: this.builtin,
      port: this.port,
      timeoutSeconds: SERVER_TIMEOUT_SECONDS,
    });
  }

  override helperFailures(): number {
    // The server's own failed calls (an unexpected message…) count against it.
    return this.server?.counters()?.failed ?? 0;
  }
}

/** Kamailio (bench/kamailio/kamailio.cfg) in front of a SIPp callee. */
export class KamailioReference extends BaseSystem {
  readonly role = 'reference';
  kamailio: Managed | undefined;

  constructor(
    readonly label: string,
    private readonly allocator?: 'tlsf',
  ) {
    super(true);
  }

  protected process(): Managed | undefined {
    return this.kamailio;
  }

  async start(): Promise<void> {
    const target = (await this.callee?.start()) as string;
    this.port = await freeUdpPort();
    this.kamailio = await startKamailio(this.port, target, this.allocator);
  }

  override async stop(): Promise<void> {
    await this.kamailio?.stop('SIGTERM', 5000);
    await this.callee?.stop();
  }

  /** Its processes share memory: their proportional set sizes add up to its footprint. */
  override peakRssKiB(): number {
    if (this.kamailio && !this.kamailio.exited) this.kamailio.samplePss();
    return this.kamailio?.peakPssKiB ?? 0;
  }
}

/**
 * A Node floor: a Node.js UDP process doing the least its role needs, with no transactions and no
 * state beyond a call map. `uas/node-floor.cjs` answers with canned 180/200; `b2bua/node-floor.cjs`
 * bridges to a SIPp callee. CPU per call at the same offered rate, rxsip over its floor, is what
 * the stack costs above Node's datagram I/O.
 */
export class NodeFloorReference extends BaseSystem {
  readonly role = 'reference';
  floor: Managed | undefined;

  /**
   * @param label - its name in the tables
   * @param script - under bench/: `uas/node-floor.cjs` or `b2bua/node-floor.cjs` (which needs a callee)
   */
  constructor(
    readonly label: string,
    private readonly script: 'uas/node-floor.cjs' | 'b2bua/node-floor.cjs' = 'uas/node-floor.cjs',
  ) {
    super(script === 'b2bua/node-floor.cjs');
  }

  protected process(): Managed | undefined {
    return this.floor;
  }

  async start(): Promise<void> {
    const callee = await this.callee?.start();
    this.port = await freeUdpPort();
    const args = [join(BENCH_DIR, this.script), String(this.port)];
    if (callee) args.push(callee.slice(callee.lastIndexOf(':') + 1));
    this.floor = new Managed(
      this.label,
      spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    await this.floor.waitListening(this.port);
  }

  override async stop(): Promise<void> {
    await this.floor?.stop('SIGKILL', 1000);
    await this.callee?.stop();
  }
}
