// The drachtio-server bench's app: drachtio-srf's createUAS answering every INVITE. One code for
// both runs: on the drachtio-srf package, connected to rxsip's drachtio server (--connect
// host:port), or on rxsip/drachtio directly, which serves SIP itself (--listen udp:host:port).
// Prints "ready" once it takes calls.
const { parseArgs } = require('node:util');

const { values } = parseArgs({
  options: {
    connect: { type: 'string' },
    listen: { type: 'string' },
    secret: { type: 'string', default: 'cymru' },
  },
});
// rxsip/drachtio as the bench compiled it (RXSIP_DRACHTIO), or from source under tsx.
const Srf = values.connect
  ? require('drachtio-srf')
  : require(process.env.RXSIP_DRACHTIO ?? 'rxsip/drachtio');
const sdp = [
  'v=0',
  'o=bench 1 1 IN IP4 127.0.0.1',
  's=bench',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 10000 RTP/AVP 0',
  'a=sendrecv',
  '',
].join('\r\n');

const srf = new Srf();
srf.on('error', (err) => console.error(`error: ${err.message}`));
// From here on, the app is the same whichever Srf it runs on.
srf.invite((req, res) => {
  srf.createUAS(req, res, { localSdp: sdp }).catch(() => undefined);
});

if (values.connect) {
  const [host, port] = values.connect.split(':');
  srf.on('connect', (err) => {
    if (err) console.error(`not connected: ${err.message}`);
    else console.log('ready');
  });
  srf.connect({ host, port: Number(port), secret: values.secret });
} else {
  srf.start({ listen: [values.listen] }).then(
    () => console.log('ready'),
    (err) => {
      console.error(`not started: ${err.message}`);
      process.exit(1);
    },
  );
}
