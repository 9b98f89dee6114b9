// The package as a user gets it from the registry: `npm pack` (which builds first), installed
// into an empty project. A strict TypeScript consumer (nodenext) type-checks against its
// declarations through all four entry points; a plain JavaScript consumer answers a SIPp call;
// a CommonJS one require()s it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.js';
import { runSipp } from './support/sipp.js';
import { ladder, trace } from './support/sipp-trace.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
let project = '';
let files: string[] = [];

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'rxsip-consumer-'));
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', project], ROOT)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const tarball = packed[0]?.filename ?? '';
  files = packed[0]?.files.map((f) => f.path) ?? [];
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const types = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies['@types/node'];
  npm(
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      join(project, tarball),
      `@types/node@${types}`,
    ],
    project,
  );
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the built entry points with their declarations, and no sources or tests', () => {
    for (const entry of ['index', 'sip', 'testing', 'drachtio']) {
      expect(files).toContain(`dist/${entry}.js`);
      expect(files).toContain(`dist/${entry}.d.ts`);
    }
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
    const dialog = readFileSync(join(project, 'node_modules/rxsip/dist/dialogs/dialog-core.d.ts'), 'utf8');
    expect(dialog).not.toContain('@internal');
  });

  it('type-checks a strict TypeScript consumer of all four entry points (module nodenext)', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { mergeMap } from 'rxjs';
import { type Dialog, type DialogEnd, SipError, Srf, uas$ } from 'rxsip';
import { parseMessage, SipRequest, createResponse } from 'rxsip/sip';
import { sipTest } from 'rxsip/testing';
import { Srf as DrachtioSrf } from 'rxsip/drachtio';

const srf = new Srf();
srf.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: 'v=0' }))).subscribe((dialog: Dialog) => {
  dialog.ended$.subscribe((end: DialogEnd) => console.log(end.reason));
});
const msg = parseMessage('OPTIONS sip:a@b SIP/2.0\\r\\n\\r\\n');
if (msg instanceof SipRequest) createResponse(msg, 200);
const tag: string | undefined = msg.getParsedHeader('From')?.params.tag ?? undefined;
const error: SipError = new SipError(486);
const drachtio = new DrachtioSrf();
drachtio.invite((req, res) => void drachtio.createUAS(req, res, { localSdp: 'v=0' }));
sipTest(({ app }) => void app());
export { tag, error };
`,
    );
    let output = '';
    try {
      execFileSync(TSC, ['-p', project], {
        cwd: project,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output).toBe('');
  });

  it('runs a plain JavaScript consumer that answers a SIPp call', async () => {
    const port = await freePort();
    writeFileSync(
      join(project, 'answer.mjs'),
      `import { mergeMap } from 'rxjs';
import { Srf, uas$ } from 'rxsip';
const srf = new Srf();
await srf.start({ listen: ['127.0.0.1:${port}'] });
srf.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: 'v=0\\r\\no=js 1 1 IN IP4 127.0.0.1\\r\\ns=-\\r\\nc=IN IP4 127.0.0.1\\r\\nt=0 0\\r\\nm=audio 9 RTP/AVP 0\\r\\n' })))
  .subscribe((dialog) => dialog.ended$.subscribe(({ reason }) => { console.log('ended', reason); void srf.close(); }));
console.log('listening');
`,
    );
    const child = spawn(process.execPath, ['answer.mjs'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => out.includes('listening') && resolve());
        child.once('exit', (code) => reject(new Error(`the consumer exited (${code}): ${out}`)));
      });
      const result = await runSipp({
        scenario: 'uas-caller-hangs-up',
        target: `127.0.0.1:${port}`,
        service: 'rxsip',
        calls: 1,
        localPort: await freePort(),
        timeoutSeconds: 15,
      });
      expect(result.successful, result.errors).toBe(1);
      expect(ladder(trace(result)).filter((l) => !l.startsWith('rxsip 100'))).toEqual([
        'sipp INVITE',
        'rxsip 200 INVITE',
        'sipp ACK',
        'sipp BYE',
        'rxsip 200 BYE',
      ]);
      await new Promise((resolve) => child.once('exit', resolve));
      expect(out).toContain('ended normal-release');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('can be required from CommonJS on Node 20.19 and later', () => {
    mkdirSync(join(project, 'cjs'), { recursive: true });
    writeFileSync(join(project, 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs' }));
    writeFileSync(
      join(project, 'cjs', 'use.js'),
      "const { Srf, SipError } = require('rxsip'); const { parseUri } = require('rxsip/sip');\n" +
        "console.log(typeof Srf, new SipError(404).status, parseUri('sip:a@b').host);\n",
    );
    const out = execFileSync(process.execPath, [join(project, 'cjs', 'use.js')], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('function 404 b');
  });

  it("require('rxsip/drachtio') is drachtio-srf's Srf: a constructor with SipError and parseUri beside it", () => {
    mkdirSync(join(project, 'cjs'), { recursive: true });
    writeFileSync(join(project, 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs' }));
    writeFileSync(
      join(project, 'cjs', 'drachtio.js'),
      "const Srf = require('rxsip/drachtio');\n" +
        'const srf = new Srf();\n' +
        'const err = new Srf.SipError(486);\n' +
        "console.log(typeof srf.createUAC, typeof srf.invite, err instanceof Error, err.message, Srf.parseUri('<tel:+15551234>').number);\n",
    );
    const out = execFileSync(process.execPath, [join(project, 'cjs', 'drachtio.js')], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('function function true Sip non-success response: 486 +15551234');
  });
});
