// Answers OPTIONS with 200 and every other new request with --status (default 480).
//   npm run example -- responder --listen 127.0.0.1:5060 [--status 486]
import { merge } from 'rxjs';
import { Srf } from '../../src/index.js';
import { exampleArgs, runUntilSignal } from '../common.js';

const args = exampleArgs('responder', 'answers OPTIONS with 200 and other requests with --status', {
  status: { type: 'string', default: '480', description: 'status for requests other than OPTIONS' },
});
const status = Number(args.values.status);
const srf = new Srf({ logger: args.logger });
await srf.start({ listen: args.listen });

srf.options$.subscribe(({ res }) => res.send(200));
merge(
  srf.invite$,
  srf.message$,
  srf.register$,
  srf.subscribe$,
  srf.publish$,
  srf.refer$,
  srf.notify$,
).subscribe(({ req, res }) => {
  args.logger.debug({ method: req.method, callId: req.callId }, 'rejecting');
  res.send(status);
});

runUntilSignal(srf, args.logger);
