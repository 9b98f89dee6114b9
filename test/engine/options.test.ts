import { catchError, map, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type SipError, Srf, startEmbeddedEngine } from '../../src/index.js';
import { sipTest } from '../../src/testing.js';

describe('options a user can get wrong get an answer that names them', () => {
  it('an unknown engine option is refused, naming the key', async () => {
    await expect(
      startEmbeddedEngine({ listen: ['127.0.0.1:0'], tmers: { t1: 200 } } as never),
    ).rejects.toThrow('engine options: tmers: unknown option');
    await expect(
      startEmbeddedEngine({ listen: ['127.0.0.1:0'], limits: { maxConections: 5 } } as never),
    ).rejects.toThrow('engine options: limits.maxConections: unknown option');
  });

  it('a bad value names its field', async () => {
    await expect(startEmbeddedEngine({ listen: ['127.0.0.1:0'], timers: { t1: -1 } })).rejects.toThrow(
      /^engine options: timers\.t1: /,
    );
  });

  it('an unknown Srf option is refused, naming the key', () => {
    expect(() => new Srf({ tmers: { t1: 200 } } as never)).toThrow('srf options: tmers: unknown option');
    expect(() => new Srf({ timers: { t1: 0 } })).toThrow(/^srf options: timers\.t1: /);
  });

  it('a TLS certificate given as a file path is refused with a word about PEM', async () => {
    await expect(
      startEmbeddedEngine({
        listen: ['tls:127.0.0.1:0'],
        tls: { cert: '/etc/ssl/cert.pem', key: '/etc/ssl/key.pem' },
      }),
    ).rejects.toThrow(/tls\.cert: expected PEM text .*looks like a file path: pass readFileSync\(path\)/);
  });

  it('a library given no logger is quiet: warn', () => {
    expect(new Srf().log.level).toBe('warn');
  });

  it('a 503 the engine makes for want of a route says why and names the host', () => {
    sipTest(({ app, marbles }) => {
      const outcome = app()
        .call$('sip:bob@nowhere.example', { localSdp: 'v=0\r\n' })
        .pipe(
          map((p) => p.type),
          catchError((err: SipError) => of(`${err.status} ${err.message}`)),
        );
      marbles.expectObservable(outcome).toBe('(f|)', {
        f: '503 Sip non-success response: 503 (No Route To Destination (nowhere.example resolves to no address))',
      });
    });
  });
});
