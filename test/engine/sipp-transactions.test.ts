import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InboundRequest, type SipRequest, Srf } from '../../src/index.js';
import { freePort } from '../support/ports.js';
import { runSipp } from '../support/sipp.js';

// A small rxsip application on UDP and TCP, driven by SIPp on 127.0.0.1.
describe.each(['u1', 't1'] as const)('SIPp against rxsip over %s', (transport) => {
  let srf: Srf;
  let port: number;
  const acks: InboundRequest[] = [];
  const cancels: SipRequest[] = [];

  beforeAll(async () => {
    port = await freePort();
    srf = new Srf({ logger: pino({ level: 'silent' }) });
    await srf.start({ listen: [`127.0.0.1:${port}`] });
    srf.engine.requests$.subscribe((inbound) => {
      if (inbound.message.method === 'ACK') acks.push(inbound);
    });
    srf.options$.subscribe(({ res }) => res.send(200));
    srf.invite$.subscribe(({ req, res }) => {
      if (req.calledNumber === 'busy') res.send(486);
      else if (req.calledNumber === 'ring') {
        res.send(180);
        req.cancel$.subscribe((cancel) => cancels.push(cancel));
      }
    });
  });

  afterAll(() => srf.close());

  it('answers OPTIONS with 200', async () => {
    const result = await runSipp({
      scenario: 'options',
      target: `127.0.0.1:${port}`,
      transport,
      calls: 5,
      rate: 50,
      localPort: await freePort(),
    });
    expect(result.errors).toBe('');
    expect(result.successful).toBe(5);
    expect(result.failed).toBe(0);
    expect(result.messages).toMatch(/SIP\/2\.0 200 OK/);
  });

  it('rejects an INVITE with 486 and absorbs its ACK (no 486 retransmitted, no ACK to the application)', async () => {
    const before = acks.length;
    const result = await runSipp({
      scenario: 'invite-busy',
      target: `127.0.0.1:${port}`,
      transport,
      service: 'busy',
      extra: ['-d', '1500'],
      calls: 3,
      rate: 10,
      localPort: await freePort(),
    });
    expect(result.errors).toBe('');
    expect(result.successful).toBe(3);
    expect(result.retransmissions).toBe(0);
    expect((result.messages.match(/SIP\/2\.0 486 Busy Here/g) ?? []).length).toBe(3);
    expect(acks.length).toBe(before);
  });

  it('answers CANCEL of a ringing INVITE with 200 and the INVITE with 487, and tells the application', async () => {
    const before = cancels.length;
    const result = await runSipp({
      scenario: 'invite-cancel',
      target: `127.0.0.1:${port}`,
      transport,
      service: 'ring',
      calls: 2,
      rate: 10,
      localPort: await freePort(),
    });
    expect(result.errors).toBe('');
    expect(result.successful).toBe(2);
    expect(cancels.length - before).toBe(2);
    expect(cancels.every((c) => c.method === 'CANCEL')).toBe(true);
    expect(result.messages).toMatch(/SIP\/2\.0 487 Request Terminated/);
  });
});

describe('SIPp with 10% packet loss (UDP)', () => {
  let srf: Srf;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    srf = new Srf({ logger: pino({ level: 'silent' }) });
    await srf.start({ listen: [`udp:127.0.0.1:${port}`] });
    srf.options$.subscribe(({ res }) => res.send(200));
    srf.invite$.subscribe(({ res }) => res.send(486));
  });

  afterAll(() => srf.close());

  it('completes every OPTIONS transaction through retransmissions', async () => {
    const result = await runSipp({
      scenario: 'options',
      target: `127.0.0.1:${port}`,
      calls: 60,
      rate: 30,
      lost: 10,
      localPort: await freePort(),
      timeoutSeconds: 40,
    });
    expect(result.failed).toBe(0);
    expect(result.successful).toBe(60);
    expect(result.retransmissions).toBeGreaterThan(0);
  }, 60_000);

  it('completes every rejected INVITE through retransmissions of INVITE, 486 and ACK', async () => {
    const result = await runSipp({
      scenario: 'invite-busy',
      target: `127.0.0.1:${port}`,
      extra: ['-d', '0'],
      calls: 40,
      rate: 20,
      lost: 10,
      localPort: await freePort(),
      timeoutSeconds: 40,
    });
    expect(result.failed).toBe(0);
    expect(result.successful).toBe(40);
  }, 60_000);
});
