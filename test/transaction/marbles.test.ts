import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { OutboundEvent } from '../../src/engine/engine.js';
import type { HeaderInit } from '../../src/sip/message.js';
import { A, at, B, engine, invite, network, options, Peer, uacSetup } from './harness.js';

// What the user of engine.send() sees, one letter per event.
function letter(e: OutboundEvent): string {
  if (e.kind === 'sent') return 's';
  return e.failure ? `${e.response.status} ${e.failure}` : String(e.response.status);
}

function marbles(
  body: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0], s: TestScheduler) => void,
) {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run((helpers) => body(helpers, scheduler));
}

describe('engine.send() in marbles (1 frame = 1 ms)', () => {
  it('INVITE to a silent peer: sent, then the 408 of Timer B at 64*T1', () => {
    marbles(({ expectObservable }, scheduler) => {
      const uac = engine(network(scheduler), { address: A });
      expectObservable(uac.send(invite(B)).pipe(map(letter))).toBe('s 31999ms (t|)', {
        s: 's',
        t: '408 timeout',
      });
    });
  });

  it('INVITE answered after ringing: 180 and 200, complete when Timer M ends the Accepted state', () => {
    marbles(({ expectObservable }, scheduler) => {
      const { uac, peer } = uacSetup(scheduler);
      at(scheduler, 1000, () => peer.reply(peer.first('INVITE'), 180, { toTag: 'b' }));
      at(scheduler, 5000, () => peer.reply(peer.first('INVITE'), 200, { toTag: 'b' }));
      expectObservable(uac.send(invite(B)).pipe(map(letter))).toBe('s 1000ms r 3999ms a 31999ms |', {
        s: 's',
        r: '180',
        a: '200',
      });
    });
  });

  it('INVITE cancelled at 100 ms: the CANCEL waits for the 180, the 487 ends it', () => {
    marbles(({ expectObservable, cold }, scheduler) => {
      const { uac, peer } = uacSetup(scheduler);
      peer.on((m) => {
        if (m.type !== 'request' || m.method !== 'CANCEL') return;
        peer.reply(m, 200, { toTag: 'b' });
        peer.reply(peer.first('INVITE'), 487, { toTag: 'b' });
      });
      at(scheduler, 2000, () => peer.reply(peer.first('INVITE'), 180, { toTag: 'b' }));
      const cancel$ = cold<HeaderInit>('100ms c', { c: {} });
      // 180 at 2001, CANCEL sent at 2001, 200 and 487 back at 2003
      expectObservable(uac.send(invite(B), { cancel$ }).pipe(map(letter))).toBe('s 2000ms r 1ms (t|)', {
        s: 's',
        r: '180',
        t: '487',
      });
    });
  });

  it('OPTIONS over lossy UDP: the retransmission at 500 ms gets through', () => {
    marbles(({ expectObservable }, scheduler) => {
      const net = network(scheduler, { drop: (p) => p.time === 0 });
      const uac = engine(net, { address: A });
      const peer = new Peer(net, B);
      peer.on((m) => {
        if (m.type === 'request') peer.reply(m, 200);
      });
      expectObservable(uac.send(options(B)).pipe(map(letter))).toBe('s 501ms (o|)', { s: 's', o: '200' });
    });
  });
});
