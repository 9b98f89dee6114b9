import { pino } from 'pino';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { Srf } from '../../src/drachtio.js';
import type { SipResponse } from '../../src/index.js';
import {
  createChallenge,
  createRequest,
  createResponse,
  stringifyAuthHeader,
  verifyCredentials,
} from '../../src/sip.js';
import { MemoryEngine } from '../../src/testing/memory-engine.js';
import { VirtualNetwork } from '../../src/testing/virtual-network.js';

const silent = pino({ level: 'silent' });

/** An Srf on 10.0.0.2 and a bare engine on 10.0.0.1 acting as the peer, in virtual time. */
function setup() {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const results: { responses: SipResponse[] } = { responses: [] };
  return { scheduler, results };
}

function send(
  peer: MemoryEngine,
  method: string,
  extra: Record<string, string> = {},
  uri = 'sip:app@10.0.0.2',
) {
  const out: SipResponse[] = [];
  const req = createRequest({ method, uri, from: '<sip:peer@10.0.0.1>', headers: extra });
  peer.send(req).subscribe((e) => {
    if (e.kind === 'response') out.push(e.response);
  });
  return out;
}

describe('Srf request routing (in-memory engine, virtual time)', () => {
  it('answers requests nobody asked for: OPTIONS 200 with Allow, in-dialog-only methods 481, unknown 501, others 405 with Allow', () => {
    const { scheduler } = setup();
    const answers: Record<string, SipResponse[]> = {};
    scheduler.run(() => {
      const network = new VirtualNetwork(scheduler);
      const peer = new MemoryEngine(network, { address: '10.0.0.1' });
      const srf = new Srf({ logger: silent }).attach(new MemoryEngine(network, { address: '10.0.0.2' }));
      srf.invite$.subscribe(({ res }) => res.send(486));
      for (const method of ['OPTIONS', 'BYE', 'FOO', 'MESSAGE', 'INVITE'])
        answers[method] = send(peer, method);
    });
    expect(answers.OPTIONS?.map((r) => r.status)).toEqual([200]);
    expect(answers.OPTIONS?.[0]?.get('allow')).toContain('INVITE');
    expect(answers.BYE?.map((r) => r.status)).toEqual([481]);
    expect(answers.FOO?.map((r) => r.status)).toEqual([501]);
    expect(answers.MESSAGE?.map((r) => r.status)).toEqual([405]);
    expect(answers.MESSAGE?.[0]?.get('allow')?.split(', ')).toEqual(
      expect.arrayContaining(['INVITE', 'OPTIONS']),
    );
    expect(answers.MESSAGE?.[0]?.get('allow')).not.toContain('MESSAGE');
    expect(answers.INVITE?.map((r) => r.status)).toEqual([486]);
  });

  it('answers 481 to a request with a To tag that matches no dialog', () => {
    const { scheduler } = setup();
    const answer: SipResponse[] = [];
    scheduler.run(() => {
      const network = new VirtualNetwork(scheduler);
      const peer = new MemoryEngine(network, { address: '10.0.0.1' });
      new Srf({ logger: silent }).attach(new MemoryEngine(network, { address: '10.0.0.2' }));
      const req = createRequest({
        method: 'INFO',
        uri: 'sip:app@10.0.0.2',
        from: '<sip:peer@10.0.0.1>',
        to: '<sip:app@10.0.0.2>;tag=gone',
      });
      peer.send(req).subscribe((e) => {
        if (e.kind === 'response') answer.push(e.response);
      });
    });
    expect(answer.map((r) => r.status)).toEqual([481]);
  });

  it('runs drachtio-style middleware in order; next(err) answers err.status; a throwing handler gets 500', () => {
    const { scheduler } = setup();
    const answers: Record<string, SipResponse[]> = {};
    const order: string[] = [];
    scheduler.run(() => {
      const network = new VirtualNetwork(scheduler);
      const peer = new MemoryEngine(network, { address: '10.0.0.1' });
      const srf = new Srf({ logger: silent }).attach(new MemoryEngine(network, { address: '10.0.0.2' }));
      srf.use((req, _res, next) => {
        order.push(`any:${req.method}`);
        next();
      });
      srf.message(
        (req, _res, next) => {
          order.push('first');
          if (req.get('x-fail') === 'status') return next(Object.assign(new Error('nope'), { status: 403 }));
          if (req.get('x-fail') === 'throw') throw new Error('boom');
          next();
        },
        (_req, res) => {
          order.push('second');
          res.send(202);
        },
      );
      answers.ok = send(peer, 'MESSAGE');
      answers.status = send(peer, 'MESSAGE', { 'X-Fail': 'status' });
      answers.thrown = send(peer, 'MESSAGE', { 'X-Fail': 'throw' });
    });
    expect(answers.ok?.map((r) => r.status)).toEqual([202]);
    expect(answers.status?.map((r) => r.status)).toEqual([403]);
    expect(answers.thrown?.map((r) => r.status)).toEqual([500]);
    expect(order.slice(0, 3)).toEqual(['any:MESSAGE', 'first', 'second']);
  });

  it('keeps one To tag for every response of a transaction, and refuses a second final', () => {
    const { scheduler } = setup();
    let answer: SipResponse[] = [];
    const errors: string[] = [];
    scheduler.run(() => {
      const network = new VirtualNetwork(scheduler);
      const peer = new MemoryEngine(network, { address: '10.0.0.1' });
      const srf = new Srf({ logger: silent }).attach(new MemoryEngine(network, { address: '10.0.0.2' }));
      srf.invite((_req, res) => {
        res.send(180);
        res.send(183);
        res.send(486);
        res.send(200, (err) => err && errors.push(err.message));
      });
      answer = send(peer, 'INVITE');
    });
    expect(answer.map((r) => r.status)).toEqual([180, 183, 486]);
    expect(new Set(answer.map((r) => r.toTag)).size).toBe(1);
    expect(errors).toEqual(['res.send: a final response was already sent']);
  });

  it('srf.request$ answers a digest challenge once (RFC 3261 §22.2) and the server verifies it', () => {
    const { scheduler } = setup();
    const statuses: number[] = [];
    const verified: boolean[] = [];
    scheduler.run(() => {
      const network = new VirtualNetwork(scheduler);
      const server = new MemoryEngine(network, { address: '10.0.0.1' });
      const srf = new Srf({ logger: silent }).attach(new MemoryEngine(network, { address: '10.0.0.2' }));
      const challenge = createChallenge({ realm: 'example.com', algorithm: 'SHA-256' });
      server.requests$.subscribe((inbound) => {
        const auth = inbound.message.getParsedHeader('authorization')?.[0];
        if (!auth) {
          inbound.respond(
            createResponse(inbound.message, 401, {
              headers: { 'WWW-Authenticate': stringifyAuthHeader(challenge, 'challenge') },
            }),
          );
          return;
        }
        const ok = verifyCredentials(auth, { method: inbound.message.method, password: 's3cret' });
        verified.push(ok);
        expect(inbound.message.cseq.seq).toBe(2);
        inbound.respond(createResponse(inbound.message, ok ? 200 : 403));
      });
      srf
        .send$('sip:registrar@10.0.0.1', {
          method: 'REGISTER',
          auth: { username: 'alice', password: 's3cret' },
        })
        .subscribe((r) => statuses.push(r.status));
    });
    expect(statuses).toEqual([200]);
    expect(verified).toEqual([true]);
  });

  it('srf.request keeps the drachtio shape: resolves with the sent request, responses as events', async () => {
    // Real time here: the Promise form resolves on the microtask queue.
    const network = new VirtualNetwork((await import('rxjs')).asyncScheduler, { latency: 0 });
    const server = new MemoryEngine(network, { address: '10.0.0.1' });
    const srf = new Srf({ logger: silent }).attach(new MemoryEngine(network, { address: '10.0.0.2' }));
    server.requests$.subscribe((inbound) => inbound.respond(createResponse(inbound.message, 200)));
    const sent = await srf.request('10.0.0.1', { method: 'OPTIONS', headers: { 'User-Agent': 'test' } });
    expect(sent.method).toBe('OPTIONS');
    expect(sent.get('user-agent')).toBe('test');
    expect(sent.get('via')).toMatch(/^SIP\/2\.0\/UDP 10\.0\.0\.2:5060;branch=z9hG4bK/);
    const response = await new Promise<SipResponse>((resolve) => sent.on('response', resolve));
    expect(response.status).toBe(200);
    expect((await sent.final).status).toBe(200);
    await srf.close();
    await server.close();
  });
});
