// The bench's B2BUA floor: the least a Node.js process can do to bridge SIPp's standard call to a
// callee as a back-to-back user agent. A's INVITE becomes a new INVITE to B (its own Via,
// Call-ID, From tag and Contact, A's SDP), B's 180 and 200 become responses to A (B's SDP), A's
// ACK and BYE become B's, and B's 200 to the BYE answers A's. Two maps (by A's Call-ID and by
// B's) are its only state: no transactions, no retransmissions, no parsing beyond finding lines.
// Its CPU per call over the Node floor UAS's (bench/uas/node-floor.cjs) is the least a Node B2BUA
// can cost over a Node UAS; rxsip's B2BUA over this floor is what the stack costs above it.
// Run: node bench/b2bua/node-floor.cjs <port> <callee port>
'use strict';
const dgram = require('node:dgram');

const port = Number(process.argv[2] ?? 5060);
const calleePort = Number(process.argv[3] ?? 5070);
const socket = dgram.createSocket('udp4');
const byA = new Map();
const byB = new Map();
let calls = 0;
const COPIED = new Set(['via', 'v', 'from', 'f', 'call-id', 'i', 'cseq']);

/** The value of the first line named `long` or `short`, or undefined. */
function header(lines, long, short) {
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === long || name === short) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** A response to A's request: its Via, From, To (with our tag), Call-ID and CSeq lines. */
function answerA(call, lines, status, reason, body) {
  let out = `SIP/2.0 ${status} ${reason}\r\n`;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (COPIED.has(name)) out += `${line}\r\n`;
    else if (name === 'to' || name === 't')
      out += line.includes(';tag=') ? `${line}\r\n` : `${line};tag=${call.aTag}\r\n`;
  }
  if (body) out += `Contact: <sip:floor@127.0.0.1:${port}>\r\nContent-Type: application/sdp\r\n`;
  out += `Content-Length: ${body ? Buffer.byteLength(body) : 0}\r\n\r\n${body ?? ''}`;
  socket.send(out, call.a.port, call.a.address);
}

/** A request of B's leg: our Via, From, Call-ID and Contact, B's To tag once there is one. */
function requestB(call, method, cseq, body) {
  const to = call.bTag
    ? `<sip:callee@127.0.0.1:${calleePort}>;tag=${call.bTag}`
    : `<sip:callee@127.0.0.1:${calleePort}>`;
  let out =
    `${method} sip:callee@127.0.0.1:${calleePort} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${call.id}${method}\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:floor@127.0.0.1>;tag=${call.bFromTag}\r\nTo: ${to}\r\n` +
    `Call-ID: ${call.bCallId}\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:floor@127.0.0.1:${port}>\r\n`;
  if (body) out += 'Content-Type: application/sdp\r\n';
  out += `Content-Length: ${body ? Buffer.byteLength(body) : 0}\r\n\r\n${body ?? ''}`;
  socket.send(out, calleePort, '127.0.0.1');
}

function fromA(first, lines, body, rinfo) {
  const method = first.slice(0, first.indexOf(' '));
  const callId = header(lines, 'call-id', 'i');
  if (method === 'INVITE') {
    const id = ++calls;
    const call = { id, a: rinfo, aLines: lines, aTag: `a${id}`, bCallId: `b${id}-floor`, bFromTag: `b${id}` };
    byA.set(callId, call);
    byB.set(call.bCallId, call);
    requestB(call, 'INVITE', 1, body);
    return;
  }
  const call = byA.get(callId);
  if (!call) return;
  if (method === 'ACK') requestB(call, 'ACK', 1);
  else if (method === 'BYE') {
    call.byeLines = lines;
    requestB(call, 'BYE', 2);
  }
}

function fromB(first, lines, body) {
  const status = Number(first.slice(8, 11));
  const call = byB.get(header(lines, 'call-id', 'i'));
  if (!call) return;
  const method = (header(lines, 'cseq') ?? '').split(' ')[1];
  if (method === 'INVITE') {
    if (status === 180) answerA(call, call.aLines, 180, 'Ringing');
    else if (status === 200) {
      const to = header(lines, 'to', 't') ?? '';
      call.bTag = to.slice(to.indexOf(';tag=') + 5);
      answerA(call, call.aLines, 200, 'OK', body);
    }
  } else if (method === 'BYE' && call.byeLines) {
    answerA(call, call.byeLines, 200, 'OK');
    byA.delete(header(call.aLines, 'call-id', 'i'));
    byB.delete(call.bCallId);
  }
}

socket.on('message', (msg, rinfo) => {
  const text = msg.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, end).split('\r\n');
  const first = lines.shift();
  const body = text.slice(end + 4);
  if (rinfo.port === calleePort) {
    if (first.startsWith('SIP/2.0 ')) fromB(first, lines, body);
  } else if (!first.startsWith('SIP/2.0 ')) fromA(first, lines, body, rinfo);
});
socket.bind(port, '127.0.0.1', () => console.log('listening'));
