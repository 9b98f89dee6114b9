// The README's runnable examples, run as written: each block marked `<!-- readme-test: name -->`
// is taken from README.md, its `'rxsip'` import pointed at src/, its ports at free ones, and run
// as a process of its own with tsx. SIPp then places the calls a user's first day brings: one
// cancelled before the answer, one refused, then one answered. The pipeline must survive the
// first two and answer the third.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.js';
import { runSipp, startSipp } from './support/sipp.js';
import { ladder, trace } from './support/sipp-trace.js';
import { until } from './support/until.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Under node_modules, so the example's own imports (rxjs) resolve as in a user's project.
const WORK = join(ROOT, 'node_modules', '.cache', 'rxsip-readme');

/** The code block that follows `<!-- readme-test: name -->` in README.md. */
function readmeBlock(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const marker = readme.indexOf(`<!-- readme-test: ${name} -->`);
  if (marker < 0) throw new Error(`README.md has no block marked readme-test: ${name}`);
  const open = readme.indexOf('```ts\n', marker);
  const close = readme.indexOf('\n```', open + 6);
  return readme.slice(open + 6, close + 1);
}

const running: ChildProcess[] = [];
const stops: Array<() => void> = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
  for (const stop of stops.splice(0)) stop();
});

/** Runs a README block with `replacements` applied; resolves once its stdout says it is up. */
function run(
  name: string,
  replacements: Array<[string, string]>,
): { output: () => string; exited: Promise<never> } {
  let code = readmeBlock(name).replaceAll(
    "from 'rxsip'",
    `from '${pathToFileURL(join(ROOT, 'src/index.ts')).href}'`,
  );
  for (const [from, to] of replacements) {
    if (!code.includes(from)) throw new Error(`README block ${name} no longer contains ${from}`);
    code = code.replaceAll(from, to);
  }
  mkdirSync(WORK, { recursive: true });
  // .mts: an ES module wherever it sits, as the README's top-level await needs.
  const file = join(WORK, `${name}.mts`);
  writeFileSync(file, code);
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`README example ${name} exited (${code}):\n${out}`))),
  );
  exited.catch(() => undefined);
  return { output: () => out, exited };
}

/** Resolves once something listens on UDP 127.0.0.1:port (read from the kernel's socket table). */
async function listening(app: { exited: Promise<never> }, port: number): Promise<void> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const up = until(
    `the README example listening on ${port}`,
    () => readFileSync('/proc/net/udp', 'utf8').includes(` ${local} `),
    Boolean,
    15_000,
  );
  await Promise.race([up, app.exited]);
}

/** One SIPp call to the example; fails at once if the example's process has died. */
async function call(app: { exited: Promise<never> }, scenario: string, port: number, service = 'rxsip') {
  const sipp = runSipp({
    scenario,
    target: `127.0.0.1:${port}`,
    service,
    calls: 1,
    localPort: await freePort(),
    timeoutSeconds: 15,
  });
  return Promise.race([sipp, app.exited]);
}

/** A SIPp callee for one call on `port`, once it listens. */
async function callee(scenario: string, port: number) {
  const sipp = startSipp({
    scenario,
    server: true,
    target: '',
    calls: 1,
    localPort: port,
    timeoutSeconds: 20,
  });
  stops.push(() => sipp.stop());
  await sipp.ready();
  return sipp;
}

describe('the README examples, run as written', () => {
  it('the call server survives a cancelled and a refused INVITE, then answers a call', async () => {
    const port = await freePort();
    const app = run('call-server', [['127.0.0.1:5080', `127.0.0.1:${port}`]]);
    await listening(app, port);
    const cancelled = await call(app, 'readme-cancelled-call', port);
    const refused = await call(app, 'readme-refused-call', port);
    const answered = await call(app, 'uas-caller-hangs-up', port);
    expect(ladder(trace(cancelled)).filter((l) => !l.startsWith('rxsip 100'))).toEqual([
      'sipp INVITE',
      'sipp CANCEL',
      'rxsip 200 CANCEL',
      'rxsip 487 INVITE',
      'sipp ACK',
    ]);
    expect(cancelled.successful, cancelled.errors).toBe(1);
    expect(ladder(trace(refused)).filter((l) => !l.startsWith('rxsip 100'))).toEqual([
      'sipp INVITE',
      'rxsip 400 INVITE',
      'sipp ACK',
    ]);
    expect(refused.successful, refused.errors).toBe(1);
    expect(ladder(trace(answered)).filter((l) => !l.startsWith('rxsip 100'))).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expect(answered.successful, answered.errors).toBe(1);
    // The dialog's ended$ ran: the application saw the answered call end, and only that one. Its
    // log line comes through a pipe, maybe after SIPp has exited.
    const ended = await until(
      'the call ended in the log',
      () => app.output().match(/ended normal-release/g),
      Boolean,
      5_000,
    );
    expect(ended).toHaveLength(1);
  });

  it('the B2BUA survives a caller who gives up, then bridges a call end to end', async () => {
    const port = await freePort();
    const calleePort = await freePort();
    const app = run('b2bua', [
      ['127.0.0.1:5070', `127.0.0.1:${port}`],
      ['127.0.0.1:5090', `127.0.0.1:${calleePort}`],
    ]);
    await listening(app, port);
    const ringing = await callee('b2bua-cancel-callee', calleePort);
    const gaveUp = await call(app, 'b2bua-cancel-caller', port, 'bob');
    const rang = await ringing.done;
    expect(gaveUp.successful, gaveUp.errors).toBe(1);
    expect(rang.successful, rang.errors).toBe(1);
    expect(ladder(trace(rang))).toContain('rxsip CANCEL');

    const answering = await callee('b2bua-callee-answers', calleePort);
    const bridged = await call(app, 'b2bua-caller-hangs-up', port, 'bob');
    const answered = await answering.done;
    expect(bridged.successful, bridged.errors).toBe(1);
    expect(answered.successful, answered.errors).toBe(1);
    // tieLegs: the caller's BYE reached the callee.
    expect(ladder(trace(answered))).toContain('rxsip BYE');
  });
});
