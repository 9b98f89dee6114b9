// The seed's createUac sample "returning a Promise": calls sip:1234@10.10.100.1 and says when
// the called party hangs up, or why the call failed.
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });
const mySdp = require('./sdp.cjs'); // seed fix: the seed leaves mySdp unset ("populated somehow")
srf
  .createUac('sip:1234@10.10.100.1', { localSdp: mySdp })
  .then((uac) => {
    console.log(`dialog established, call-id is ${uac.sip.callId}`);
    uac.on('destroy', () => {
      console.log('called party hung up');
    });
  })
  .catch((err) => {
    console.log(`INVITE rejected with status: ${err.status}`);
  });
// seed fix: a stray `});` ended the sample
