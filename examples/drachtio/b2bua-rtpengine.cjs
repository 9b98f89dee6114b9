// The seed's "B2BUA with media proxy using rtpengine": bridges every INVITE to
// sip:1234@10.10.100.1 with rtpengine (its ng control port on 127.0.0.1:22222) between the legs:
// B is offered rtpengine's SDP, and A is answered with rtpengine's.
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });
// seed fix: offer/answer/delete are methods of a Client instance, given rtpengine's ng address first
const { Client } = require('rtpengine-client');
const client = new Client();
const ng = { port: 22222, host: '127.0.0.1' };
const rtpengine = {
  offer: (opts) => client.offer(ng, opts),
  answer: (opts) => client.answer(ng, opts),
  delete: (opts) => client.delete(ng, opts),
};

// helper functions

// clean up and free rtpengine resources when either side hangs up
function endCall(dlg1, dlg2, details) {
  [dlg1, dlg2].forEach((dlg) => {
    // seed fix: arrays have forEach, not each
    dlg.on('destroy', () => {
      (dlg === dlg1 ? dlg2 : dlg1).destroy();
    });
    rtpengine.delete(details);
  });
}

// function returning a Promise that resolves with the SDP to offer A leg in 18x/200 answer
function getSdpA(details, remoteSdp, res) {
  return rtpengine
    .answer(
      Object.assign(details, {
        sdp: remoteSdp,
        'to-tag': res.getParsedHeader('To').params.tag,
      }),
    )
    .then((response) => {
      if (response.result !== 'ok') throw new Error(`Error calling answer: ${response['error-reason']}`);
      return response.sdp;
    });
}

// handle incoming invite
srf.invite((req, res) => {
  const from = req.getParsedHeader('From');
  const details = { 'call-id': req.get('Call-Id'), 'from-tag': from.params.tag };

  rtpengine
    .offer(Object.assign(details, { sdp: req.body })) // seed fix: a parenthesis was missing here
    .then((rtpResponse) => {
      if (rtpResponse && rtpResponse.result === 'ok') return rtpResponse.sdp;
      throw new Error('rtpengine failure');
    })
    .then((sdpB) => {
      return srf.createB2BUA('sip:1234@10.10.100.1', req, res, {
        localSdpB: sdpB,
        localSdpA: getSdpA.bind(null, details),
      });
    })
    .then(({ uas, uac }) => {
      // seed fix: `.then({uas, uac} => ...)` needs parentheses around the destructured parameter
      console.log('call connected with media proxy');
      endCall(uas, uac, details); // seed fix: `endcall` is the `endCall` defined above
    })
    .catch((err) => {
      console.log(`Error proxying call with media: ${err}`);
    });
});
