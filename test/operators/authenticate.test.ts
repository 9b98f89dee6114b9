// The authenticate operator and the middleware on the wire of the virtual network: 401 for
// REGISTER, 407 for INVITE, a replayed Authorization challenged again, a stale nonce answered
// once more by rxsip's own client, a failing lookup answered 500.
import { delayWhen, filter, mergeMap, of, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Srf as DrachtioSrf } from '../../src/drachtio.js';
import { authenticate, DigestAuthenticator, type DigestAuthOptions, uas$ } from '../../src/index.js';
import { type SipTestKit, sipTest } from '../../src/testing.js';

const USERS: Record<string, string> = { carol: 'pw-carol', alice: 'pw-alice' };
const SDP =
  'v=0\r\no=app 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

function options(kit: SipTestKit, extra: Partial<DigestAuthOptions> = {}): DigestAuthOptions {
  return { realm: 'example.com', users: (name) => USERS[name], scheduler: kit.scheduler, ...extra };
}

/** The text of every packet the network carried that starts with `start`. */
function packets(kit: SipTestKit, start: string): string[] {
  return kit.network.packets.map((p) => p.data.toString()).filter((t) => t.startsWith(start));
}

describe('authenticate', () => {
  it('a REGISTER is challenged 401, answered, and passed on with the user', () => {
    const users: string[] = [];
    const kit = sipTest((kit) => {
      kit
        .app()
        .register$.pipe(authenticate(options(kit)))
        .subscribe(({ res, auth }) => {
          users.push(`${auth.username}@${auth.realm} ${auth.algorithm}`);
          res.send(200);
        });
      kit.marbles
        .expectObservable(
          kit
            .registerer('carol')
            .register('sip:10.0.0.2', { auth: { username: 'carol', password: 'pw-carol' } }),
        )
        .toBe('4ms (s|)', { s: 200 });
    });
    kit.expectLadder([
      'carol->app REGISTER',
      'app->carol 401 Unauthorized',
      'carol->app REGISTER',
      'app->carol 200 OK',
    ]);
    // rxsip's client took the strongest of the three challenges (RFC 8760 §2.4).
    expect(users).toEqual(['carol@example.com SHA-512-256']);
    expect(packets(kit, 'SIP/2.0 401')[0]?.match(/WWW-Authenticate: Digest/g)).toHaveLength(3);
  });

  it('a wrong password, no credentials, and a replayed Authorization under new Call-IDs are challenged again', () => {
    const passed: string[] = [];
    const kit = sipTest((kit) => {
      kit
        .app()
        .register$.pipe(authenticate(options(kit)))
        .subscribe(({ req, res }) => {
          passed.push(req.callId);
          res.send(200);
        });
      const carol = kit.registerer('carol');
      const mallory = kit.registerer('mallory');
      const statuses: Record<string, number> = {};
      carol.register('sip:10.0.0.2', { auth: { username: 'carol', password: 'pw-carol' } }).subscribe();
      mallory
        .register('sip:10.0.0.2', { auth: { username: 'carol', password: 'guess' } })
        .subscribe((s) => (statuses.guess = s));
      mallory.register('sip:10.0.0.2').subscribe((s) => (statuses.none = s));
      kit.at(100, () => {
        // Carol's Authorization, as an eavesdropper saw it, sent again from elsewhere.
        const sent = packets(kit, 'REGISTER').find((t) => /Authorization: .*username="carol"/.test(t)) ?? '';
        const authorization = /\r\nAuthorization: (.*)\r\n/.exec(sent)?.[1] ?? '';
        expect(authorization).toContain('response=');
        for (const callId of ['replay-1', 'replay-2']) {
          mallory.srf
            .send$('sip:10.0.0.2', {
              method: 'REGISTER',
              headers: {
                'Call-ID': callId,
                From: '<sip:carol@10.0.0.2>',
                To: '<sip:carol@10.0.0.2>',
                Contact: '<sip:mallory@203.0.113.66>',
                Authorization: authorization,
              },
            })
            .pipe(filter((r) => r.status >= 200))
            .subscribe((r) => (statuses[callId] = r.status));
        }
      });
      kit.at(1000, () =>
        expect(statuses).toEqual({ guess: 401, none: 401, 'replay-1': 401, 'replay-2': 401 }),
      );
    });
    expect(passed).toHaveLength(1);
    expect(kit.ladder().filter((l) => l.includes('200 OK'))).toHaveLength(1);
  });

  it('an INVITE is challenged 407 with Proxy-Authenticate, and the call goes on once answered', () => {
    const kit = sipTest((kit) => {
      kit
        .app()
        .invite$.pipe(
          authenticate(options(kit, { algorithms: ['SHA-256', 'MD5'] })),
          mergeMap((call) => uas$(call, { localSdp: SDP })),
        )
        .subscribe();
      const call = kit
        .caller('alice')
        .call('sip:app@10.0.0.2', { auth: { username: 'alice', password: 'pw-alice' }, hangUpAfter: 1000 });
      kit.marbles.expectObservable(call.events$).toBe('4ms a 999ms (h|)', { a: 'answered', h: 'hung up' });
    });
    kit.expectLadder([
      'alice->app INVITE',
      'app->alice 407 Proxy Authentication Required',
      'alice->app ACK',
      'alice->app INVITE',
      'app->alice 200 OK',
      'alice->app ACK',
      'alice->app BYE',
      'app->alice 200 OK',
    ]);
    const retry = packets(kit, 'INVITE')[1] ?? '';
    expect(retry).toMatch(
      /Proxy-Authorization: Digest username="alice", realm="example.com".*algorithm=SHA-256/,
    );
    expect(retry).toMatch(/CSeq: 2 INVITE/);
  });

  it('an expired nonce gets stale=true, and rxsip answers it once more with the new nonce (RFC 7616 §3.3)', () => {
    const kit = sipTest((kit) => {
      kit
        .app()
        .register$.pipe(
          // The credentialed REGISTER waits 2 s here, past the nonce's 1 s life, the first time.
          delayWhen(({ req }, i) => (req.has('authorization') && i === 1 ? timer(2000) : of(0))),
          authenticate(options(kit, { nonceLifetime: 1 })),
        )
        .subscribe(({ res }) => res.send(200));
      kit.marbles
        .expectObservable(
          kit
            .registerer('carol')
            .register('sip:10.0.0.2', { auth: { username: 'carol', password: 'pw-carol' } }),
        )
        .toBe('2006ms (s|)', { s: 200 });
    });
    const challenges = packets(kit, 'SIP/2.0 401');
    expect(challenges).toHaveLength(2);
    expect(challenges[0]).not.toContain('stale=true');
    expect(challenges[1]).toContain('stale=true');
    const registers = packets(kit, 'REGISTER').filter((t, i, all) => all.indexOf(t) === i);
    expect(registers.map((r) => /CSeq: (\d+)/.exec(r)?.[1])).toEqual(['1', '2', '3']);
    const nonce = (text: string | undefined) => /nonce="([^"]+)"/.exec(text ?? '')?.[1];
    expect(nonce(registers[2])).toBe(nonce(challenges[1]));
    expect(nonce(registers[2])).not.toBe(nonce(registers[1]));
  });

  it('a second stale challenge is final: rxsip answers stale only once', () => {
    const kit = sipTest((kit) => {
      kit
        .app()
        .register$.pipe(
          delayWhen(({ req }) => (req.has('authorization') ? timer(2000) : of(0))),
          authenticate(options(kit, { nonceLifetime: 1 })),
        )
        .subscribe(({ res }) => res.send(200));
      const status = kit
        .registerer('carol')
        .register('sip:10.0.0.2', { auth: { username: 'carol', password: 'pw-carol' } });
      kit.marbles.expectObservable(status).toBe('4006ms (s|)', { s: 401 });
    });
    const unique = (start: string) => [...new Set(packets(kit, start))];
    expect(unique('REGISTER')).toHaveLength(3);
    expect(unique('SIP/2.0 401').filter((t) => t.includes('stale=true'))).toHaveLength(2);
  });

  it('a lookup that fails is answered 500, and the stream takes the next request', () => {
    const kit = sipTest((kit) => {
      let calls = 0;
      kit
        .app()
        .register$.pipe(
          authenticate(
            options(kit, {
              users: (name) => {
                if (++calls === 1) throw new Error('database down');
                return USERS[name];
              },
            }),
          ),
        )
        .subscribe(({ res }) => res.send(200));
      const carol = kit.registerer('carol');
      const creds = { auth: { username: 'carol', password: 'pw-carol' } };
      kit.marbles.expectObservable(carol.register('sip:10.0.0.2', creds)).toBe('4ms (s|)', { s: 500 });
      kit.at(10, () => carol.register('sip:10.0.0.2', creds).subscribe((s) => expect(s).toBe(200)));
    });
    expect(kit.ladder().map((l) => l.replace(/^\S+ /, ''))).toContain('app->carol 200 OK');
  });

  it('as drachtio-style middleware: srf.use("register", auth.middleware())', () => {
    const seen: Array<string | undefined> = [];
    sipTest((kit) => {
      const srf = kit.app({ make: (o) => new DrachtioSrf(o) });
      srf.use('register', new DigestAuthenticator(options(kit)).middleware());
      srf.register((req, res) => {
        seen.push(req.authorization?.username);
        res.send(200);
      });
      const carol = kit.registerer('carol');
      kit.marbles
        .expectObservable(
          carol.register('sip:10.0.0.2', { auth: { username: 'carol', password: 'pw-carol' } }),
        )
        .toBe('4ms (s|)', { s: 200 });
      kit.marbles
        .expectObservable(
          kit.registerer('dave').register('sip:10.0.0.2', { auth: { username: 'dave', password: 'x' } }),
        )
        .toBe('4ms (s|)', { s: 401 });
    });
    expect(seen).toEqual(['carol']);
  });
});
