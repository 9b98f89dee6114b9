import { Counter, Gauge, type Registry, type RegistryContentType, register } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { EngineStats } from '../engine/engine.js';
import type { Srf } from '../srf/srf.js';
import { RESPONSE_CLASSES } from '../transaction/transaction-stats.js';
import type { Protocol } from '../transport/types.js';
import { CallCounters } from './call-counters.js';
import { EventLoopLag, LAG_QUANTILES } from './event-loop-lag.js';

/** Where {@link SrfMetrics} registers its metrics, and how it samples the event loop. */
export interface SrfMetricsOptions {
  /** The registry the metrics go in: prom-client's default `register` when omitted. */
  registry?: Registry<RegistryContentType>;
  /** The period of the event-loop lag sampler, ms (default 10). */
  eventLoopResolution?: number;
}

const STREAMS: readonly Protocol[] = ['tcp', 'tls', 'ws', 'wss'];

// The engine's figures are read once per scrape: the first metric a scrape collects
// (rxsip_transactions, registered first) takes a snapshot that the others share; a metric
// collected alone takes a new one when the last is older than this.
const SNAPSHOT_MS = 250;

/**
 * Prometheus metrics of an Srf (through prom-client), every name prefixed `rxsip_`: transactions
 * by side, method and state, dialogs, calls (attempts, answers, ends), responses sent and
 * received by class, retransmissions, connections by transport, event-loop lag, and whether it
 * is draining. Nothing is done per message for them: the stack increments plain counters where
 * things already happen, and the tables are counted on scrape. The README lists each metric.
 * Serve the registry with {@link startMetricsServer}, or with your own HTTP server.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { Srf, SrfMetrics, startMetricsServer } from 'rxsip';
 *
 * const srf = new Srf();
 * await srf.start({ listen: ['127.0.0.1:5060'] });
 * const registry = new Registry();
 * new SrfMetrics(srf, { registry });
 * await startMetricsServer({ port: 9464, registry }); // http://127.0.0.1:9464/metrics
 * ```
 */
export class SrfMetrics {
  /** The registry the metrics are in. */
  readonly registry: Registry<RegistryContentType>;
  private readonly calls = new CallCounters();
  private readonly lag: EventLoopLag;
  private readonly cdrs: Subscription;
  private readonly names: string[] = [];
  private snapshot: { at: number; stats: EngineStats | undefined } | undefined;

  /**
   * Registers the metrics and starts counting calls and sampling the event loop.
   *
   * @param srf - a started (or attached) Srf
   * @param options - the registry, the event-loop sampler's period
   */
  constructor(
    private readonly srf: Srf,
    options: SrfMetricsOptions = {},
  ) {
    this.registry = options.registry ?? register;
    if (this.registry.getSingleMetric('rxsip_dialogs'))
      throw new Error(
        'SrfMetrics: this registry already has rxsip metrics; give each Srf a registry of its own',
      );
    const resolution = options.eventLoopResolution ?? 10;
    if (!Number.isInteger(resolution) || resolution < 1)
      throw new TypeError(
        'SrfMetrics options: eventLoopResolution: expected a whole number of ms, at least 1',
      );
    this.cdrs = srf.cdr$.subscribe((event) => this.calls.count(event));
    this.lag = new EventLoopLag(resolution);
    this.define();
  }

  private stats(fresh = false): EngineStats | undefined {
    const now = Date.now();
    if (fresh || !this.snapshot || now - this.snapshot.at > SNAPSHOT_MS)
      this.snapshot = { at: now, stats: this.srf.engine.stats?.() };
    return this.snapshot.stats;
  }

  private gauge(name: string, help: string, labelNames: string[], collect: (g: Gauge) => void): void {
    this.names.push(name);
    void new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
  }

  private counter(name: string, help: string, labelNames: string[], collect: (c: Counter) => void): void {
    this.names.push(name);
    void new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
  }

  private define(): void {
    const calls = this.calls;
    this.gauge(
      'rxsip_transactions',
      'Live SIP transactions by side, method and state',
      ['side', 'method', 'state'],
      (g) => {
        for (const t of this.stats(true)?.transactions ?? [])
          g.set({ side: t.side, method: t.method, state: t.state }, t.count);
      },
    );
    this.counter(
      'rxsip_transactions_total',
      'SIP transactions created, by side and method',
      ['side', 'method'],
      (c) => {
        for (const t of this.stats()?.transactionsCreated ?? [])
          c.inc({ side: t.side, method: t.method }, t.count);
      },
    );
    this.gauge('rxsip_dialogs', 'Live SIP dialogs (INVITE and SUBSCRIBE, early ones included)', [], (g) =>
      g.set(this.srf.dialogCount),
    );
    this.counter(
      'rxsip_calls_total',
      'Call attempts: INVITEs received (inbound) or sent (outbound) outside a dialog',
      ['direction'],
      (c) => {
        c.inc({ direction: 'inbound' }, calls.attempts.inbound);
        c.inc({ direction: 'outbound' }, calls.attempts.outbound);
      },
    );
    this.counter(
      'rxsip_calls_answered_total',
      'Calls answered (a 2xx made the dialog), by direction',
      ['direction'],
      (c) => {
        c.inc({ direction: 'inbound' }, calls.answered.inbound);
        c.inc({ direction: 'outbound' }, calls.answered.outbound);
      },
    );
    this.counter(
      'rxsip_calls_ended_total',
      'Calls and call attempts that ended, by reason',
      ['reason'],
      (c) => {
        for (const [reason, count] of calls.ended) c.inc({ reason }, count);
      },
    );
    const responses = (key: 'responsesSent' | 'responsesReceived') => (c: Counter) => {
      const counts = this.stats()?.[key];
      if (counts) for (const cls of RESPONSE_CLASSES) c.inc({ class: cls }, counts[cls]);
    };
    this.counter(
      'rxsip_responses_sent_total',
      'SIP responses sent by class, retransmissions not included',
      ['class'],
      responses('responsesSent'),
    );
    this.counter(
      'rxsip_responses_received_total',
      'SIP responses received by class, retransmissions included',
      ['class'],
      responses('responsesReceived'),
    );
    this.counter(
      'rxsip_retransmissions_total',
      'SIP requests and responses sent again by the transactions',
      ['message'],
      (c) => {
        const r = this.stats()?.retransmissions;
        if (!r) return;
        c.inc({ message: 'request' }, r.requests);
        c.inc({ message: 'response' }, r.responses);
      },
    );
    this.gauge('rxsip_connections', 'Open connections by transport', ['transport'], (g) => {
      const counts = this.stats()?.connections;
      if (counts) for (const p of STREAMS) g.set({ transport: p }, counts[p] ?? 0);
    });
    this.gauge(
      'rxsip_event_loop_lag_seconds',
      'Event-loop lag since the previous scrape, by quantile',
      ['quantile'],
      (g) => {
        const values = this.lag.read();
        for (const [i, q] of LAG_QUANTILES.entries()) g.set({ quantile: String(q) }, values[i] ?? 0);
      },
    );
    this.gauge('rxsip_draining', '1 while the Srf drains (new calls and probes get 503), else 0', [], (g) =>
      g.set(this.srf.draining ? 1 : 0),
    );
  }

  /** Removes the metrics from the registry and stops counting and sampling. */
  close(): void {
    this.cdrs.unsubscribe();
    this.lag.stop();
    for (const name of this.names.splice(0)) this.registry.removeSingleMetric(name);
  }
}
