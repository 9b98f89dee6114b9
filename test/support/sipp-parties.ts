// The parties of the tests against SIPp on 127.0.0.1 over UDP: rxsip in the test process, SIPp
// callers calling it and SIPp callees it calls (both, with rxsip in the middle, for the B2BUA and
// proxy tests), each SIPp on its own free port.
import { pino } from 'pino';
import type { Observable } from 'rxjs';
import { take } from 'rxjs';
import { afterEach, expect } from 'vitest';
import { Srf } from '../../src/drachtio.js';
import type { RequestEvent, SrfOptions } from '../../src/index.js';
import { freePort } from './ports.js';
import { runSipp, type SippResult, startSipp } from './sipp.js';
import { header, ladder, trace, type Wire } from './sipp-trace.js';

/** SIPp's own verdict on one run: no error logged, one call, successful. */
export function expectClean(result: SippResult): void {
  expect(result.errors, result.stdout).toBe('');
  expect(result.failed, result.stdout).toBe(0);
  expect(result.successful, result.stdout).toBe(1);
}

/** SIPp's verdict on each run (expectClean), then the trace of each, in the order given. */
export function cleanTraces(...results: SippResult[]): Wire[][] {
  for (const result of results) expectClean(result);
  return results.map(trace);
}

/**
 * The ladders of a call through rxsip that the callee answers after a 180 and the caller hangs
 * up, as the caller (A) and the callee (B) saw it: the same for a B2BUA and a proxy.
 */
export function expectCallerHangsUp(wireA: Wire[], wireB: Wire[]): void {
  expect(ladder(wireA)).toEqual([
    'sipp INVITE',
    'rxsip 180 INVITE',
    'rxsip 200 INVITE',
    'sipp ACK',
    'sipp BYE',
    'rxsip 200 BYE',
  ]);
  expect(ladder(wireB)).toEqual([
    'rxsip INVITE',
    'sipp 180 INVITE',
    'sipp 200 INVITE',
    'rxsip ACK',
    'rxsip BYE',
    'sipp 200 BYE',
  ]);
}

/** The ladders of the same call when the callee hangs up: A gets rxsip's BYE, B's BYE reaches rxsip. */
export function expectCalleeHangsUp(wireA: Wire[], wireB: Wire[]): void {
  expect(ladder(wireA)).toEqual([
    'sipp INVITE',
    'rxsip 180 INVITE',
    'rxsip 200 INVITE',
    'sipp ACK',
    'rxsip BYE',
    'sipp 200 BYE',
  ]);
  expect(ladder(wireB)).toEqual([
    'rxsip INVITE',
    'sipp 180 INVITE',
    'sipp 200 INVITE',
    'rxsip ACK',
    'sipp BYE',
    'rxsip 200 BYE',
  ]);
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

/** Handles the first `method` request rxsip receives, settling with what the handler returns. */
export function onRequest<T>(
  srf: Srf,
  method: string,
  handler: (event: RequestEvent) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stream = srf[`${method.toLowerCase()}$` as 'invite$'] as Observable<RequestEvent>;
    stream.pipe(take(1)).subscribe((event) => handler(event).then(resolve, reject));
  });
}

/** Handles the first INVITE rxsip receives, settling with what the handler returns. */
export function onInvite<T>(srf: Srf, handler: (call: RequestEvent) => Promise<T>): Promise<T> {
  return onRequest(srf, 'INVITE', handler);
}

/**
 * Sets up the parties of a test file's tests; everything a test started is stopped after it
 * (SIPp callees that never got their call are told to stop, rxsip is closed), and so is what a
 * test hands to `onCleanup`. `service` is the Request-URI user a caller dials by default.
 */
export function sippParties({ service: defaultService = 'bob' }: { service?: string } = {}) {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Runs `cleanup` after the test, before what was set up earlier is stopped. */
  function onCleanup(cleanup: () => unknown): void {
    cleanups.push(cleanup);
  }

  /** rxsip under test, listening on UDP and TCP on a free port. */
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
    service = defaultService,
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

  return { rxsip, callee, caller, onCleanup };
}
