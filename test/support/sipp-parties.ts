// Three parties on 127.0.0.1 over UDP for the B2BUA and proxy tests: a SIPp caller, rxsip in the
// test process in the middle, and one or more SIPp callees, each SIPp on its own free port.
import { pino } from 'pino';
import { afterEach, expect } from 'vitest';
import { Srf, type SrfOptions } from '../../src/index.js';
import { freePort } from './ports.js';
import { runSipp, type SippResult, startSipp } from './sipp.js';
import { header, type Wire } from './sipp-trace.js';

/** SIPp's own verdict on one run: no error logged, one call, successful. */
export function expectClean(result: SippResult): void {
  expect(result.errors, result.stdout).toBe('');
  expect(result.failed, result.stdout).toBe(0);
  expect(result.successful, result.stdout).toBe(1);
}

/** Every value of a header, comma-joined values split (`Via: a, b` and two Via lines alike). */
export function values(message: Wire | undefined, name: string): string[] {
  return (message?.headers.get(name.toLowerCase()) ?? []).flatMap((v) => v.split(/\s*,\s*/));
}

/** The sent-by of a Via value: `127.0.0.1:5060`. */
export function sentBy(via: string | undefined): string | undefined {
  return /^SIP\/2\.0\/\w+\s+([^;\s]+)/i.exec(via ?? '')?.[1];
}

/** The Call-ID of a message. */
export function callIdOf(message: Wire | undefined): string | undefined {
  return header(message, 'call-id');
}

/**
 * Sets up the parties of a test file's tests; everything a test started is stopped after it
 * (SIPp callees that never got their call are told to stop, rxsip is closed).
 */
export function sippParties() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** rxsip in the middle, listening on UDP and TCP on a free port. */
  async function rxsip(options: SrfOptions = {}): Promise<{ srf: Srf; port: number }> {
    const port = await freePort();
    const srf = new Srf({ logger: pino({ level: 'silent' }), ...options });
    await srf.start({ listen: [`127.0.0.1:${port}`] });
    cleanups.push(() => srf.close());
    return { srf, port };
  }

  /** A SIPp callee waiting for one call, reachable as `uri`; `done` resolves when it is over. */
  async function callee(scenario: string, keys?: Record<string, string>) {
    const port = await freePort();
    const sipp = startSipp({
      scenario,
      server: true,
      target: '',
      calls: 1,
      localPort: port,
      timeoutSeconds: 10,
      keys,
    });
    cleanups.push(() => {
      sipp.stop();
      return sipp.done;
    });
    await sipp.ready();
    return { port, uri: `sip:sipp@127.0.0.1:${port}`, address: `127.0.0.1:${port}`, done: sipp.done };
  }

  /** A SIPp caller placing one call to rxsip (Request-URI `sip:<service>@rxsip`). */
  async function caller(
    scenario: string,
    rxsipPort: number,
    service = 'bob',
  ): Promise<SippResult & { port: number }> {
    const port = await freePort();
    const result = await runSipp({
      scenario,
      target: `127.0.0.1:${rxsipPort}`,
      service,
      calls: 1,
      localPort: port,
      timeoutSeconds: 10,
    });
    return { ...result, port };
  }

  return { rxsip, callee, caller };
}
