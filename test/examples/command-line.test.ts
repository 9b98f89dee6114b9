// The examples' shared flags, run as their command lines against real peers on 127.0.0.1:
// --listen tls: with --tls-cert/--tls-key answering openssl s_client, --tls-ca trusting a test CA
// for the TLS connection the b2bua opens (and the call failing without it), --user-agent and
// --server on the wire, and --max-duration/--session-expires against SIPp.
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { firstValueFrom, mergeMap, take } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RequestEvent, SipError, type SipResponse, Srf, uas$ } from '../../src/index.js';
import { parseMessage } from '../../src/sip.js';
import { type ExampleProcess, startExample } from '../support/example-process.js';
import { freePort } from '../support/ports.js';
import { runSipp } from '../support/sipp.js';
import { RXSIP_SDP } from '../support/sipp-sdp.js';
import { find, header, ladder, trace } from '../support/sipp-trace.js';
import { type TestAuthority, testAuthority } from '../support/test-ca.js';

let ca: TestAuthority;
const running: Array<{ stop(): void | Promise<void> }> = [];

beforeAll(() => {
  ca = testAuthority();
});
afterAll(() => ca.remove());
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

function example(name: string, args: string[]): ExampleProcess {
  const child = startExample(name, ['--log-level', 'info', ...args]);
  running.push(child);
  return child;
}

async function srf(listen: string[]): Promise<Srf> {
  const s = new Srf({ logger: pino({ level: 'silent' }) });
  await s.start({ listen, tls: { cert: ca.cert, key: ca.key } });
  running.push({ stop: () => s.close() });
  return s;
}

