// dnsmasq (Debian dnsmasq-base) as a real DNS server on a free loopback port, serving the records
// a test gives it (`--naptr-record`, `--srv-host`, `--host-record`), and the queries it was asked.
import { spawn } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { existsSync } from 'node:fs';
import { freePort } from '../support/ports.js';

const DNSMASQ = '/usr/sbin/dnsmasq';

export interface Dnsmasq {
  /** `127.0.0.1:port`, as the engine's `dns.servers` takes it. */
  server: string;
  /** The queries asked so far, as `TYPE name`: `A sip1.example.test`. */
  queries(): string[];
  stop(): Promise<void>;
}

/** Fails loudly when dnsmasq is missing: `npm test` installs it; a test never skips for want of it. */
function requireDnsmasq(): void {
  if (!existsSync(DNSMASQ))
    throw new Error(
      'dnsmasq is not installed: run `npm test` (it installs dnsmasq-base when root) or `apt-get install -y dnsmasq-base`',
    );
}

/** Starts dnsmasq answering only `records` (and NXDOMAIN for the rest of `.test`); resolves once it answers. */
export async function startDnsmasq(records: string[]): Promise<Dnsmasq> {
  requireDnsmasq();
  const port = await freePort();
  const child = spawn(
    DNSMASQ,
    [
      '--no-daemon',
      '--no-resolv',
      '--no-hosts',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--pid-file=',
      '--log-queries',
      '--log-facility=-',
      '--local=/test/',
      '--host-record=ready.test,127.0.0.1',
      ...records,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const server = `127.0.0.1:${port}`;
  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([server]);
  for (const deadline = Date.now() + 5000; ; ) {
    if (!running) throw new Error(`dnsmasq exited: ${log}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`dnsmasq did not answer on ${server} within 5 s: ${log}`);
    }
    if (
      await resolver.resolve4('ready.test').then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    server,
    queries: () =>
      [...log.matchAll(/query\[(\w+)\] (\S+) from/g)]
        .map((m) => `${m[1]} ${m[2]}`)
        .filter((q) => q !== 'A ready.test'),
    stop: () => {
      if (running) child.kill();
      return exited;
    },
  };
}
