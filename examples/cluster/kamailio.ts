// Kamailio as the cluster's dispatcher: the dispatcher.list the script writes, and the process
// (kamailio.cfg beside this file, in the foreground, its own listening point and shared memory).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './child.js';

/** The configuration: dispatcher, probing, failover, record-routing. */
export const KAMAILIO_CFG = join(dirname(fileURLToPath(import.meta.url)), 'kamailio.cfg');

/** Where Kamailio listens (UDP) and what it dispatches to. */
export interface KamailioOptions {
  host: string;
  port: number;
  /** The nodes' SIP URIs (`sip:127.0.0.1:5070`), dispatcher set 1. */
  nodes: readonly string[];
  /** Where dispatcher.list is written. */
  dir: string;
  /** Seconds between OPTIONS probes of each node (default 1). */
  pingInterval?: number;
  /**
   * Shared memory, MB (default 256): tm keeps each transaction there until its wait timer ends,
   * so it grows with the call rate (1 GB holds 2,000 calls/s).
   */
  memory?: number;
  /** Called with each line Kamailio logs. */
  onLine?: (line: string) => void;
}

/** Whether `kamailio` is on the PATH (Debian's package installs it in /usr/sbin). */
export function hasKamailio(): boolean {
  return spawnSync('sh', ['-c', 'command -v kamailio'], { stdio: 'ignore' }).status === 0;
}

/**
 * Writes dispatcher.list: set 1, one line per node (`setid destination flags priority attrs`).
 *
 * @param dir - the folder
 * @param nodes - the nodes' SIP URIs
 * @returns the file's path
 */
export function writeDispatcherList(dir: string, nodes: readonly string[]): string {
  const file = join(dir, 'dispatcher.list');
  const lines = nodes.map((uri, i) => `1 ${uri} 0 0 duid=node-${i + 1}`);
  writeFileSync(file, `# setid destination flags priority attributes\n${lines.join('\n')}\n`);
  return file;
}

/**
 * Starts Kamailio with the cluster's configuration and a fresh dispatcher.list.
 *
 * @param options - its address, the nodes, the folder for the list, the probe interval
 * @returns the process, once its socket is bound
 */
export async function startKamailio(options: KamailioOptions): Promise<Child> {
  const list = writeDispatcherList(options.dir, options.nodes);
  const kamailio = new Child(
    'kamailio',
    'kamailio',
    [
      '-f',
      KAMAILIO_CFG,
      '-DD',
      '-E',
      '-l',
      `udp:${options.host}:${options.port}`,
      '-A',
      `DISPATCHER_LIST="${list}"`,
      '-A',
      `PING_INTERVAL=${options.pingInterval ?? 1}`,
      // Shared memory for tm's transactions and the dispatcher's table; private memory per process.
      '-m',
      String(options.memory ?? 256),
      '-M',
      '8',
    ],
    options.onLine,
  );
  await kamailio.waitForUdp(options.host, options.port, 10_000);
  // Its workers fork once the socket is bound.
  await new Promise((r) => setTimeout(r, 300));
  return kamailio;
}
