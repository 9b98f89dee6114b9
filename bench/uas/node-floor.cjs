// The bench's Node floor: the least a Node.js process can do to answer SIPp's standard call over
// UDP. INVITE gets a canned 180 and 200 built from the request's own Via, From, To, Call-ID and
// CSeq lines; BYE gets 200; ACK nothing. No transactions, no retransmissions, no dialog state, no
// parsing beyond finding those lines. Whatever rxsip costs above this is the stack's; this is what
// Node's datagram I/O and a wakeup per message cost. Run: node bench/uas/node-floor.cjs <port>
'use strict';
const dgram = require('node:dgram');

const port = Number(process.argv[2] ?? 5060);
const socket = dgram.createSocket('udp4');
const SDP =
  'v=0\r\no=floor 1 1 IN IP4 127.0.0.1\r\ns=floor\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
let tags = 0;

function answer(lines, status, reason, toTag, body) {
  let out = `SIP/2.0 ${status} ${reason}\r\n`;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (
      name === 'via' ||
      name === 'v' ||
      name === 'from' ||
      name === 'f' ||
      name === 'call-id' ||
      name === 'i' ||
      name === 'cseq'
    )
      out += `${line}\r\n`;
    else if (name === 'to' || name === 't')
      out += toTag && !line.includes(';tag=') ? `${line};tag=${toTag}\r\n` : `${line}\r\n`;
  }
  if (body) out += `Contact: <sip:floor@127.0.0.1:${port}>\r\nContent-Type: application/sdp\r\n`;
  out += `Content-Length: ${body ? Buffer.byteLength(body) : 0}\r\n\r\n${body ?? ''}`;
  return out;
}

socket.on('message', (msg, rinfo) => {
  const text = msg.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  const lines = head.split('\r\n');
  const method = lines[0].slice(0, lines[0].indexOf(' '));
  const send = (s) => socket.send(s, rinfo.port, rinfo.address);
  if (method === 'INVITE') {
    const tag = `f${++tags}`;
    send(answer(lines, 180, 'Ringing', tag));
    send(answer(lines, 200, 'OK', tag, SDP));
  } else if (method === 'BYE') send(answer(lines, 200, 'OK'));
});
socket.bind(port, '127.0.0.1', () => console.log('listening'));
