// A UAS: answers every INVITE with 200 and an SDP, and logs each dialog's life.
//   npm run example -- uas --listen 127.0.0.1:5080 [--max-duration 3600] [--session-expires 1800]
import { Srf } from '../../src/index.js';
import { exampleArgs, MAX_DURATION_FLAG, runUntilSignal, secondsFlag, serveMetrics } from '../common.js';
import { uasApp } from './app.js';

const args = exampleArgs('uas', 'answers every INVITE with 200 OK and an SDP, logs each dialog', {
  'media-ip': { type: 'string', default: '127.0.0.1', description: 'address in the SDP answer' },
  'media-port': { type: 'string', default: '10000', description: 'RTP port in the SDP answer' },
  ...MAX_DURATION_FLAG,
  'session-expires': {
    type: 'string',
    description: 'ask each caller for an RFC 4028 session timer of this many seconds (at least 90)',
  },
});
const sessionExpires = secondsFlag('uas', 'session-expires', args.values['session-expires']);
const srf = new Srf({ logger: args.logger });
await srf.start({ listen: args.listen, ...args.engine });
uasApp(srf, {
  mediaIp: String(args.values['media-ip']),
  mediaPort: Number(args.values['media-port']),
  log: args.logger,
  maxDuration: secondsFlag('uas', 'max-duration', args.values['max-duration']),
  sessionExpires,
});
await serveMetrics(srf, args);
runUntilSignal(srf, args);
