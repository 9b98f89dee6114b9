// The seed's createUas sample "specifying standard or custom headers": the 200 carries
// User-Agent and X-Linked-UUID. The seed gives only the createUas call; the app around it is
// uas-promise.cjs's.
const Srf = require('rxsip/drachtio'); // seed fix: the sample is a fragment; the app around it is uas-promise.cjs's
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });

srf.invite((req, res) => {
  const mySdp = require('./sdp.cjs'); // seed fix: the seed leaves mySdp unset ("populated somehow")
  srf
    .createUas(req, res, {
      localSdp: mySdp,
      headers: {
        'User-Agent': 'drachtio/iechyd-da',
        'X-Linked-UUID': '1e2587c',
      },
    })
    .then((uas) => {
      console.log(`dialog established, remote uri is ${uas.remote.uri}`); // seed fix: `{ ..}` is not code; print as uas-promise.cjs does
    });
});
