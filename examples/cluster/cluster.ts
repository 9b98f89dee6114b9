// The cluster: Kamailio's dispatcher on one address, N rxsip nodes behind it, each an example
// process of its own (one Node process uses one core). index.ts runs it from the command line;
// the tests and the bench start it here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './child.js';
import { startKamailio } from './kamailio.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What runs where: Kamailio's address, the nodes, their flags. */
export interface ClusterOptions {
  /** Kamailio's address (UDP). */
  host: string;
  port: number;
  /** How many rxsip nodes to start here. */
  nodes: number;
  /** The address the nodes listen on (Kamailio's host by default). */
  nodeHost?: string;
  /** The first node's port: node i listens on `nodePort + i` (unless `nodePorts` names each). */
  nodePort: number;
  /** Each node's port (tests take free ones). */
  nodePorts?: readonly number[];
  /** Nodes on other hosts (`sip:10.0.0.5:5060`): in the dispatcher list, not started here. */
  remote?: readonly string[];
  /** The example each node runs (default `uas`). */
  node?: 'uas' | 'b2bua';
  /** More flags for each node (`--target` for a b2bua). */
  nodeArgs?: readonly string[];
  /** Each node's `--drain-timeout`, seconds (default 30). */
  drainTimeout?: number;
  /** Node i serves metrics at `host:port + i`. */
  metrics?: { host: string; port: number };
  /** Seconds between Kamailio's OPTIONS probes (default 1). */
  pingInterval?: number;
  /** Kamailio's shared memory, MB (default 256). */
  kamailioMemory?: number;
  /** The nodes' log level (default info). */
  logLevel?: string;
  /** Where dispatcher.list goes (a temporary folder, removed at stop, by default). */
  dir?: string;
  /** Each line a process prints, with its label (`kamailio`, `node-1`...). */
  onLine?: (label: string, line: string) => void;
  /** Extra flags for node's own command line (`--cpu-prof`...). */
  nodeFlags?: readonly string[];
}

/** One rxsip node of the cluster. */
export interface ClusterNode {
  /** `node-1`, `node-2`... */
  label: string;
  /** Its SIP URI in the dispatcher list. */
  uri: string;
  port: number;
  process: Child;
}

/** Kamailio and the nodes it dispatches to, started and stopped together. */
export class Cluster {
  private constructor(
    /** Where callers send: Kamailio's `host:port`. */
    readonly address: string,
    readonly kamailio: Child,
    readonly nodes: ClusterNode[],
    readonly dir: string,
    private readonly ownDir: boolean,
    private readonly drainTimeout: number,
  ) {}

  /**
   * Starts the nodes, waits until each listens, then starts Kamailio with their list.
   *
   * @param options - addresses, node count and kind, drain timeout, probing
   * @returns the running cluster
   */
  static async start(options: ClusterOptions): Promise<Cluster> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rxsip-cluster-'));
    const host = options.nodeHost ?? options.host;
    const drainTimeout = options.drainTimeout ?? 30;
    const nodes: ClusterNode[] = [];
    try {
      for (let i = 0; i < options.nodes; i++) nodes.push(startNode(options, i, host, drainTimeout));
      for (const node of nodes) await node.process.waitForUdp(host, node.port, 30_000);
      const kamailio = await startKamailio({
        host: options.host,
        port: options.port,
        nodes: [...nodes.map((n) => n.uri), ...(options.remote ?? [])],
        dir,
        pingInterval: options.pingInterval,
        memory: options.kamailioMemory,
        onLine: options.onLine && ((line) => options.onLine?.('kamailio', line)),
      });
      return new Cluster(
        `${options.host}:${options.port}`,
        kamailio,
        nodes,
        dir,
        options.dir === undefined,
        drainTimeout,
      );
    } catch (err) {
      for (const node of nodes) node.process.kill('SIGKILL');
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Drains every node (SIGTERM: new calls get 503, dialogs get the drain timeout), waits for
   * each to exit, then stops Kamailio.
   *
   * @returns the nodes' exit codes
   */
  async stop(): Promise<(number | null)[]> {
    const graceMs = (this.drainTimeout + 10) * 1000;
    const codes = await Promise.all(this.nodes.map((n) => n.process.stop('SIGTERM', graceMs)));
    await this.kamailio.stop('SIGTERM', 5000);
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
    return codes;
  }
}

function startNode(options: ClusterOptions, i: number, host: string, drainTimeout: number): ClusterNode {
  const port = options.nodePorts?.[i] ?? options.nodePort + i;
  const label = `node-${i + 1}`;
  const metrics = options.metrics ? ['--metrics', `${options.metrics.host}:${options.metrics.port + i}`] : [];
  const args = [
    ...(options.nodeFlags ?? []),
    '--import',
    'tsx',
    join(ROOT, 'examples', 'run.ts'),
    options.node ?? 'uas',
    '--listen',
    `udp:${host}:${port}`,
    '--drain-timeout',
    String(drainTimeout),
    '--log-level',
    options.logLevel ?? 'info',
    ...metrics,
    ...(options.nodeArgs ?? []),
  ];
  const onLine = options.onLine;
  const process = new Child(
    label,
    globalThis.process.execPath,
    args,
    onLine && ((l) => onLine(label, l)),
    ROOT,
  );
  return { label, uri: `sip:${host}:${port}`, port, process };
}
