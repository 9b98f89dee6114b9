// A registrar and proxy: REGISTER for the users of --domain (digest with --users), bindings in
// memory or shared through Redis (--redis), and calls to registered users proxied to their
// contacts, over the TCP, TLS or WebSocket connection they registered on.
//   npm run example -- registrar --listen 127.0.0.1:5060 --domain example.test \
//     --users alice:secret,bob:secret [--redis redis://127.0.0.1:6379]
import { Srf } from '../../src/index.js';
import { exampleArgs, fail, runUntilSignal, serveMetrics } from '../common.js';
import { registrarApp } from './app.js';
import { REGISTRAR_FLAGS, registrarFromFlags } from './location.js';

const args = exampleArgs('registrar', 'a registrar (RFC 3261 §10.3) that routes calls to its users', {
  ...REGISTRAR_FLAGS,
  forking: {
    type: 'string',
    default: 'sequential',
    description:
      "a user's contacts one after the other in q order (sequential) or all at once (simultaneous)",
  },
});
const log = args.logger;
const made = await registrarFromFlags('registrar', args.values, log);
if (!made) fail('registrar', 'at least one --domain is needed: the domain whose users register here');
const forking = args.values.forking === 'simultaneous' ? 'simultaneous' : 'sequential';

const srf = new Srf({ logger: log });
await srf.start({ listen: args.listen, ...args.engine });
registrarApp(srf, { registrar: made.registrar, forking, log });

await serveMetrics(srf, args);
runUntilSignal(
  {
    drain: (options) => srf.drain(options),
    close: async () => {
      await srf.close();
      await made.close();
    },
  },
  args,
);
