// Kamailio's dispatcher in front of N rxsip nodes, all on this host (N defaults to the number of
// cores: one Node process uses one core). Callers send to --listen; Kamailio probes each node
// with OPTIONS, spreads new calls over those that answer, and keeps in-dialog requests on the
// node that owns the dialog (Record-Route). SIGTERM drains the nodes, then stops Kamailio.
//   npm run example -- cluster --listen 127.0.0.1:5060 [--nodes 4] [--node-port 5070]
//     [--node uas|b2bua --target sip:...] [--remote sip:10.0.0.5:5060] [--drain-timeout 30]
//     [--metrics 127.0.0.1:9464]  (node i serves its metrics on 9464 + i)
import { availableParallelism } from 'node:os';
import { exampleArgs, fail } from '../common.js';
import { Cluster } from './cluster.js';
import { hasKamailio } from './kamailio.js';

const name = 'cluster';
const args = exampleArgs(
  name,
  "Kamailio's dispatcher in front of N rxsip nodes (uas by default) on this host",
  {
    nodes: { type: 'string', description: 'how many rxsip nodes (default: the number of cores)' },
    'node-port': {
      type: 'string',
      default: '5070',
      description: 'the first node port: node i takes this + i',
    },
    node: {
      type: 'string',
      default: 'uas',
      description: 'the example each node runs: uas, or b2bua (with --target)',
    },
    remote: {
      type: 'string',
      multiple: true,
      description: 'a node on another host, sip:host:port (repeatable): dispatched to, not started',
    },
    'ping-interval': {
      type: 'string',
      default: '1',
      description: "seconds between Kamailio's OPTIONS probes",
    },
  },
  { targets: true },
);
const log = args.logger;
if (!hasKamailio()) fail(name, 'kamailio is not installed: apt-get install -y kamailio');
const listen = /^(?:udp:)?(.+):(\d+)$/i.exec(args.listen[0] ?? '');
if (!listen) fail(name, `--listen: expected [udp:]host:port, got "${args.listen[0]}"`);
const count = (flag: string, fallback: number, min: number) => {
  const value = args.values[flag] === undefined ? fallback : Number(args.values[flag]);
  if (!Number.isInteger(value) || value < min) fail(name, `--${flag}: expected a whole number >= ${min}`);
  return value;
};
const kind = String(args.values.node);
// Not the proxy example: it would pass Kamailio's OPTIONS probes on to its targets.
if (kind !== 'uas' && kind !== 'b2bua') fail(name, `--node: uas or b2bua, not "${kind}"`);
if (kind === 'b2bua' && args.targets.length === 0) fail(name, `--node ${kind} needs --target`);
const remote = (args.values.remote as string[] | undefined) ?? [];
for (const uri of remote)
  if (!/^sip:[^\s]+$/.test(uri)) fail(name, `--remote: expected sip:host:port, got "${uri}"`);

const cluster = await Cluster.start({
  host: listen[1] as string,
  port: Number(listen[2]),
  nodes: count('nodes', availableParallelism(), 0),
  nodePort: count('node-port', 5070, 1),
  node: kind,
  nodeArgs: args.targets.flatMap((t) => ['--target', t]),
  remote,
  drainTimeout: args.drainTimeout,
  metrics: args.metrics,
  pingInterval: count('ping-interval', 1, 1),
  logLevel: String(args.values['log-level']),
  onLine: (label, line) => console.log(`[${label}] ${line}`),
}).catch((err: unknown) => fail(name, (err as Error).message));
log.info(
  {
    kamailio: `udp:${listen[1]}:${listen[2]}`,
    nodes: cluster.nodes.map((n) => n.uri),
    remote,
    list: cluster.dir,
  },
  'cluster running',
);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'draining the nodes, then stopping kamailio');
  cluster.stop().then(
    (codes) => {
      log.info({ codes }, 'stopped');
      process.exit(codes.every((c) => c === 0) ? 0 : 1);
    },
    (err: unknown) => {
      log.error({ err }, 'error while stopping');
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// Kamailio gone: the cluster is down.
void cluster.kamailio.exit.then((code) => {
  if (stopping) return;
  log.error({ code, output: cluster.kamailio.output().slice(-2000) }, 'kamailio exited');
  stop('kamailio exited');
});
