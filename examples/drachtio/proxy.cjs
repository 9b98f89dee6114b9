// The seed's "simple proxy": proxies every INVITE to sip.example.com, without Record-Route.
const Srf = require('rxsip/drachtio');
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });

// biome-ignore lint/correctness/noUnusedFunctionParameters: the seed's code, kept as written
srf.invite((req, res) => {
  srf.proxyRequest(req, 'sip.example.com');
});
