import { catchError, firstValueFrom, map, mergeMap, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Srf as DrachtioSrf } from '../../src/drachtio.js';
import { b2bua, type SipError, tieLegs, uas$ } from '../../src/index.js';
import { ladderDivergence, offerFrom, sipTest, sipTestAsync } from '../../src/testing.js';

const SDP = offerFrom('10.0.0.2');

describe('rxsip/testing: call flows in virtual time', () => {
  it('a caller calls the app, which answers; the caller hangs up at 5 s: marbles over SIP events and the ladder', () => {
    const kit = sipTest(({ app, caller, marbles }) => {
      const srf = app();
      srf.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP }))).subscribe();
      const call = caller('alice').call('sip:app@10.0.0.2', { hangUpAfter: 5000 });
      // INVITE out at 0, 200 back at 2 (1 ms each way); BYE at 5002.
      marbles.expectObservable(call.events$).toBe('2ms a 4999ms (h|)', { a: 'answered', h: 'hung up' });
    });
    kit.expectLadder([
      'alice->app INVITE',
      'app->alice 200 OK',
      'alice->app ACK',
      'alice->app BYE',
      'app->alice 200 OK',
    ]);
    expect(kit.ladder()[3]).toBe('5002 alice->app BYE');
  });

  it('a callee rings, is cancelled by the app, and a challenging callee takes the call it authorizes', () => {
    const kit = sipTest(({ app, callee, marbles, at }) => {
      const srf = app();
      const slow = callee('slow', { answerAfter: 10_000 });
      const guarded = callee('guarded', {
        challenge: { realm: 'test', username: 'app', password: 's3cret' },
      });
      const ringing = srf.call$(slow.uri, { localSdp: SDP }).subscribe();
      at(1000, () => ringing.unsubscribe());
      marbles.expectObservable(slow.events$).toBe('1ms i 999ms c', { i: 'invite', c: 'cancelled' });
      at(2000, () =>
        srf.call$(guarded.uri, { localSdp: SDP, auth: { username: 'app', password: 's3cret' } }).subscribe(),
      );
      marbles
        .expectObservable(guarded.events$)
        .toBe('2001ms c 1ms (ia)', { c: 'challenged', i: 'invite', a: 'answered' });
    });
    expect(
      kit
        .ladder()
        .filter((l) => l.includes('guarded'))
        .map((l) => l.replace(/^\d+ /, '')),
    ).toEqual([
      'app->guarded INVITE',
      'guarded->app 401 Unauthorized',
      'app->guarded ACK',
      'app->guarded INVITE',
      'guarded->app 180 Ringing',
      'guarded->app 200 OK',
      'app->guarded ACK',
    ]);
  });

  it('the 32 s clocks run in milliseconds: an unanswered INVITE from the app gets its 408 at 64*T1', () => {
    const started = Date.now();
    sipTest(({ app, marbles }) => {
      const srf = app();
      // Nobody at 10.0.0.9: Timer B fires.
      const outcome = srf.call$('sip:nobody@10.0.0.9', { localSdp: SDP }).pipe(
        map((p) => p.type),
        catchError((err: SipError) => of(`failed ${err.status}`)),
      );
      marbles.expectObservable(outcome).toBe('r 31999ms (f|)', { r: 'request', f: 'failed 408' });
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a B2BUA under test between a scripted caller and callee', () => {
    const kit = sipTest(({ app, caller, callee, marbles }) => {
      const bob = callee('bob', { hangUpAfter: 3000 });
      app().invite$.pipe(b2bua(bob.uri), tieLegs()).subscribe();
      const call = caller('alice').call('sip:bob@10.0.0.2');
      marbles
        .expectObservable(call.events$)
        .toBe('4ms (ra) 2996ms (e|)', { r: '180', a: 'answered', e: 'ended' });
    });
    expect(
      kit
        .ladder()
        .filter((l) => / BYE$/.test(l))
        .map((l) => l.replace(/^\d+ /, '')),
    ).toEqual(['bob->app BYE', 'app->alice BYE']);
  });

  it('a registering client is challenged and registers', () => {
    sipTest(({ app, registerer, marbles }) => {
      const srf = app();
      srf.register$.subscribe(({ req, res }) =>
        req.has('authorization')
          ? res.send(200, { headers: { Contact: req.get('contact') ?? '', Expires: 3600 } })
          : res.send(401, { headers: { 'WWW-Authenticate': 'Digest realm="test", nonce="n1", qop="auth"' } }),
      );
      const carol = registerer('carol');
      marbles
        .expectObservable(carol.register('sip:10.0.0.2', { auth: { username: 'carol', password: 'pw' } }))
        .toBe('4ms (s|)', { s: 200 });
    });
  });

  it('Promise and callback forms in virtual time: createUAS resolves at once, the hang-up at 5 s is seen', async () => {
    const seen: string[] = [];
    const started = Date.now();
    await sipTestAsync(async ({ app, caller, scheduler }) => {
      const srf = app({ make: (options) => new DrachtioSrf(options) });
      srf.invite((req, res) => {
        void srf.createUAS(req, res, { localSdp: SDP }).then((dialog) => {
          seen.push(`${scheduler.now()} dialog`);
          dialog.ended$.subscribe((end) => seen.push(`${scheduler.now()} ${end.reason}`));
        });
      });
      const call = caller('alice').call('sip:app@10.0.0.2', { hangUpAfter: 5000 });
      await firstValueFrom(call.events$, { defaultValue: 'none' });
      await new Promise<void>((resolve) => call.events$.subscribe({ complete: resolve }));
    });
    expect(seen).toEqual(['1 dialog', '5003 normal-release']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a failing test prints the ladder with the first divergence marked', () => {
    let message = '';
    try {
      sipTest(({ app, caller, network }) => {
        app().invite$.subscribe(({ res }) => res.send(486));
        caller('alice').call('sip:app@10.0.0.2');
        void network;
      }).expectLadder(['alice->app INVITE', 'app->alice 200 OK']);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('>> 2  1 app->alice 486 Busy Here');
    expect(message).toContain('expected at line 2: app->alice 200 OK');
    expect(ladderDivergence(['0 a->b INVITE'], ['a->b INVITE'])).toBeUndefined();
  });
});
