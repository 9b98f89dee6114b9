// A stateful proxy with Record-Route: forwards each INVITE (and other new requests) to
// --target, forking over several targets (--forking sequential|simultaneous); the dialog's ACK
// and BYE come back through it.
//   npm run example -- proxy --listen 127.0.0.1:5070 --target sip:127.0.0.1:5090
import { Srf } from '../../src/index.js';
import { exampleArgs, runUntilSignal, serveMetrics } from '../common.js';
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
  },
  { targets: true },
);
const log = args.logger;
if (args.targets.length === 0) {
  console.error('proxy: at least one --target sip:host[:port] is needed');
  process.exit(1);
}
const forking = args.values.forking === 'simultaneous' ? 'simultaneous' : 'sequential';

const srf = new Srf({ logger: log });
await srf.start({ listen: args.listen, ...args.engine });

proxyApp(srf, { targets: args.targets, forking, log });

await serveMetrics(srf, args);
runUntilSignal(srf, args);
