// What rxsip's drachtio server does with apps that misbehave: a wrong secret, frames it cannot
// read or that are too large, unknown message types, too many connections or requests, and
// options it cannot take. Peers: drachtio-srf (npm) and a bare TCP socket writing frames.
import { describe, expect, it } from 'vitest';
import { startDrachtioServer } from '../../src/drachtio-server/drachtio-server.js';
import { freePort } from '../support/ports.js';
import { expectClean } from '../support/sipp-parties.js';
import { ladder, trace } from '../support/sipp-trace.js';
import {
  APP_SDP,
  type DrachtioDialog,
  disconnect,
  drachtioParties,
  eventually,
  type LogLine,
  newSrfApp,
  rawPeer,
  SECRET,
} from './harness.js';

const { server, app, caller, onCleanup } = drachtioParties();

const closing = (logs: LogLine[]) =>
  logs.filter((l) => l.msg === 'drachtio: closing connection').map((l) => String(l.reason));

describe('rxsip drachtio server: bad input', () => {
  it('a drachtio-srf app with a wrong secret: the connect event errs, the server logs and closes', async () => {
    const { adminPort, logs, server: drachtio } = await server();
    const srf = newSrfApp();
    onCleanup(() => disconnect(srf));
    const closes: number[] = [];
    srf.on('close', () => closes.push(1));
    srf.on('error', () => undefined);
    const refused = new Promise<Error | null>((resolve) =>
      srf.on('connect', (err: Error | null) => resolve(err)),
    );
    void srf.connect({ host: '127.0.0.1', port: adminPort, secret: 'wrong', reconnect: { maxAttempts: 1 } });
    expect((await refused)?.message).toBe('failed to authenticate to server');
    await eventually('the close', () => closes.length > 0);
    expect(logs.some((l) => l.msg === 'drachtio server: app sent a wrong secret' && l.level === 40)).toBe(
      true,
    );
    expect(closing(logs)).toContain('incorrect secret');
    await eventually('no connection left', () => drachtio.connections === 0);
  });

  it('the reply to a wrong secret is NO|incorrect secret, then the connection closes', async () => {
    const { adminPort } = await server();
    const peer = await rawPeer(adminPort);
    const id = peer.send('authenticate', ['nope', '']);
    const reply = await peer.reply(id);
    expect(reply.args).toEqual([id, 'NO', 'incorrect secret']);
    await peer.closed;
  });

  it('an oversized frame drops the connection, logged, before its bytes arrive', async () => {
    const { adminPort, logs } = await server({ limits: { maxFrameBytes: 1000 } });
    const peer = await rawPeer(adminPort);
    peer.send('authenticate', [SECRET, '']);
    await eventually('the authentication', () => peer.messages.length === 1);
    peer.write('5000#');
    await peer.closed;
    expect(closing(logs)).toEqual(['oversized frame: frame of 5000 bytes is over the limit of 1000']);
  });

  it('malformed frames and messages drop the connection, logged', async () => {
    const { adminPort, logs } = await server();
    for (const bytes of ['hello#', '12x#abcdefghijkl', '5#hello']) {
      const peer = await rawPeer(adminPort);
      peer.write(bytes);
      await peer.closed;
    }
    expect(closing(logs)).toEqual([
      'malformed frame: frame length is not a decimal number: "hello#"',
      'malformed frame: frame length is not a decimal number: "12x#abcdefghijkl"',
      'malformed message: message without a type: "hello"',
    ]);
    expect(logs.filter((l) => l.msg === 'drachtio: closing connection').every((l) => l.level === 40)).toBe(
      true,
    );
  });

  it('unknown message types are logged and ignored; the connection goes on', async () => {
    const { adminPort, logs } = await server();
    const peer = await rawPeer(adminPort);
    await peer.reply(peer.send('authenticate', [SECRET, 'tag1,tag2']));
    peer.send('frobnicate', ['x']);
    const pong = await peer.reply(peer.send('ping', []));
    expect(pong.args.slice(1)).toEqual(['OK', 'pong']);
    expect(logs.find((l) => l.msg === 'drachtio server: unknown message type ignored')).toMatchObject({
      level: 40,
      type: 'frobnicate',
    });
    const bad = await peer.reply(peer.send('sip', ['', ''], 'this is not SIP'));
    expect(bad.args.slice(1, 2)).toEqual(['NOK']);
    expect(bad.args[2]).toMatch(/^malformed SIP message/);
    const unknown = await peer.reply(
      peer.send('sip', ['', 'no-such-dialog'], 'BYE sip:placeholder SIP/2.0\r\n\r\n'),
    );
    expect(unknown.args.slice(1)).toEqual(['NOK', 'unable to find dialog no-such-dialog']);
  });

  it('a message before authenticate, or no authenticate in time: refused and closed', async () => {
    const { adminPort, logs } = await server({ limits: { authTimeoutMs: 200 } });
    const early = await rawPeer(adminPort);
    const reply = await early.reply(early.send('route', ['invite']));
    expect(reply.args.slice(1)).toEqual(['NO', 'authenticate first']);
    await early.closed;
    const silent = await rawPeer(adminPort);
    await silent.closed;
    expect(closing(logs)).toEqual(['"route" before authenticate', 'no authenticate within 200 ms']);
  });

  it('connections beyond maxConnections are refused', async () => {
    const { adminPort, logs, server: drachtio } = await server({ limits: { maxConnections: 1 } });
    await app(adminPort);
    const second = await rawPeer(adminPort);
    await second.closed;
    expect(drachtio.connections).toBe(1);
    expect(logs.some((l) => l.msg === 'drachtio server: connection refused: maxConnections reached')).toBe(
      true,
    );
  });

  it('requests beyond maxPendingRequests get NOK naming the limit', async () => {
    const { adminPort } = await server({ limits: { maxPendingRequests: 1 } });
    const nobody = await freePort();
    const peer = await rawPeer(adminPort);
    await peer.reply(peer.send('authenticate', [SECRET, '']));
    const options = `OPTIONS sip:nobody@127.0.0.1:${nobody} SIP/2.0\r\nContent-Length: 0\r\n\r\n`;
    const first = await peer.reply(peer.send('sip', ['', ''], options));
    expect(first.args[1]).toBe('OK');
    // The first OPTIONS waits for an answer that never comes (RFC 3261 Timer F): the second is refused.
    const second = await peer.reply(peer.send('sip', ['', ''], options));
    expect(second.args.slice(1)).toEqual(['NOK', 'too many requests in progress (maxPendingRequests)']);
  });

  it('beyond maxDialogs a new call gets 503; the calls up go on', async () => {
    const { sipPort, adminPort, server: drachtio } = await server({ limits: { maxDialogs: 1 } });
    const srf = await app(adminPort);
    const up = new Promise<DrachtioDialog>((resolve) => {
      srf.invite((req, res) => void srf.createUAS(req, res, { localSdp: APP_SDP }).then(resolve));
    });
    const first = caller('uas-rxsip-hangs-up', sipPort);
    const dialog = await up;
    expect(drachtio.dialogCount).toBe(1);
    const refused = await caller('drachtio-no-app', sipPort);
    expectClean(refused);
    expect(ladder(trace(refused))).toEqual(['sipp INVITE', 'rxsip 503 INVITE', 'sipp ACK']);
    await dialog.destroy();
    expectClean(await first);
  });

  it('bad options: a TypeError naming the field', async () => {
    const sip = { listen: ['127.0.0.1:0'] };
    await expect(
      startDrachtioServer({ sip, secret: SECRET, admin: {}, limits: { maxConections: 1 } as never }),
    ).rejects.toThrow('drachtio server options: limits.maxConections: unknown option');
    await expect(startDrachtioServer({ sip, secret: 'a|b', admin: {} })).rejects.toThrow(
      'drachtio server options: secret: may not contain |, CR or LF',
    );
    await expect(startDrachtioServer({ secret: SECRET, admin: {} })).rejects.toThrow(
      'drachtio server options: sip: give either sip (listening points) or engine, not both',
    );
    await expect(startDrachtioServer({ sip, secret: SECRET })).rejects.toThrow(
      'drachtio server options: admin: give admin (apps connect) or outbound (apps are dialled), or both',
    );
    await expect(startDrachtioServer({ sip, secret: SECRET, admin: { port: 70000 } })).rejects.toThrow(
      /^drachtio server options: admin\.port: /,
    );
  });
});
