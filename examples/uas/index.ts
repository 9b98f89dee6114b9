// A UAS: answers every INVITE with 200 and an SDP, and logs each dialog's life.
//   npm run example -- uas --listen 127.0.0.1:5080
import { Srf } from '../../src/index.js';
import { exampleArgs, runUntilSignal } from '../common.js';
import { uasApp } from './app.js';

const args = exampleArgs('uas', 'answers every INVITE with 200 OK and an SDP, logs each dialog', {
  'media-ip': { type: 'string', default: '127.0.0.1', description: 'address in the SDP answer' },
  'media-port': { type: 'string', default: '10000', description: 'RTP port in the SDP answer' },
});
const srf = new Srf({ logger: args.logger });
await srf.start({ listen: args.listen });
uasApp(srf, {
  mediaIp: String(args.values['media-ip']),
  mediaPort: Number(args.values['media-port']),
  log: args.logger,
});
runUntilSignal(srf, args.logger);
