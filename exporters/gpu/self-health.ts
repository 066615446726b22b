import { Counter, Gauge, type Registry } from 'prom-client';
import { VIGIL_METRICS } from './metric-catalog.js';
import type { FailureReason } from './types.js';

const REASONS: readonly FailureReason[] = ['timeout', 'error', 'invalid', 'driver', 'busy'];

/** The exporter's own health metrics, registered on an injected prom-client Registry. */
export class SelfHealth {
  private readonly success: Gauge;
  private readonly lastSuccess: Gauge;
  private readonly duration: Gauge;
  private readonly failures: Counter<'reason'>;
  private readonly dropped: Counter;
  private readonly modelFailures: Counter<'server' | 'reason'>;

  constructor(
    readonly registry: Registry,
    info: { version: string; source: string },
  ) {
    const g = (def: { name: string; help: string }) => new Gauge({ name: def.name, help: def.help, registers: [registry] });
    this.success = g(VIGIL_METRICS.collectSuccess);
    this.lastSuccess = g(VIGIL_METRICS.lastSuccess);
    this.duration = g(VIGIL_METRICS.collectDuration);
    this.failures = new Counter({
      name: VIGIL_METRICS.collectFailures.name,
      help: VIGIL_METRICS.collectFailures.help,
      labelNames: ['reason'],
      registers: [registry],
    });
    // Every reason starts at 0 so rate() and increase() see the first failure.
    for (const r of REASONS) this.failures.inc({ reason: r }, 0);
    this.dropped = new Counter({ name: VIGIL_METRICS.seriesDropped.name, help: VIGIL_METRICS.seriesDropped.help, registers: [registry] });
    this.modelFailures = new Counter({
      name: VIGIL_METRICS.modelScrapeFailures.name,
      help: VIGIL_METRICS.modelScrapeFailures.help,
      labelNames: ['server', 'reason'],
      registers: [registry],
    });
    const build = new Gauge({
      name: VIGIL_METRICS.buildInfo.name,
      help: VIGIL_METRICS.buildInfo.help,
      labelNames: ['version', 'source'],
      registers: [registry],
    });
    build.set(info, 1);
    this.success.set(0);
  }

  /** A collection finished well after `seconds`, at unix time `nowMs`. */
  collected(seconds: number, nowMs: number): void {
    this.success.set(1);
    this.duration.set(seconds);
    this.lastSuccess.set(nowMs / 1000);
  }

  /** A collection failed. */
  failed(reason: FailureReason, seconds: number): void {
    this.success.set(0);
    this.duration.set(seconds);
    this.failures.inc({ reason });
  }

  droppedSeries(n: number): void {
    if (n > 0) this.dropped.inc(n);
  }

  modelScrapeFailed(server: string, reason: string): void {
    this.modelFailures.inc({ server, reason });
  }
}
