// The responder example's app in virtual time, written with rxsip/testing.
import { pino } from 'pino';
import { filter, map } from 'rxjs';
import { describe, it } from 'vitest';
import { responderApp } from '../../examples/responder/app.js';
import { sipTest } from '../../src/testing.js';

describe('examples/responder', () => {
  it('answers OPTIONS 200 and an INVITE with its status', () => {
    sipTest(({ app, caller, marbles }) => {
      responderApp(app(), { status: 486, log: pino({ level: 'silent' }) });
      const alice = caller('alice');
      marbles
        .expectObservable(alice.call('sip:app@10.0.0.2').events$)
        .toBe('2ms (r|)', { r: 'rejected 486' });
      const probe = alice.srf.send$('sip:10.0.0.2', { method: 'OPTIONS' }).pipe(
        filter((r) => r.status >= 200),
        map((r) => r.status),
      );
      marbles.expectObservable(probe).toBe('2ms (o|)', { o: 200 });
    });
  });
});
