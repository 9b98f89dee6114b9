// baresip (Debian package baresip), a real softphone, registers to the registrar example with
// digest through its outbound proxy setting, and is called by SIPp through the registrar: it
// answers on its own (answermode=auto). It runs headless: no audio device, aubridge as its audio
// source and player, a config written to a temporary directory (-f).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExampleProcess, startExample } from '../support/example-process.js';
import { freePort } from '../support/ports.js';
import { runSipp } from '../support/sipp.js';
import { expectClean } from '../support/sipp-parties.js';
import { find, header, ladder, trace } from '../support/sipp-trace.js';

const DOMAIN = 'example.test';
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function requireBaresip(): void {
  if (spawnSync('sh', ['-c', 'command -v baresip'], { stdio: 'ignore' }).status !== 0)
    throw new Error(
      'baresip is not installed: run `npm test` (it installs it when root) or `apt-get install -y baresip`',
    );
}

/** baresip with a config of its own: alice@example.test through the registrar at `registrarPort`. */
function startBaresip(sipPort: number, rtpPort: number, registrarPort: number) {
  requireBaresip();
  const dir = mkdtempSync(join(tmpdir(), 'rxsip-baresip-'));
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${sipPort}`,
      'sip_trans_def udp',
      // No sound card: aubridge is both source and player, so a call's audio has somewhere to go.
      'audio_player aubridge,nil',
      'audio_source aubridge,nil',
      'audio_alert aubridge,nil',
      `rtp_ports ${rtpPort}-${rtpPort + 9}`,
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aubridge.so',
      'module_app account.so',
      'module_app menu.so',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'accounts'),
    `<sip:alice@${DOMAIN}>;auth_pass=secret-a;outbound="sip:127.0.0.1:${registrarPort}";regint=600;answermode=auto;audio_codecs=PCMU\n`,
  );
  const child: ChildProcess = spawn('baresip', ['-f', dir, '-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  cleanups.push(() => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 15_000;
    while (!out.includes(text)) {
      if (child.exitCode !== null) throw new Error(`baresip exited (${child.exitCode}):\n${out}`);
      if (Date.now() > deadline) throw new Error(`baresip never printed "${text}":\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { output: () => out, waitFor };
}

describe('examples/registrar with baresip', () => {
  it('baresip registers through a 401, and a SIPp call to alice@example.test reaches it and is answered', async () => {
    const [registrarPort, sipPort, rtpPort] = [await freePort(), await freePort(), await freePort()];
    const registrar: ExampleProcess = startExample('registrar', [
      '--listen',
      `127.0.0.1:${registrarPort}`,
      '--domain',
      DOMAIN,
      '--users',
      'alice:secret-a',
      // baresip 1.0 answers only the first challenge, and knows only MD5 ("Register: Function
      // not implemented" when SHA-512-256 comes first, the library's default order).
      '--algorithms',
      'MD5',
    ]);
    cleanups.push(() => registrar.stop());
    await registrar.listening([`udp 127.0.0.1:${registrarPort}`]);
    const baresip = startBaresip(sipPort, rtpPort, registrarPort);
    await baresip.waitFor(`alice@${DOMAIN}: {0/UDP/v4} 200 OK () [1 binding]`);
    // baresip answered the challenge.
    expect(baresip.output()).toMatch(
      /SIP\/2\.0 401 Unauthorized[\s\S]*Authorization: Digest username="alice"/,
    );
    const caller = await runSipp({
      scenario: 'registrar-call',
      target: `127.0.0.1:${registrarPort}`,
      service: 'alice',
      calls: 1,
      localPort: await freePort(),
      keys: { domain: DOMAIN },
      timeoutSeconds: 15,
    });
    expectClean(caller);
    const wire = trace(caller);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 180 INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    // The 200 is baresip's: its Contact, its SDP.
    const ok = find(wire, 'rxsip', '200 INVITE');
    expect(header(ok, 'contact')).toMatch(new RegExp(`^<sip:alice-[^@]+@127\\.0\\.0\\.1:${sipPort}>`));
    await baresip.waitFor('call: answering call on line 1');
    await baresip.waitFor('BYE sip:alice-');
  });
});
