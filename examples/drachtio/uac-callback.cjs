// The seed's createUac sample "Using a callback": calls sip:1234@10.10.100.1 with drachtio-srf's
// `(err, uac)` callback.
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });
const mySdp = require('./sdp.cjs'); // seed fix: the seed leaves mySdp unset ("populated somehow")
srf.createUac('sip:1234@10.10.100.1', { localSdp: mySdp }, (err, uac) => {
  if (err) {
    return console.log(`INVITE rejected with status: ${err.status}`);
  }
  uac.on('destroy', () => {
    console.log('called party hung up');
  });
});
// seed fix: a stray `});` ended the sample
