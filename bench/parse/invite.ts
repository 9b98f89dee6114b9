// A typical INVITE as a proxy or B2BUA receives it: three Vias, Record-Route, Contact, Allow,
// Supported, P-Asserted-Identity and an SDP offer; about 900 bytes.

const sdp = [
  'v=0',
  'o=alice 2890844526 2890844527 IN IP4 198.51.100.7',
  's=-',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtpmap:101 telephone-event/8000',
  'a=ptime:20',
  '',
].join('\r\n');

const head = [
  'INVITE sip:+15551234567@example.com;user=phone SIP/2.0',
  'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK776asdhds;rport',
  'Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK4b43c2ff8.1;received=192.0.2.4',
  'Via: SIP/2.0/TCP 198.51.100.7:5060;branch=z9hG4bK77ef4c2312983.1',
  'Record-Route: <sip:203.0.113.10;lr>, <sip:192.0.2.4;lr;ftag=9fxced76sl>',
  'Max-Forwards: 68',
  'From: "Alice" <sip:+15557654321@example.org>;tag=9fxced76sl',
  'To: <sip:+15551234567@example.com;user=phone>',
  'Call-ID: 3848276298220188511@atlanta.example.org',
  'CSeq: 31862 INVITE',
  'Contact: <sip:alice@198.51.100.7:5060;transport=tcp>',
  'P-Asserted-Identity: "Alice" <sip:+15557654321@example.org>',
  'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, UPDATE, PRACK',
  'Supported: replaces, timer, 100rel',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(sdp)}`,
].join('\r\n');

/** The datagram every parser reads. */
export const INVITE: Buffer = Buffer.from(`${head}\r\n\r\n${sdp}`, 'utf8');

/** What "reading the headers a stack needs" must find in it. */
export const EXPECTED = {
  callId: '3848276298220188511@atlanta.example.org',
  cseq: 31862,
  method: 'INVITE',
  fromTag: '9fxced76sl',
  branch: 'z9hG4bK776asdhds',
  bodyLength: Buffer.byteLength(sdp),
} as const;

const shortSdp = [
  'v=0',
  'o=bob 1 1 IN IP4 192.0.2.20',
  's=-',
  'c=IN IP4 192.0.2.20',
  't=0 0',
  'm=audio 4000 RTP/AVP 0',
  '',
].join('\r\n');

/**
 * A short INVITE, as a phone sends it straight to a server: one Via, no Record-Route, a small
 * SDP; about 500 bytes. The issue's goal holds for it as for the long one.
 */
export const SHORT_INVITE: Buffer = Buffer.from(
  `${[
    'INVITE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK74bf9;rport',
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=9fxced76sl',
    'To: <sip:bob@example.com>',
    'Call-ID: 3848276298220188511@192.0.2.20',
    'CSeq: 1 INVITE',
    'Contact: <sip:alice@192.0.2.20:5060>',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(shortSdp)}`,
  ].join('\r\n')}\r\n\r\n${shortSdp}`,
  'utf8',
);
