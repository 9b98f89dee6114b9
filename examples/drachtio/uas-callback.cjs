// The seed's createUas sample "using callback": the same as uas-promise.cjs with drachtio-srf's
// `(err, uas)` callback.
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });

srf.invite((req, res) => {
  const mySdp = require('./sdp.cjs'); // seed fix: the seed leaves mySdp unset ("populated somehow")
  srf.createUas(req, res, { localSdp: mySdp }, (err, uas) => {
    if (err) {
      return console.log(`Error establishing dialog: ${err}`);
    }
    console.log(`dialog established, local tag is ${uas.sip.localTag}`);
    uas.on('destroy', () => {
      console.log('caller hung up');
    });
  });
});
