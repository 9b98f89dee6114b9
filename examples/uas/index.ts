// A UAS: answers every INVITE with 200 and an SDP, and logs each dialog's life.
//   npm run example -- uas --listen 127.0.0.1:5080
import { mergeMap } from 'rxjs';
import { Srf, uas$ } from '../../src/index.js';
import { exampleArgs, runUntilSignal } from '../common.js';

const args = exampleArgs('uas', 'answers every INVITE with 200 OK and an SDP, logs each dialog', {
  'media-ip': { type: 'string', default: '127.0.0.1', description: 'address in the SDP answer' },
  'media-port': { type: 'string', default: '10000', description: 'RTP port in the SDP answer' },
});
const log = args.logger;
const mediaIp = String(args.values['media-ip']);
const sdp = (session: number) =>
  [
    'v=0',
    `o=rxsip ${session} ${session} IN IP4 ${mediaIp}`,
    's=rxsip',
    `c=IN IP4 ${mediaIp}`,
    't=0 0',
    `m=audio ${args.values['media-port']} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');

const srf = new Srf({ logger: log });
await srf.start({ listen: args.listen });
let session = 1;

// A call that ends before it is answered (cancelled, refused) emits nothing: the pipeline goes on.
srf.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: sdp(session++) }))).subscribe((dialog) => {
  const call = log.child({ callId: dialog.sip.callId });
  call.info({ from: dialog.remote.uri }, 'dialog established');
  dialog.hold$.subscribe(() => call.info('put on hold'));
  dialog.unhold$.subscribe(() => call.info('taken off hold'));
  dialog.info$.subscribe(({ req, res }) => {
    call.info({ contentType: req.get('content-type'), body: req.body }, 'INFO');
    res.send(200);
  });
  dialog.ended$.subscribe((end) => call.info({ reason: end.reason, by: end.initiator }, 'dialog ended'));
});

runUntilSignal(srf, log);
