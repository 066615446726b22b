import type { Logger } from 'pino';
import type { ModelStatus } from '../collectors/models.js';
import type { ModelStatusSource } from '../exporter.js';
import { parseDurationMs } from '../../../src/runtime/duration.js';
import { HttpClient, HttpError } from '../../../src/runtime/http-client.js';
import type { ModelsConfig } from './load-models-file.js';
import type { ModelServerSpec } from './models-schema.js';
import { downStatuses, normalizeModelMetrics } from './normalize-model-metrics.js';
import { parsePrometheusText } from './parse-prometheus-text.js';

/** Largest body read from a model server, bytes. */
const MAX_BODY = 16 * 2 ** 20;

export interface ModelScraperOptions {
  readonly config: ModelsConfig;
  readonly logger: Logger;
  /** Called after any server's statuses changed. */
  readonly onUpdate?: () => void;
  /** Called for each failed scrape with a reason (timeout, http, connect, body). */
  readonly onFailure?: (server: string, reason: string) => void;
}

/**
 * ModelScraper scrapes each model server on its own timer with its own timeout, so a dead or slow
 * endpoint marks only its own models down.
 */
export class ModelScraper implements ModelStatusSource {
  private readonly results = new Map<string, ModelStatus[]>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;
  // The per-server deadline is the abort timer below (it covers reading the body too), so the
  // client's own socket timeout is off.
  private readonly http = new HttpClient({ timeoutMs: 0, maxBodyBytes: MAX_BODY, followRedirects: true, headers: { accept: 'text/plain;version=0.0.4' } });

  constructor(private readonly options: ModelScraperOptions) {
    for (const s of options.config.spec.servers) this.results.set(s.name, downStatuses(s, []));
  }

  statuses(): readonly ModelStatus[] {
    return [...this.results.values()].flat();
  }

  /** Starts one loop per server; the first scrape happens at once. */
  start(): void {
    for (const s of this.options.config.spec.servers) {
      const loop = async () => {
        if (this.stopped) return;
        await this.scrapeOnce(s);
        if (!this.stopped) this.timers.push(setTimeout(() => void loop(), this.options.config.scrapeIntervalMs));
      };
      void loop();
    }
  }

  /** Scrapes every server once, concurrently (for `--once`). */
  async scrapeAll(): Promise<void> {
    await Promise.all(this.options.config.spec.servers.map((s) => this.scrapeOnce(s)));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.inFlight) c.abort();
  }

  /** Scrapes one server and stores its statuses. Never throws. */
  async scrapeOnce(server: ModelServerSpec): Promise<void> {
    const timeoutMs = server.timeout ? parseDurationMs(server.timeout)! : this.options.config.scrapeTimeoutMs;
    const ac = new AbortController();
    this.inFlight.add(ac);
    const timer = setTimeout(() => ac.abort(new Error('timeout')), timeoutMs);
    let next: ModelStatus[];
    try {
      const res = await this.http.request({ url: server.url, signal: ac.signal, anyStatus: true });
      if (res.status < 200 || res.status >= 300) throw new ScrapeError('http', `HTTP ${res.status}`);
      next = normalizeModelMetrics(server, parsePrometheusText(res.text).samples);
    } catch (err) {
      const reason =
        err instanceof ScrapeError
          ? err.reason
          : err instanceof HttpError && err.code === 'ERR_BODY_TOO_LARGE'
            ? 'body'
            : ac.signal.aborted
              ? 'timeout'
              : 'connect';
      this.options.onFailure?.(server.name, reason);
      this.options.logger.warn({ server: server.name, reason, err: err instanceof Error ? err.message : String(err) }, 'model server scrape failed');
      next = downStatuses(server, this.results.get(server.name) ?? []);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(ac);
    }
    if (this.stopped) return;
    this.results.set(server.name, next);
    this.options.onUpdate?.();
  }
}

class ScrapeError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
