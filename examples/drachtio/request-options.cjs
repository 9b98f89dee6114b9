// The seed's "sending OPTIONS request": sends OPTIONS to sip.example.com and prints the status
// of each response. The seed gives only the request; the app lines around it are added.
const Srf = require('rxsip/drachtio'); // seed fix: the sample is a fragment; require, new Srf and start added
const srf = new Srf();
srf.start({ listen: ['127.0.0.1:5060'] });

srf.request(
  'sip.example.com',
  {
    method: 'OPTIONS',
    headers: {
      'User-Agent': 'drachtio',
    },
  },
  // biome-ignore lint/correctness/noUnusedFunctionParameters: the seed's code, kept as written
  (err, req) => {
    req.on('response', (res) => {
      console.log(`received ${res.statusCode} response`);
    });
  },
);
