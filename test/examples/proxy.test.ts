// The proxy example's app in virtual time, written with rxsip/testing.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { proxyApp } from '../../examples/proxy/app.js';
import { sipTest } from '../../src/testing.js';

const log = pino({ level: 'silent' });

describe('examples/proxy', () => {
  it('record-routes the call, so the BYE comes back through the proxy', () => {
    const kit = sipTest(({ app, caller, callee, marbles }) => {
      const bob = callee('bob');
      proxyApp(app(), { targets: [bob.address], forking: 'sequential', log });
      const call = caller('alice').call('sip:bob@10.0.0.2', { hangUpAfter: 1000 });
      marbles
        .expectObservable(call.events$)
        .toBe('4ms (ra) 996ms (h|)', { r: '180', a: 'answered', h: 'hung up' });
    });
    const byes = kit
      .ladder()
      .filter((l) => l.endsWith(' BYE'))
      .map((l) => l.replace(/^\d+ /, ''));
    expect(byes).toEqual(['alice->app BYE', 'app->bob BYE']);
  });

  it('forks to two callees at once: the first to answer wins, the other is cancelled', () => {
    sipTest(({ app, caller, callee, marbles }) => {
      const slow = callee('slow', { answerAfter: 5000 });
      const quick = callee('quick', { answerAfter: 100 });
      proxyApp(app(), { targets: [slow.address, quick.address], forking: 'simultaneous', log });
      caller('alice').call('sip:bob@10.0.0.2');
      marbles.expectObservable(slow.events$).toBe('2ms i 101ms c', { i: 'invite', c: 'cancelled' });
      marbles.expectObservable(quick.events$).toBe('2ms i 99ms a', { i: 'invite', a: 'answered' });
    });
  });
});
