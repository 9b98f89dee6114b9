// Event-loop lag from Node's own sampler (perf_hooks.monitorEventLoopDelay): a timer of
// `resolution` ms records the time between its runs in a histogram kept by Node; the lag is how
// much longer than `resolution` that was (an idle loop reads 0).
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** The quantiles of the delay reported on each scrape (1 is the maximum). */
export const LAG_QUANTILES = [0.5, 0.9, 0.99, 1] as const;

/** The event loop's delay since the previous read, by quantile, in seconds. */
export class EventLoopLag {
  private readonly histogram: IntervalHistogram;

  /** @param resolution - the sampling timer's period, ms */
  constructor(private readonly resolution: number) {
    this.histogram = monitorEventLoopDelay({ resolution });
    this.histogram.enable();
  }

  /**
   * The delay's quantiles since the previous read (then the histogram starts again).
   *
   * @returns seconds, one per `LAG_QUANTILES` entry; zeros before the first sample
   */
  read(): number[] {
    const h = this.histogram;
    const period = this.resolution * 1e6;
    const values = LAG_QUANTILES.map((q) => {
      if (h.count === 0) return 0;
      const ns = q === 1 ? h.max : h.percentile(q * 100);
      return Math.max(0, ns - period) / 1e9;
    });
    h.reset();
    return values;
  }

  /** Stops sampling. */
  stop(): void {
    this.histogram.disable();
  }
}
