// A B2BUA: bridges every INVITE to --target (tried in order: a callee's failure falls back to
// the next), relays in-dialog requests across the legs, and ends one leg when the other ends.
//   npm run example -- b2bua --listen 127.0.0.1:5070 --target sip:127.0.0.1:5090 [--max-duration 3600]
import { Srf } from '../../src/index.js';
import { exampleArgs, MAX_DURATION_FLAG, runUntilSignal, secondsFlag, serveMetrics } from '../common.js';
import { REGISTRAR_FLAGS, registrarFromFlags } from '../registrar/location.js';
import { b2buaApp } from './app.js';

const args = exampleArgs(
  'b2bua',
  'bridges each INVITE to --target, falling back to the next target',
  { ...MAX_DURATION_FLAG, ...REGISTRAR_FLAGS },
  { targets: true },
);
const log = args.logger;
// With --domain (and --users, --redis), calls to registered users are bridged to their contacts.
const made = await registrarFromFlags('b2bua', args.values, log);
if (args.targets.length === 0 && !made) {
  console.error('b2bua: at least one --target sip:host[:port] (or a --domain of registered users) is needed');
  process.exit(1);
}

const srf = new Srf({ logger: log });
await srf.start({ listen: args.listen, ...args.engine });

b2buaApp(srf, {
  targets: args.targets,
  log,
  maxDuration: secondsFlag('b2bua', 'max-duration', args.values['max-duration']),
  registrar: made?.registrar,
});

await serveMetrics(srf, args);
runUntilSignal(srf, args);