/** One SIP request written over TLS by openssl s_client, which checks the certificate against `caFile`. */
function overOpenssl(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca.caFile, '-verify_return_error', '-quiet'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no answer over TLS: ${err}`));
    }, 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\r\n\r\n')) {
        clearTimeout(timer);
        child.kill();
        resolve(out);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.write(request);
  });
}

function options(port: number): string {
  return [
    `OPTIONS sip:rxsip@127.0.0.1:${port};transport=tls SIP/2.0`,
    'Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKcli1',
    'Max-Forwards: 70',
    `To: <sip:rxsip@127.0.0.1:${port}>`,
    'From: <sip:probe@127.0.0.1>;tag=probe',
    'Call-ID: example-tls-1',
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('examples: TLS flags', () => {
  it('--listen tls: with --tls-cert and --tls-key answers a TLS client that verifies the certificate', async () => {
    const port = await freePort();
    const responder = example('responder', [
      '--listen',
      `tls:127.0.0.1:${port}`,
      '--tls-cert',
      ca.certFile,
      '--tls-key',
      ca.keyFile,
      '--server',
      'rxsip-responder/1.0',
    ]);
    await responder.listening([`tls 127.0.0.1:${port}`]);
    const response = parseMessage(await overOpenssl(port, options(port))) as SipResponse;
    expect(response.status).toBe(200);
    expect(response.callId).toBe('example-tls-1');
    expect(response.get('server')).toBe('rxsip-responder/1.0');
  });

  it('--listen tls: without a certificate, or a certificate file that is missing, is a clear error', async () => {
    const port = await freePort();
    const bare = startExample('responder', ['--listen', `tls:127.0.0.1:${port}`]);
    expect(await bare.code).toBe(1);
    expect(bare.output()).toContain(
      `responder: --listen tls:127.0.0.1:${port} needs --tls-cert and --tls-key`,
    );
    const missing = startExample('responder', [
      '--listen',
      `tls:127.0.0.1:${port}`,
      '--tls-cert',
      '/nonexistent/cert.pem',
      '--tls-key',
      ca.keyFile,
    ]);
    expect(await missing.code).toBe(1);
    expect(missing.output()).toContain('responder: --tls-cert: cannot read /nonexistent/cert.pem');
  });

  it('--tls-ca: the b2bua calls a TLS callee whose certificate the test CA signed; without it the call fails', async () => {
    const calleePort = await freePort();
    const callee = await srf([`tls:127.0.0.1:${calleePort}`]);
    const invites: RequestEvent[] = [];
    callee.invite$
      .pipe(
        mergeMap((call) => {
          invites.push(call);
          return uas$(call, { localSdp: RXSIP_SDP });
        }),
      )
      .subscribe((dialog) => setTimeout(() => dialog.end(), 200));
    const target = `sip:bob@127.0.0.1:${calleePort};transport=tls`;

    const trustedPort = await freePort();
    const trusted = example('b2bua', [
      '--listen',
      `udp:127.0.0.1:${trustedPort}`,
      '--target',
      target,
      '--tls-ca',
      ca.caFile,
      '--user-agent',
      'rxsip-b2bua/1.0',
    ]);
    const untrustedPort = await freePort();
    const untrusted = example('b2bua', ['--listen', `udp:127.0.0.1:${untrustedPort}`, '--target', target]);
    await trusted.listening([`udp 127.0.0.1:${trustedPort}`]);
    await untrusted.listening([`udp 127.0.0.1:${untrustedPort}`]);

    const caller = await srf([`udp:127.0.0.1:${await freePort()}`]);
    const dialog = await caller.call(`sip:bob@127.0.0.1:${trustedPort}`, { localSdp: RXSIP_SDP });
    await firstValueFrom(dialog.ended$.pipe(take(1)));
    expect(invites).toHaveLength(1);
    expect(invites[0]?.req.source.protocol).toBe('tls');
    expect(invites[0]?.req.get('user-agent')).toBe('rxsip-b2bua/1.0');

    // The same callee, a b2bua that does not trust its CA: the handshake fails, the caller gets 503.
    const refused = await caller.call(`sip:bob@127.0.0.1:${untrustedPort}`, { localSdp: RXSIP_SDP }).then(
      () => 0,
      (err: unknown) => (err instanceof SipError ? err.status : -1),
    );
    expect(refused).toBe(503);
    expect(invites).toHaveLength(1);
  });
});

describe('examples: --max-duration, --session-expires and identity against SIPp', () => {
  it('the UAS asks for a timer it refreshes itself, names itself, and hangs up at the maximum duration', async () => {
    const port = await freePort();
    const uas = example('uas', [
      '--listen',
      `127.0.0.1:${port}`,
      '--max-duration',
      '1',
      '--session-expires',
      '120',
      '--user-agent',
      'rxsip-uas/1.0',
      '--server',
      'rxsip-uas/1.0 (server)',
    ]);
    await uas.listening([`udp 127.0.0.1:${port}`]);
    const result = await runSipp({
      scenario: 'example-uas-max-duration',
      target: `127.0.0.1:${port}`,
      service: 'rxsip',
      calls: 1,
      localPort: await freePort(),
      timeoutSeconds: 15,
    });
    expect(result.code, result.stdout + result.errors).toBe(0);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const ok = find(wire, 'rxsip', '200 INVITE');
    expect(header(ok, 'server')).toBe('rxsip-uas/1.0 (server)');
    expect(header(ok, 'session-expires')).toBe('120;refresher=uas');
    expect(header(ok, 'require')).toBeUndefined();
    expect(header(find(wire, 'rxsip', 'BYE'), 'user-agent')).toBe('rxsip-uas/1.0');
    expect(uas.output()).toContain('maximum call duration reached: hanging up');
  });

  it('a --max-duration that is not a positive number is refused', async () => {
    const bad = startExample('uas', [
      '--listen',
      `127.0.0.1:${await freePort()}`,
      '--max-duration',
      'forever',
    ]);
    expect(await bad.code).toBe(1);
    expect(bad.output()).toContain(
      'uas: --max-duration: expected a positive number of seconds, got "forever"',
    );
  });
});
