// The SDP rxsip offers and answers with in the dialog tests against SIPp.

/** rxsip's session: o= version 1, `s=rxsip`. */
export const RXSIP_SDP = [
  'v=0',
  'o=rxsip 2890844526 1 IN IP4 127.0.0.1',
  's=rxsip',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 49170 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/** An application's own answer, told apart from RXSIP_SDP by `s=app-answer` and o= version 2. */
export const APP_SDP = RXSIP_SDP.replace('s=rxsip', 's=app-answer').replace(' 1 IN IP4', ' 2 IN IP4');
