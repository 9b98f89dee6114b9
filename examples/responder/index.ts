// Answers OPTIONS with 200 and every other new request with --status (default 480).
//   npm run example -- responder --listen 127.0.0.1:5060 [--status 486]
import { Srf } from '../../src/index.js';
import { exampleArgs, runUntilSignal, serveMetrics } from '../common.js';
import { responderApp } from './app.js';

const args = exampleArgs('responder', 'answers OPTIONS with 200 and other requests with --status', {
  status: { type: 'string', default: '480', description: 'status for requests other than OPTIONS' },
});
const srf = new Srf({ logger: args.logger });
await srf.start({ listen: args.listen, ...args.engine });
responderApp(srf, { status: Number(args.values.status), log: args.logger });
await serveMetrics(srf, args);
runUntilSignal(srf, args);
