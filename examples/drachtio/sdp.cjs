// The SDP the examples offer or answer with, where the seed document leaves `mySdp` "populated
// somehow": one audio stream, PCMU, on 127.0.0.1.
module.exports = [
  'v=0',
  'o=rxsip-example 1 1 IN IP4 127.0.0.1',
  's=rxsip drachtio example',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');
