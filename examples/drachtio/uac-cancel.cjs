// The seed's createUac sample "Canceling a request by using a progress callback": calls
// sip:1234@10.10.100.1 and cancels the INVITE 0.5 s after the app starts; the call then fails
// with 487 Request Terminated.
const assert = require('node:assert'); // seed fix: the sample uses assert without requiring it
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });
const mySdp = require('./sdp.cjs'); // seed fix: the seed leaves mySdp unset ("populated somehow")
let inviteSent;
srf
  .createUac(
    'sip:1234@10.10.100.1',
    { localSdp: mySdp },
    {
      // seed fix: drachtio-srf 5 calls cbRequest(err, req); the seed took one parameter and assigned an undefined `req`
      // biome-ignore lint/correctness/noUnusedFunctionParameters: the seed's code, kept as written
      cbRequest: (err, reqSent) => {
        inviteSent = reqSent;
      },
    },
  )
  // biome-ignore lint/correctness/noUnusedFunctionParameters: the seed's code, kept as written
  .then((uac) => {
    // unexpected, in this case
    console.log('dialog established before we could cancel');
  })
  .catch((err) => {
    assert(err.status === 487); // expected sip response to a CANCEL
    console.log(`INVITE rejected with status: ${err.status}`); // seed fix: the seed only asserts; print what it checked
  });
// seed fix: a stray `});` ended the sample

// cancel the request after 0.5s
setTimeout(() => {
  inviteSent.cancel();
}, 500);
