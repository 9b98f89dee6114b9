// Outbound connections: a drachtio-srf app that listens (`srf.listen`) is dialled by rxsip's
// drachtio server for each new request no connected app routes; SIPp calls the server.
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { expectClean } from '../support/sipp-parties.js';
import { find, ladder, trace } from '../support/sipp-trace.js';
import {
  APP_SDP,
  disconnect,
  drachtioParties,
  eventually,
  newSrfApp,
  SECRET,
  type SrfApp,
} from './harness.js';

const { server, caller, onCleanup } = drachtioParties();

/** A drachtio-srf app listening on a free port for the server's connections. */
async function listeningApp(
  secret = SECRET,
): Promise<{ srf: SrfApp; port: number; connects: Array<Error | null> }> {
  const port = await freePort();
  const srf = newSrfApp();
  const connects: Array<Error | null> = [];
  srf.on('connect', (err: Error | null) => connects.push(err));
  srf.on('error', () => undefined);
  const listening = new Promise<void>((resolve) => srf.on('listening', () => resolve()));
  const tcp = srf.listen({ host: '127.0.0.1', port, secret }) as { close(cb?: () => void): void };
  onCleanup(() => new Promise<void>((resolve) => tcp.close(() => resolve())));
  await listening;
  return { srf, port, connects };
}

describe('rxsip dials a drachtio-srf app that listens', () => {
  it('a call reaches the listening app over a connection of its own; endSession closes it', async () => {
    const { srf, port, connects } = await listeningApp();
    const { sipPort, server: drachtio } = await server({
      admin: undefined,
      outbound: { host: '127.0.0.1', port },
    });
    const ended = new Promise<string>((resolve) => {
      srf.invite(async (req, res) => {
        const dialog = await srf.createUAS(req, res, { localSdp: APP_SDP });
        dialog.on('destroy', () => {
          srf.endSession(req);
          resolve('destroyed');
        });
      });
    });
    const result = await caller('uas-caller-hangs-up', sipPort);
    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expect(find(wire, 'rxsip', '200 INVITE').body).toBe(APP_SDP);
    expect(await ended).toBe('destroyed');
    expect(connects).toEqual([null]);
    await eventually('the connection closed', () => drachtio.connections === 0);
    disconnect(srf);
  });

  it('a listening app with another secret is refused: the caller gets 503', async () => {
    const { port, connects } = await listeningApp('not-the-secret');
    const { sipPort, logs } = await server({ admin: undefined, outbound: { host: '127.0.0.1', port } });
    const result = await caller('drachtio-no-app', sipPort);
    expectClean(result);
    expect(ladder(trace(result))).toEqual(['sipp INVITE', 'rxsip 503 INVITE', 'sipp ACK']);
    await eventually('the refusal', () => connects.length === 1);
    expect(connects[0]?.message).toBe('failed to authenticate to server');
    expect(logs.some((l) => l.msg === 'drachtio server: app sent a wrong secret')).toBe(true);
  });
});
