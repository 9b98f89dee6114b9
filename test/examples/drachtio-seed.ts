// What the tests of examples/drachtio share: a network namespace holding the seed document's
// addresses (10.10.100.1, 10.10.100.2) and names (sip.example.com, sip.example1.com,
// sip.example2.com), an example app run there as a user runs it (tsx, from source), SIPp parties
// on the seed's addresses, and rtpengine. Everything a test starts is stopped after it.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createNetns, type Netns, type NetnsProcess, startIn } from '../support/netns.js';
import { type SippResult, startSipp } from '../support/sipp.js';
import { branchOf, header, trace, type Wire } from '../support/sipp-trace.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The SDP the examples offer and answer with (examples/drachtio/sdp.cjs). */
export const EXAMPLE_SDP = createRequire(import.meta.url)('../../examples/drachtio/sdp.cjs') as string;

/** Where the seed's examples listen (the `srf.start` line of each). */
export const APP = '127.0.0.1:5060';
/** The SIPp caller's port on 127.0.0.1. */
export const CALLER_PORT = 5070;

/** A generous wait: an example starts in seconds on a loaded machine (tsx compiles src/). */
export const SLOW = 60_000;

/**
 * Sets up a test file's namespace (created before its tests, removed after them, also when one
 * fails) and returns the parties, each stopped after the test that started it.
 */
export function seedWorld() {
  let netns: Netns | undefined;
  const cleanups: Array<() => unknown> = [];
  beforeAll(() => {
    netns = createNetns('seed', ['10.10.100.1', '10.10.100.2'], {
      'sip.example.com': '10.10.100.1',
      'sip.example1.com': '10.10.100.1',
      'sip.example2.com': '10.10.100.2',
    });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => netns?.remove());
  const ns = (): Netns => {
    if (!netns) throw new Error('seedWorld: the namespace is not up');
    return netns;
  };

  /** Starts examples/drachtio/<name>.cjs in the namespace, as `tsx` runs it. */
  function app(name: string): NetnsProcess {
    const run = startIn(ns(), process.execPath, ['--import', 'tsx', `examples/drachtio/${name}.cjs`], {
      cwd: ROOT,
    });
    cleanups.push(() => run.stop());
    return run;
  }

  /** An example app that answers calls: started, and listening on 127.0.0.1:5060. */
  async function listeningApp(name: string): Promise<NetnsProcess> {
    const run = app(name);
    await run.bound('127.0.0.1', 5060, SLOW);
    return run;
  }

  /** A SIPp callee on `address`:5060 waiting for one call; resolves once it listens. */
  async function callee(scenario: string, address: string): Promise<{ done: Promise<SippResult> }> {
    const sipp = startSipp({
      scenario,
      server: true,
      target: '',
      calls: 1,
      localAddress: address,
      localPort: 5060,
      netns: ns().name,
      timeoutSeconds: SLOW / 1000,
    });
    cleanups.push(() => {
      sipp.stop();
      return sipp.done;
    });
    await sipp.ready();
    return { done: sipp.done };
  }

  /** A SIPp caller on 127.0.0.1:5070 placing one call to the app, to `sip:<service>@127.0.0.1:5060`. */
  function caller(scenario: string, service = 'bob'): Promise<SippResult> {
    const sipp = startSipp({
      scenario,
      target: APP,
      service,
      calls: 1,
      localPort: CALLER_PORT,
      netns: ns().name,
      timeoutSeconds: 15,
    });
    // Stopped after the test if it is still calling (a test that failed first).
    cleanups.push(() => {
      sipp.stop();
      return sipp.done;
    });
    return sipp.done;
  }

  /** rtpengine in userspace mode, its ng control port on 127.0.0.1:22222, media on 30000-30100. */
  async function rtpengine(): Promise<NetnsProcess> {
    const run = startIn(ns(), 'rtpengine', [
      '--interface=127.0.0.1',
      '--listen-ng=127.0.0.1:22222',
      '--foreground',
      '--log-stderr',
      '--table=-1',
      '--port-min=30000',
      '--port-max=30100',
      '--config-file=none',
    ]);
    cleanups.push(() => run.stop());
    await run.bound('127.0.0.1', 22222);
    return run;
  }

  return { app, listeningApp, callee, caller, rtpengine };
}

/** The lines a process printed, trimmed, without empty ones. */
export function lines(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/**
 * A SIPp run's messages without retransmissions: a message sent again over UDP (the same start
 * line, CSeq, branch and To tag) is the same message (RFC 3261 §17.1.1.2 Timer A, §13.3.1.4).
 * A freshly started example on a loaded machine can take longer than T1 (500 ms) over its first
 * INVITE, and SIPp then sends it again; the call flow is the same.
 */
export function messages(result: SippResult): Wire[] {
  const seen = new Set<string>();
  return trace(result).filter((m) => {
    const key = [m.by, m.method ?? m.status, header(m, 'cseq'), branchOf(m), header(m, 'to')].join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
