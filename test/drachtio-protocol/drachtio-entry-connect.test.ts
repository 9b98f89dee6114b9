// rxsip/drachtio's Srf attached to a drachtio-server (rxsip's own, the real peer here): a
// drachtio-srf app's `srf.connect(opts, cb)` with its events, and createUAS through it against SIPp.
import { describe, expect, it } from 'vitest';
import { type Dialog, Srf } from '../../src/drachtio.js';
import { expectClean } from '../support/sipp-parties.js';
import { ladder, trace } from '../support/sipp-trace.js';
import { APP_SDP, drachtioParties, eventually, SECRET } from './harness.js';

const { server, caller, onCleanup } = drachtioParties();

function drachtioApp(tags?: string[]): Srf {
  const srf = new Srf(tags ?? []);
  onCleanup(() => srf.close());
  return srf;
}

describe("rxsip/drachtio's srf.connect", () => {
  it('connects with its tags, emits connect (err, hostports, version) to the callback, and answers a call with createUAS', async () => {
    const { sipPort, adminPort } = await server();
    const srf = drachtioApp(['rxsip-app']);
    const connects: Array<[Error | null, string]> = [];
    const destroyed: string[] = [];
    srf.invite((req, res) =>
      srf
        .createUAS(req, res, { localSdp: APP_SDP })
        .then((uas: Dialog) => uas.on('destroy', (_bye, reason) => destroyed.push(reason))),
    );
    await srf.connect({ host: '127.0.0.1', port: adminPort, secret: SECRET }, (err, hostport) =>
      connects.push([err, hostport]),
    );
    expect(connects).toEqual([[null, `udp/127.0.0.1:${sipPort},tcp/127.0.0.1:${sipPort}`]]);
    const result = await caller('uas-caller-hangs-up', sipPort);
    expectClean(result);
    expect(ladder(trace(result))).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    await eventually('the dialog ended', () => destroyed.length === 1);
    expect(destroyed).toEqual(['normal release']);
  });

  it('a wrong secret: connect is emitted with an error, the Promise does not reject, nothing crashes', async () => {
    const { adminPort } = await server();
    const srf = drachtioApp();
    const errors: string[] = [];
    srf.on('connect', (err) => errors.push(String(err?.message)));
    const result = await srf.connect({
      host: '127.0.0.1',
      port: adminPort,
      secret: 'wrong',
      reconnect: { maxAttempts: 0 },
    });
    expect(result).toBe(srf);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/secret|authenticat/i);
  });

  it('a server that goes away emits close with the reason; with no error listener nothing is thrown', async () => {
    const { adminPort, server: running } = await server();
    const srf = drachtioApp();
    const closes: string[] = [];
    srf.on('close', (_server, reason) => closes.push(reason));
    await srf.connect({ host: '127.0.0.1', port: adminPort, secret: SECRET, reconnect: { maxAttempts: 0 } });
    await running.close();
    await eventually('close emitted', () => closes.length > 0);
    expect(closes[0]).toBeTruthy();
  });
});
