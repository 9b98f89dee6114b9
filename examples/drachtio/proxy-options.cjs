// The seed's "proxy with options": proxies every INVITE to sip.example1.com, then to
// sip.example2.com if that fails, Record-Routing, and prints the outcome.
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });

// biome-ignore lint/correctness/noUnusedFunctionParameters: the seed's code, kept as written
srf.invite((req, res) => {
  srf
    .proxyRequest(req, ['sip.example1.com', 'sip.example2.com'], {
      recordRoute: true,
      followRedirects: true,
      provisionalTimeout: '2s',
    })
    .then((results) => {
      // seed fix: `result` is the `results` parameter
      console.log(JSON.stringify(results)); // {finalStatus: 200, finalResponse:{..}, responses: [..]}
    });
});
