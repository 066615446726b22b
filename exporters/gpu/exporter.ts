import { gzipSync } from 'node:zlib';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { GPU_COLLECTORS } from './collectors/index.js';
import { collectModels, type ModelStatus } from './collectors/models.js';
import { renderFamilies, type MetricFamily } from './exposition.js';
import { DRIVER_VERSION_LABEL } from './metric-catalog.js';
import { DEFAULT_LIMITS, sanitizeSnapshot, type SeriesLimits } from './sanitize-snapshot.js';
import { SelfHealth } from './self-health.js';
import { SourceError, type FailureReason, type GpuSnapshot, type GpuSource } from './types.js';
import { XidTracker, type GpuIdentity } from './xid-tracker.js';

/** A rendered exposition, shared by every scrape until the next sample. */
export interface Exposition {
  readonly body: Buffer;
  /** The same body gzip-compressed, for scrapers that accept it. */
  readonly gzip: Buffer;
  /** Series in the body. */
  readonly series: number;
}

/** How one sampling cycle went. */
export interface SampleResult {
  /** The GPU collection succeeded (what vigil_exporter_collect_success reports). */
  readonly collected: boolean;
  readonly reason?: FailureReason;
}

/** Where model-queue results come from (the model scraper). */
export interface ModelStatusSource {
  statuses(): readonly ModelStatus[];
}

export interface ExporterOptions {
  readonly source: GpuSource;
  /** Sampling interval, ms (default 5000). */
  readonly intervalMs?: number;
  /** Longest one collection may take, ms (default min(interval, 10000)). */
  readonly collectTimeoutMs?: number;
  /** `Hostname` label value. */
  readonly hostname: string;
  readonly logger: Logger;
  /** Registry for the self-health metrics; never the global one. */
  readonly registry: Registry;
  readonly version?: string;
  readonly limits?: SeriesLimits;
  /** Total series cap across the exposition (default 20000). */
  readonly maxSeries?: number;
  /** dcgm-exporter's DCGM_FI_DRIVER_VERSION label on every GPU series (default true). */
  readonly driverVersionLabel?: boolean;
  readonly now?: () => number;
}

/**
 * GpuExporter samples the source in the background and keeps one rendered exposition (plain and
 * gzip) of the last sample; scrapes only read it. A source that throws, hangs or returns garbage
 * leaves the exporter serving, with the failure counted in the self-health metrics.
 */
export class GpuExporter {
  readonly intervalMs: number;
  readonly collectTimeoutMs: number;
  private readonly health: SelfHealth;
  private readonly xid = new XidTracker();
  private readonly identities = new Map<number, GpuIdentity>();
  private readonly now: () => number;
  private snapshot: GpuSnapshot | undefined;
  private pending: Promise<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private rendered: Exposition = { body: Buffer.alloc(0), gzip: gzipSync(''), series: 0 };
  private renderQueued: Promise<void> | undefined;
  private models: ModelStatusSource | undefined;
  private cycles = 0;
  /** Last driver version read; kept while collections fail so XID series keep their labels. */
  private driverVersion: string | undefined;

