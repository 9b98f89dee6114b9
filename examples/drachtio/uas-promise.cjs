// The seed's createUas sample "returning a Promise": answers every INVITE with 200 and its SDP,
// and says when the caller hangs up.
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });

srf.invite((req, res) => {
  const mySdp = require('./sdp.cjs'); // seed fix: the seed leaves mySdp unset ("populated somehow")
  srf
    .createUas(req, res, { localSdp: mySdp })
    .then((uas) => {
      console.log(`dialog established, remote uri is ${uas.remote.uri}`);
      uas.on('destroy', () => {
        console.log('caller hung up');
      });
    })
    .catch((err) => {
      console.log(`Error establishing dialog: ${err}`);
    });
});
