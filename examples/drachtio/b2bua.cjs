// The seed's "simple B2BUA": bridges every INVITE to sip:1234@10.10.100.1, passing the caller's
// SDP on, and hangs up one leg when the other ends.
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });

srf.invite((req, res) => {
  srf
    .createB2BUA('sip:1234@10.10.100.1', req, res, { localSdpB: req.body })
    .then(({ uas, uac }) => {
      // seed fix: `.then({uas, uac} => ...)` needs parentheses around the destructured parameter
      console.log('call connected');
      // when one side terminates, hang up the other
      uas.on('destroy', () => {
        uac.destroy();
      });
      uac.on('destroy', () => {
        uas.destroy();
      });
    })
    .catch((err) => {
      console.log(`call failed to connect: ${err}`);
    });
});