  constructor(private readonly options: ExporterOptions) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.collectTimeoutMs = options.collectTimeoutMs ?? Math.min(this.intervalMs, 10_000);
    this.now = options.now ?? Date.now;
    this.health = new SelfHealth(options.registry, { version: options.version ?? '0.0.0', source: options.source.name });
  }

  /** The last rendered exposition. */
  get exposition(): Exposition {
    return this.rendered;
  }

  /** The self-health metrics (the model scraper reports its failures here). */
  get selfHealth(): SelfHealth {
    return this.health;
  }

  /** Completed sampling cycles (successful or not). */
  get cycleCount(): number {
    return this.cycles;
  }

  /** Adds model-queue statuses to the exposition; call `refresh()` when they change. */
  attachModels(models: ModelStatusSource): void {
    this.models = models;
  }

  /** Starts background sampling: one cycle now, then one per interval. */
  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      const started = this.now();
      await this.sampleOnce();
      if (this.stopped) return;
      this.timer = setTimeout(() => void loop(), Math.max(0, this.intervalMs - (this.now() - started)));
    };
    void loop();
  }

  /** Stops sampling and closes the source. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.options.source.close().catch((err: unknown) => this.options.logger.warn({ err: String(err) }, 'source close failed'));
  }

  /** Runs one collection (bounded by the collect timeout) and re-renders. Never throws. */
  async sampleOnce(): Promise<SampleResult> {
    let result: SampleResult;
    const t0 = performance.now();
    const seconds = () => (performance.now() - t0) / 1000;
    if (this.pending) {
      // The previous call is still stuck (a wedged driver call): do not pile up another one.
      this.fail('busy', 'previous collection still running', seconds());
      result = { collected: false, reason: 'busy' };
    } else {
      try {
        const raw = await this.collectWithTimeout();
        const { snapshot, dropped } = sanitizeSnapshot(raw, this.options.limits ?? DEFAULT_LIMITS);
        this.health.droppedSeries(dropped);
        for (const d of snapshot.devices)
          this.identities.set(d.index, {
            index: d.index,
            uuid: d.uuid,
            pciBusId: d.pciBusId,
            name: d.name,
            ...(d.minor !== undefined ? { minor: d.minor } : {}),
          });
        this.xid.record(snapshot.xidEvents, this.identities);
        this.snapshot = snapshot;
        this.driverVersion = snapshot.driverVersion ?? this.driverVersion;
        this.health.collected(seconds(), this.now());
        result = { collected: true };
      } catch (err) {
        const reason: FailureReason = err instanceof SourceError ? err.reason : 'error';
        this.fail(reason, err instanceof Error ? err.message : String(err), seconds());
        result = { collected: false, reason };
      }
    }
    // XID events that arrive outside collections (NVML event set) count even when collections fail.
    const outside = this.options.source.drainXidEvents?.() ?? [];
    if (outside.length > 0) this.xid.record(outside, this.identities);
    this.health.droppedSeries(this.xid.dropped);
    this.xid.dropped = 0;
    this.cycles++;
    await this.refresh();
    return result;
  }

  /** Re-renders the exposition from the current state (coalesces concurrent calls). */
  refresh(): Promise<void> {
    if (this.renderQueued) return this.renderQueued;
    this.renderQueued = (async () => {
      await Promise.resolve();
      this.renderQueued = undefined;
      this.rendered = await this.render();
    })();
    return this.renderQueued;
  }

  private fail(reason: FailureReason, message: string, seconds: number): void {
    // A failed collection exports no GPU series: a partial, healthy-looking scrape would hide it.
    this.snapshot = undefined;
    this.health.failed(reason, seconds);
    this.options.logger.warn({ reason, err: message }, 'gpu collection failed');
  }

  private collectWithTimeout(): Promise<unknown> {
    const ac = new AbortController();
    const call = Promise.resolve().then(() => this.options.source.collect(ac.signal));
    this.pending = call;
    const clear = () => {
      if (this.pending === call) this.pending = undefined;
    };
    call.then(clear, clear);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ac.abort();
        reject(new SourceError(`collection took longer than ${this.collectTimeoutMs} ms`, 'timeout'));
      }, this.collectTimeoutMs);
      call.finally(() => clearTimeout(timer)).then(resolve, reject);
    });
  }

  private async render(): Promise<Exposition> {
    const input = {
      snapshot: this.snapshot,
      hostname: this.options.hostname,
      xid: this.xid,
      now: this.now(),
      watchesXid: this.options.source.watchesXid === true,
    };
    const families: MetricFamily[] = GPU_COLLECTORS.flatMap((c) => c(input));
    if (this.models) families.push(...collectModels(this.models.statuses()));
    const capped = capSeries(families, this.options.maxSeries ?? 20_000);
    if (capped.dropped > 0) this.health.droppedSeries(capped.dropped);
    const driver = this.options.driverVersionLabel !== false ? this.driverVersion : undefined;
    const gpuLabels = driver !== undefined ? ([[DRIVER_VERSION_LABEL, driver]] as const) : [];
    const text = renderFamilies(capped.families, { gpuLabels }) + (await this.options.registry.metrics());
    const body = Buffer.from(text, 'utf8');
    return { body, gzip: gzipSync(body, { level: 6 }), series: capped.series };
  }
}

function capSeries(families: readonly MetricFamily[], max: number): { families: MetricFamily[]; series: number; dropped: number } {
  let left = max;
  let dropped = 0;
  const out: MetricFamily[] = [];
  for (const f of families) {
    if (f.samples.length <= left) {
      out.push(f);
      left -= f.samples.length;
    } else {
      out.push({ metric: f.metric, samples: f.samples.slice(0, left) });
      dropped += f.samples.length - left;
      left = 0;
    }
  }
  return { families: out, series: max - left, dropped };
}
