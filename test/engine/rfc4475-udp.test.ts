import { createSocket, type Socket } from 'node:dgram';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Srf } from '../../src/index.js';
import { isSipUri, parseUri, SipParseError } from '../../src/sip.js';
import { rfc4475, rfc4475Names } from '../sip/corpus.js';
import { freePort } from '../support/ports.js';

// Each RFC 4475 message is sent as one UDP datagram to a running rxsip application. Responses
// are routed by the stack per the top Via (RFC 3261 §18.2.2): to received=127.0.0.2 at the Via's
// port, so the test listens on 127.0.0.2 at the ports the corpus names (5060, 5050, 5070, and
// 5061 for a Via naming TLS without a port).
// After each message a probe OPTIONS shows the process still serves; whatever arrived before the
// probe's answer is the answer to the message. Several corpus messages share a Via branch and
// sent-by (unkscm/novelsc, cparam01/cparam02, escnull/regescrt), so one stack would rightly take
// the second for a retransmission of the first (RFC 3261 §17.2.3): each message gets a fresh stack.
const EXPECTED: Record<string, number | 'dropped'> = {
  // §3.1.1 valid messages: served by the application or the stack's defaults.
  wsinv: 481, // a To tag: an in-dialog request for no dialog (RFC 3261 §12.2.2)
  intmeth: 501, // unknown method (RFC 3261 §21.5.2)
  esc01: 486,
  escnull: 200,
  esc02: 501, // RE%47IST%45R is not REGISTER
  lwsdisp: 200,
  longreq: 486,
  dblreq: 200, // only the REGISTER; the INVITE after it in the datagram is ignored (§18.3)
  semiuri: 200,
  transports: 200,
  mpart01: 200,
  unreason: 'dropped', // responses matching no transaction
  noreason: 'dropped',
  // §3.1.2 invalid messages
  badinv01: 400,
  clerr: 400,
  ncl: 400,
  scalar02: 400,
  scalarlg: 'dropped', // a response: nobody to answer
  quotbal: 400,
  ltgtruri: 400,
  lwsruri: 400,
  lwsstart: 400,
  trws: 400,
  escruri: 400,
  baddate: 486, // Date is not read by anyone here: served (RFC 4475 allows leniency)
  regbadct: 400, // the registrar cannot read the Contact
  badaspec: 400,
  baddn: 'dropped', // the file has no empty line ending the headers: truncated, unanswerable
  badvers: 505,
  mismatch01: 400,
  mismatch02: 400,
  bigcode: 'dropped',
  // §3.2 transaction layer
  badbranch: 200,
  // §3.3 application layer
  insuf: 400,
  unkscm: 416,
  novelsc: 416,
  unksm2: 400, // the registrar refuses a To that is not a SIP AOR
  bext01: 420,
  invut: 415,
  regaut01: 401,
  multi01: 400,
  mcl01: 400,
  bcast: 'dropped',
  zeromf: 200, // an endpoint serves Max-Forwards 0
  cparam01: 200,
  cparam02: 200,
  regescrt: 200,
  sdp01: 406,
  // §3.4
  inv2543: 486,
  // not in any section: no Via, nothing to answer
  test: 'dropped',
};

describe('RFC 4475 messages over UDP to a running rxsip', () => {
  let srf: Srf;
  let port: number;
  const sockets = new Map<number, Socket>();
  const received: Array<{ status: number; text: string; callId: string | undefined }> = [];

  async function startApp(): Promise<void> {
    port = await freePort();
    srf = new Srf({ logger: pino({ level: 'silent' }) });
    await srf.start({ listen: [`udp:127.0.0.1:${port}`] });
    srf.invite$.subscribe(({ res }) => res.send(486));
    srf.message$.subscribe(({ res }) => res.send(200));
    // A registrar's own checks: the AOR must be SIP, the Contact readable, the credentials Digest.
    srf.register$.subscribe(({ req, res }) => {
      try {
        req.getParsedHeader('contact');
        if (!isSipUri(parseUri(req.to.uri))) return void res.send(400, 'To is not a SIP AOR');
      } catch (err) {
        if (err instanceof SipParseError) return void res.send(400);
        throw err;
      }
      const credentials = req.getParsedHeader('authorization');
      if (credentials && credentials[0]?.scheme.toLowerCase() !== 'digest') {
        return void res.send(401, {
          headers: { 'WWW-Authenticate': 'Digest realm="example.com", nonce="abc", qop="auth"' },
        });
      }
      res.send(200);
    });
  }

  beforeEach(startApp);
  afterEach(() => srf.close());

  beforeAll(async () => {
    for (const p of [5060, 5061, 5050, 5070]) {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(p, '127.0.0.2', resolve));
      // Read leniently: a 400 copies the malformed headers it answers, so it may not parse.
      socket.on('message', (data) => {
        const text = data.toString('utf8');
        const status = /^SIP\/2\.0 (\d{3}) /.exec(text);
        if (status)
          received.push({
            status: Number(status[1]),
            text,
            callId: /^Call-ID: (.*)$/m.exec(text)?.[1]?.trim(),
          });
      });
      sockets.set(p, socket);
    }
  });

  afterAll(() => {
    for (const s of sockets.values()) s.close();
  });

  let probes = 0;
  async function exchange(data: Buffer): Promise<typeof received> {
    const start = received.length;
    const socket = sockets.get(5060) as Socket;
    socket.send(data, port, '127.0.0.1');
    const callId = `probe-${++probes}`;
    const probe = [
      `OPTIONS sip:probe@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKprobe${probes}`,
      'Max-Forwards: 70',
      `To: <sip:probe@127.0.0.1:${port}>`,
      'From: <sip:probe@127.0.0.2>;tag=p',
      `Call-ID: ${callId}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    socket.send(probe, port, '127.0.0.1');
    for (let i = 0; i < 200; i++) {
      const answered = received.slice(start).some((r) => r.callId === callId && r.status === 200);
      if (answered) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const replies = received.slice(start);
    expect(
      replies.some((r) => r.callId === callId),
      'the process keeps serving',
    ).toBe(true);
    // Only answers to this message: a 486 retransmitted (Timer G) for an earlier INVITE, byte for
    // byte the same as before, is not one.
    const earlier = new Set(received.slice(0, start).map((r) => r.text));
    return replies.filter((r) => r.callId !== callId && !earlier.has(r.text));
  }

  it('covers every file of the corpus', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(rfc4475Names());
  });

  it.each(Object.entries(EXPECTED))('%s → %s', async (name, expected) => {
    const replies = await exchange(rfc4475(name));
    const statuses = [...new Set(replies.map((r) => r.status))];
    expect(statuses).toEqual(expected === 'dropped' ? [] : [expected]);
  });
});
