import { PrometheusApi, PrometheusQueryError, PrometheusUnavailableError, type RangeSeries } from '../live/prometheus-api.js';

export type { RangeSeries };

/**
 * The Prometheus HTTP query API a backfill reads (the source, or the scratch Prometheus of a later
 * level), in milliseconds, over the runtime client every live reader uses (`PrometheusApi`). Any
 * failure, a refused query included, is a `PrometheusUnavailableError`: a backfill cannot go on
 * without the answer.
 */
export class SourcePrometheus {
  private readonly api: PrometheusApi;

  constructor(
    private readonly url: string,
    timeoutMs = 30_000,
  ) {
    this.api = new PrometheusApi({ url, timeoutMs });
  }

  /** Throws PrometheusUnavailableError unless the URL answers a PromQL query. */
  async probe(): Promise<void> {
    await this.ask(() => this.api.query('vector(1)', Date.now() / 1000));
  }

  /**
   * The earliest sample (ms) of `selector` in [startMs, endMs], to within one step of a range
   * query of at most 10 000 steps (never coarser than the lookback would hide); undefined if none.
   */
  async earliestSample(selector: string, startMs: number, endMs: number): Promise<number | undefined> {
    const stepS = Math.max(60, Math.ceil((endMs - startMs) / 1000 / 10_000));
    const result = await this.ask(() => this.api.queryRange(`min(timestamp(${selector}))`, startMs / 1000, endMs / 1000, stepS));
    let earliest: number | undefined;
    for (const s of result) for (const [, v] of s.values) earliest = Math.min(earliest ?? Infinity, Number(v) * 1000);
    return earliest;
  }

  /** A range query over [startMs, endMs] at `stepMs` (whole seconds). */
  queryRange(expr: string, startMs: number, endMs: number, stepMs: number): Promise<RangeSeries[]> {
    return this.ask(() => this.api.queryRange(expr, startMs / 1000, endMs / 1000, stepMs / 1000));
  }

  private async ask<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      if (err instanceof PrometheusQueryError) throw new PrometheusUnavailableError(`Prometheus at ${this.url} refused a query: bad_data: ${err.message}`);
      throw err;
    }
  }
}
