// A stateful proxy with Record-Route: forwards each INVITE (and other new requests) to
// --target, forking over several targets (--forking sequential|simultaneous); the dialog's ACK
// and BYE come back through it.
//   npm run example -- proxy --listen 127.0.0.1:5070 --target sip:127.0.0.1:5090
// With --domain (and --users, --redis), it is a registrar too: calls to its users go where they
// registered, in this process or, with --redis, on any node sharing the store.
import { Srf } from '../../src/index.js';
import { exampleArgs, runUntilSignal, serveMetrics } from '../common.js';
import { REGISTRAR_FLAGS, registrarFromFlags } from '../registrar/location.js';
import { proxyApp } from './app.js';

const args = exampleArgs(
  'proxy',
  'a stateful, record-routing proxy to --target',
  {
    forking: {
      type: 'string',
      default: 'sequential',
      description: 'sequential or simultaneous forking over the targets',
    },
    ...REGISTRAR_FLAGS,
  },
  { targets: true },
);
const log = args.logger;
const made = await registrarFromFlags('proxy', args.values, log);
if (args.targets.length === 0 && !made) {
  console.error('proxy: at least one --target sip:host[:port] (or a --domain of registered users) is needed');
  process.exit(1);
}
const forking = args.values.forking === 'simultaneous' ? 'simultaneous' : 'sequential';

const srf = new Srf({ logger: log });
await srf.start({ listen: args.listen, ...args.engine });

proxyApp(srf, { targets: args.targets, forking, log, registrar: made?.registrar });

await serveMetrics(srf, args);
runUntilSignal(srf, args);
