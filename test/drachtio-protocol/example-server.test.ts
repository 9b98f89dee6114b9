// The drachtio-server example as its command line runs (`npm run example -- drachtio-server`),
// with a drachtio-srf app and rxsip's srf.connect attached, SIPp calling; then the process is
// killed mid-call and rxsip's call ends saying why.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { firstValueFrom, mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type DialogEnd, type DrachtioConnectionEvent, Srf, uas$ } from '../../src/index.js';
import { freePort } from '../support/ports.js';
import { expectClean } from '../support/sipp-parties.js';
import { ladder, trace } from '../support/sipp-trace.js';
import { APP_SDP, drachtioParties, eventually, SECRET } from './harness.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { app, caller, onCleanup } = drachtioParties();

/** The example's command line, until it says it is ready (or exits). */
async function commandLine(
  args: string[],
): Promise<{ child: ChildProcess; output: () => string; code: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'examples/run.ts'), 'drachtio-server', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const code = new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  onCleanup(() => child.kill('SIGKILL'));
  let exited = false;
  void code.then(() => (exited = true));
  await eventually(
    'the example ready or gone',
    () => exited || out.includes('drachtio server ready'),
    20_000,
  );
  return { child, output: () => out, code };
}

async function ports() {
  return { sip: await freePort(), admin: await freePort() };
}

describe('examples/drachtio-server', () => {
  it('a drachtio-srf app answers a SIPp call through the command line', async () => {
    const { sip, admin } = await ports();
    const server = await commandLine([
      '--listen',
      `127.0.0.1:${sip}`,
      '--admin',
      `127.0.0.1:${admin}`,
      '--secret',
      SECRET,
    ]);
    expect(server.output()).toContain(`"admin":{"host":"127.0.0.1","port":${admin}}`);
    const srf = await app(admin);
    srf.invite((req, res) => void srf.createUAS(req, res, { localSdp: APP_SDP }));
    const result = await caller('uas-caller-hangs-up', sip);
    expectClean(result);
    expect(ladder(trace(result))).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
  }, 40_000);

  it('killed mid-call: the rxsip app attached with srf.connect ends the call saying the server went away', async () => {
    const { sip, admin } = await ports();
    const server = await commandLine([
      '--listen',
      `127.0.0.1:${sip}`,
      '--admin',
      `127.0.0.1:${admin}`,
      '--secret',
      SECRET,
    ]);
    const srf = new Srf({ logger: pino({ level: 'silent' }) });
    onCleanup(() => srf.close());
    const events: DrachtioConnectionEvent[] = [];
    srf.connection$.subscribe((e) => events.push(e));
    await srf.connect({ host: '127.0.0.1', port: admin, secret: SECRET, reconnect: { maxAttempts: 0 } });
    const answered = firstValueFrom(srf.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: APP_SDP }))));
    const call = caller('uas-rxsip-hangs-up', sip);
    const dialog = await answered;
    const ended = firstValueFrom(dialog.ended$);
    await firstValueFrom(dialog.ack$);
    server.child.kill('SIGKILL');
    const end: DialogEnd = await ended;
    expect(end.initiator).toBe('remote');
    expect(end.reason).toMatch(/^drachtio-server connection lost: (closed by the peer|read ECONNRESET)$/);
    expect(srf.dialogCount).toBe(0);
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['connected', 'disconnected']);
    expect(ladder(trace(await call)).slice(0, 3)).toEqual(['sipp INVITE', 'rxsip 200 INVITE', 'sipp ACK']);
  }, 40_000);

  it('without --secret it exits saying so', async () => {
    const { sip, admin } = await ports();
    const server = await commandLine(['--listen', `127.0.0.1:${sip}`, '--admin', `127.0.0.1:${admin}`]);
    expect(await server.code).toBe(1);
    expect(server.output()).toContain('drachtio-server: --secret is required');
  }, 40_000);
});
