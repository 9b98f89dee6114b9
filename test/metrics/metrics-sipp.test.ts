// The metrics a user scrapes, against a real caller: the UAS example run with --metrics on a
// free port, SIPp's built-in `uac` calling it at 5 calls/s (each call held 2 s), /metrics
// scraped during the run and after it. The counters move during the run, and at the end they
// match what SIPp reports: its calls, their 200s, their BYEs.
import { afterEach, describe, expect, it } from 'vitest';
import { type ExampleProcess, startExample } from '../support/example-process.js';
import { freePort } from '../support/ports.js';
import { startSipp } from '../support/sipp.js';
import { until } from '../support/until.js';
import { type Sample, sampleValue, scrape } from './exposition.js';

const running: ExampleProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.stop();
});

const CALLS = 15;

describe('metrics during a SIPp run (examples/uas --metrics)', () => {
  it('scraped mid-run the counters move; at the end calls, 200s and BYEs match SIPp', async () => {
    const sip = await freePort();
    const http = await freePort();
    const node = startExample('uas', [
      '--listen',
      `udp:127.0.0.1:${sip}`,
      '--metrics',
      `127.0.0.1:${http}`,
      '--log-level',
      'info',
    ]);
    running.push(node);
    await node.listening([`udp 127.0.0.1:${sip}`]);
    await until(
      'metrics listening',
      async () => node.output(),
      (out) => out.includes('metrics listening'),
    );

    const before = await scrape(http);
    expect(sampleValue(before, 'rxsip_calls_total', { direction: 'inbound' })).toBe(0);
    expect(sampleValue(before, 'rxsip_draining')).toBe(0);

    const sipp = startSipp({
      sn: 'uac',
      target: `127.0.0.1:${sip}`,
      calls: CALLS,
      rate: 5,
      extra: ['-d', '2000'],
      timeoutSeconds: 60,
    });
    const calls = (s: Sample[]) => sampleValue(s, 'rxsip_calls_total', { direction: 'inbound' }) ?? 0;
    // Mid-run: some calls made and up, not all.
    const mid = await until(
      'calls up',
      () => scrape(http),
      (s) => calls(s) >= 3 && calls(s) < CALLS,
    );
    expect(sampleValue(mid, 'rxsip_dialogs')).toBeGreaterThan(0);
    const later = await until(
      'more calls',
      () => scrape(http),
      (s) => calls(s) > calls(mid),
    );
    expect(
      sampleValue(later, 'rxsip_transactions_total', { side: 'server', method: 'INVITE' }),
    ).toBeGreaterThan(
      sampleValue(mid, 'rxsip_transactions_total', { side: 'server', method: 'INVITE' }) ?? 0,
    );
    expect(sampleValue(mid, 'rxsip_transactions', { side: 'server', method: 'INVITE' })).toBeGreaterThan(0);

    const result = await sipp.done;
    expect(result.failed, result.stdout).toBe(0);
    expect(result.successful).toBe(CALLS);
    const end = await until(
      'every call over',
      () => scrape(http),
      (s) => sampleValue(s, 'rxsip_dialogs') === 0,
    );
    // SIPp's calls, each answered by one 200 and ended by one BYE answered 200.
    expect(calls(end)).toBe(result.successful);
    expect(sampleValue(end, 'rxsip_calls_answered_total', { direction: 'inbound' })).toBe(result.successful);
    expect(sampleValue(end, 'rxsip_calls_ended_total', { reason: 'normal-release' })).toBe(result.successful);
    expect(sampleValue(end, 'rxsip_transactions_total', { side: 'server', method: 'INVITE' })).toBe(
      result.successful,
    );
    expect(sampleValue(end, 'rxsip_transactions_total', { side: 'server', method: 'non-INVITE' })).toBe(
      result.successful,
    );
    expect(sampleValue(end, 'rxsip_responses_sent_total', { class: '2xx' })).toBe(2 * result.successful);
    for (const cls of ['3xx', '4xx', '5xx', '6xx'])
      expect(sampleValue(end, 'rxsip_responses_sent_total', { class: cls })).toBe(0);
    expect(sampleValue(end, 'rxsip_responses_received_total', { class: '2xx' })).toBe(0);
    expect(sampleValue(end, 'rxsip_retransmissions_total', { message: 'response' })).toBeDefined();
    expect(sampleValue(end, 'rxsip_connections', { transport: 'tcp' })).toBe(0);
    expect(sampleValue(end, 'rxsip_event_loop_lag_seconds', { quantile: '0.99' })).toBeGreaterThanOrEqual(0);
    // Node's own process metrics are there too (prom-client's default metrics).
    expect(sampleValue(end, 'process_cpu_seconds_total')).toBeGreaterThan(0);

    // SIGTERM with nothing up: the drain is over at once and the process exits cleanly.
    node.stop();
    expect(await node.code).toBe(0);
    expect(node.output()).toContain('drained: stopping');
  }, 60_000);

  it('refuses a --metrics or --drain-timeout it cannot read, naming the flag', async () => {
    const metrics = startExample('uas', [
      '--listen',
      `udp:127.0.0.1:${await freePort()}`,
      '--metrics',
      'nine',
    ]);
    const drain = startExample('uas', [
      '--listen',
      `udp:127.0.0.1:${await freePort()}`,
      '--drain-timeout',
      'soon',
    ]);
    expect(await metrics.code).toBe(1);
    expect(metrics.output()).toContain('uas: --metrics: expected [host:]port, got "nine"');
    expect(await drain.code).toBe(1);
    expect(drain.output()).toContain('uas: --drain-timeout: expected seconds (0 or more), got "soon"');
  }, 30_000);
});
