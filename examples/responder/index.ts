// A minimal SIP responder on UDP: answers OPTIONS with 200 OK and every other request with
// --status (default 480). It uses only rxsip's message core; the engine issue replaces the
// socket handling here with the embedded engine.
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createResponse, parseMessage, SipParseError, SipRequest } from '../../src/index.js';

const { values } = parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1:5060' },
    status: { type: 'string', default: '480' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'responder --listen host:port (default 127.0.0.1:5060) --status <code for non-OPTIONS> (default 480)',
  );
  process.exit(0);
}
const log = pino({ name: 'responder' });
const [host, portText] = (values.listen ?? '').split(/:(?=\d+$)/);
const status = Number(values.status);
const socket = createSocket(host?.includes(':') ? 'udp6' : 'udp4');

socket.on('message', (data, from) => {
  try {
    const msg = parseMessage(data);
    if (!(msg instanceof SipRequest) || msg.method === 'ACK') return;
    const response = createResponse(msg, msg.method === 'OPTIONS' ? 200 : status);
    socket.send(response.toBuffer(), from.port, from.address);
  } catch (err) {
    if (err instanceof SipParseError)
      log.warn({ from: `${from.address}:${from.port}`, reason: err.message }, 'dropped malformed datagram');
    else log.error({ err }, 'failed to answer');
  }
});
socket.bind(Number(portText), host, () => log.info({ listen: values.listen }, 'responder listening on UDP'));
const stop = () => socket.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
