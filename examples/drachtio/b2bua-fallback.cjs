// The seed's "use opts.passFailure to attempt a fallback URI on failure": bridges every INVITE to
// sip:1234@10.10.100.1; if that fails (and the caller did not hang up), to sip:1234@10.10.100.2.
// The caller never sees the first failure (passFailure: false).
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });

function endCall(dlg1, dlg2) {
  dlg1.on('destroy', () => {
    dlg2.destroy();
  });
  dlg2.on('destroy', () => {
    dlg1.destroy();
  });
}

srf.invite((req, res) => {
  srf
    .createB2BUA('sip:1234@10.10.100.1', req, res, { localSdpB: req.body, passFailure: false })
    .then(({ uas, uac }) => {
      // seed fix: `.then({uas, uac} => ...)` needs parentheses around the destructured parameter
      console.log('call connected to primary destination');
      endCall(uas, uac); // seed fix: `endcall` is the `endCall` defined above
    })
    .catch((err) => {
      // try backup if we got a sip non-success response and the caller did not hang up
      if (err instanceof Srf.SipError && err.status !== 487) {
        console.log(`failed connecting to primary, will try backup: ${err}`);
        srf
          .createB2BUA('sip:1234@10.10.100.2', req, res, {
            localSdpB: req.body,
          }) // seed fix: a stray `}` before this parenthesis
          .then(({ uas, uac }) => {
            // seed fix: `.then({uas, uac} => ...)` needs parentheses around the destructured parameter
            console.log('call connected to backup destination');
            endCall(uas, uac); // seed fix: `endcall(uas.uac)` is `endCall(uas, uac)`
          })
          .catch((err) => {
            // seed fix: `catch(` was missing its dot
            console.log(`failed connecting to backup uri: ${err}`);
          });
      }
    });
});
