// The B2BUA example's app in virtual time, written with rxsip/testing.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { b2buaApp } from '../../examples/b2bua/app.js';
import { sipTest } from '../../src/testing.js';

const log = pino({ level: 'silent' });

describe('examples/b2bua', () => {
  it('falls back from a busy callee to the next, and ties the legs when the callee hangs up', () => {
    const kit = sipTest(({ app, caller, callee, marbles }) => {
      const busy = callee('busy', { reject: 486, ring: false });
      const bob = callee('bob', { hangUpAfter: 2000 });
      b2buaApp(app(), { targets: [busy.uri, bob.uri], log });
      const call = caller('alice').call('sip:anyone@10.0.0.2');
      // The caller never sees the 486; it hears bob ring and answer, then bob's hang-up.
      marbles
        .expectObservable(call.events$)
        .toBe('6ms (ra) 1996ms (e|)', { r: '180', a: 'answered', e: 'ended' });
    });
    const toAlice = kit
      .ladder()
      .filter((l) => l.includes('->alice'))
      .map((l) => l.replace(/^\d+ /, ''));
    expect(toAlice).toEqual(['app->alice 180 Ringing', 'app->alice 200 OK', 'app->alice BYE']);
  });

  it('passes the last callee’s failure to the caller', () => {
    sipTest(({ app, caller, callee, marbles }) => {
      const busy = callee('busy', { reject: 486, ring: false });
      b2buaApp(app(), { targets: [busy.uri], log });
      marbles
        .expectObservable(caller('alice').call('sip:anyone@10.0.0.2').events$)
        .toBe('4ms (r|)', { r: 'rejected 486' });
    });
  });

  it('a caller who gives up cancels the callee', () => {
    sipTest(({ app, caller, callee, marbles }) => {
      const slow = callee('slow', { answerAfter: 10_000 });
      b2buaApp(app(), { targets: [slow.uri], log });
      caller('alice').call('sip:anyone@10.0.0.2', { cancelAfter: 1000 });
      marbles.expectObservable(slow.events$).toBe('2ms i 999ms c', { i: 'invite', c: 'cancelled' });
    });
  });

  it('--max-duration: both legs are sent BYE when the time is up', () => {
    const kit = sipTest(({ app, caller, callee, marbles }) => {
      const bob = callee('bob');
      b2buaApp(app(), { targets: [bob.uri], log, maxDuration: 30 });
      const call = caller('alice').call('sip:anyone@10.0.0.2');
      marbles
        .expectObservable(call.events$)
        .toBe('4ms (ra) 29996ms (e|)', { r: '180', a: 'answered', e: 'ended' });
    });
    const byes = kit
      .ladder()
      .filter((l) => l.includes('BYE'))
      .map((l) => l.replace(/^\d+ /, ''));
    expect(byes.sort()).toEqual(['app->alice BYE', 'app->bob BYE']);
  });
});
