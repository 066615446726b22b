import { HttpClient, HttpError } from '../runtime/http-client.js';

/** A series' labels, `__name__` included. */
export type SeriesLabels = Readonly<Record<string, string>>;

/** One metric's type as the targets declare it (`# TYPE`), from `/api/v1/metadata`. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

/** Prometheus cannot be asked: unreachable, timed out, or not a Prometheus HTTP API. One message, no stack. */
export class PrometheusUnavailableError extends Error {
  override name = 'PrometheusUnavailableError';
}

/** Prometheus answered, but refused this one request (`status: error`, e.g. a selector it cannot parse). */
export class PrometheusQueryError extends Error {
  override name = 'PrometheusQueryError';
}

/** Settings of a `PrometheusApi`. */
export interface PrometheusApiOptions {
  /** Base URL of Prometheus (or a compatible API: Thanos, Mimir with its prefix), e.g. `http://prometheus:9090`. */
  readonly url: string;
  /** Per-request timeout in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Series are looked for in [now − lookback, now] (ms, default one hour). */
  readonly lookbackMs?: number;
  /** Clock, for tests (default `Date.now`). */
  readonly now?: () => number;
}

/** One series of an instant query's vector result: labels and `[unix seconds, value text]`. */
export interface InstantSample {
  readonly metric: SeriesLabels;
  readonly value: readonly [number, string];
}

/** One series of a range query's matrix result: labels and `[unix seconds, value text]` per step. */
export interface RangeSeries {
  readonly metric: SeriesLabels;
  readonly values: readonly (readonly [number, string])[];
}

interface ApiBody<T> {
  readonly status?: string;
  readonly data?: T;
  readonly error?: string;
  readonly errorType?: string;
}

/** The read-only part of the Prometheus HTTP API that live checks ask: series, label values, metadata. */
export class PrometheusApi {
  private readonly http: HttpClient;
  private readonly range: { start: string; end: string };
  /** HTTP requests sent so far (the report counts them). */
  requests = 0;

  constructor(private readonly options: PrometheusApiOptions) {
    this.http = new HttpClient({ baseUrl: options.url, timeoutMs: options.timeoutMs ?? 10_000, maxBodyBytes: 256 * 2 ** 20 });
    const end = (options.now ?? Date.now)() / 1000;
    this.range = { start: (end - (options.lookbackMs ?? 3_600_000) / 1000).toFixed(3), end: end.toFixed(3) };
  }

  /** Every metric name with samples in the lookback. */
  metricNames(): Promise<string[]> {
    return this.labelValues('__name__');
  }

  /** Values of label `name` in the lookback, on the series `match` selects when given. */
  labelValues(name: string, match?: string): Promise<string[]> {
    return this.get<string[]>(`/api/v1/label/${encodeURIComponent(name)}/values`, { ...this.range, ...(match ? { 'match[]': match } : {}) });
  }

  /** Label sets of the series `match` selects in the lookback. */
  series(match: string): Promise<SeriesLabels[]> {
    return this.get<SeriesLabels[]>('/api/v1/series', { ...this.range, 'match[]': match });
  }

  /** Each metric's declared type (the first target's, when targets disagree). */
  async metadata(): Promise<Map<string, MetricType>> {
    const data = await this.get<Record<string, readonly { type?: string }[]>>('/api/v1/metadata', {});
    const types = new Map<string, MetricType>();
    for (const [name, entries] of Object.entries(data)) {
      const type = entries[0]?.type;
      if (type) types.set(name, type as MetricType);
    }
    return types;
  }

  /** Instant query at `timeSeconds` (unix seconds); the result must be a vector. */
  async query(expr: string, timeSeconds: number): Promise<InstantSample[]> {
    const data = await this.post<{ resultType: string; result: InstantSample[] }>('/api/v1/query', { query: expr, time: timeSeconds.toFixed(3) });
    if (data.resultType !== 'vector') throw new PrometheusQueryError(`expected a vector from ${expr}, got ${data.resultType}`);
    return data.result;
  }

  /**
   * Range query over [start, end] (unix seconds) at `stepSeconds`. Prometheus refuses more than
   * 11,000 points per series, so callers split long ranges (see `rangeChunks`).
   */
  async queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]> {
    const data = await this.post<{ resultType: string; result: RangeSeries[] }>('/api/v1/query_range', {
      query: expr,
      start: start.toFixed(3),
      end: end.toFixed(3),
      step: String(stepSeconds),
    });
    if (data.resultType !== 'matrix') throw new PrometheusQueryError(`expected a matrix from ${expr}, got ${data.resultType}`);
    return data.result;
  }

  private get<T>(path: string, query: Record<string, string>): Promise<T> {
    return this.send<T>(path, query, 'GET');
  }

  /** Queries go as form posts: a long PromQL expression does not fit every proxy's URL limit. */
  private post<T>(path: string, form: Record<string, string>): Promise<T> {
    return this.send<T>(path, form, 'POST');
  }

  private async send<T>(path: string, query: Record<string, string>, method: 'GET' | 'POST'): Promise<T> {
    const where = `${this.options.url.replace(/\/+$/, '')}${path}`;
    let res;
    this.requests++;
    try {
      res =
        method === 'GET'
          ? await this.http.get<ApiBody<T>>(path, { query, anyStatus: true })
          : await this.http.post<ApiBody<T>>(path, {
              body: new URLSearchParams(query).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              anyStatus: true,
            });
    } catch (err) {
      const reason = err instanceof HttpError ? `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}` : String(err);
      throw new PrometheusUnavailableError(`cannot reach Prometheus at ${this.options.url}: ${reason}`);
    }
    const body = res.body;
    if (body === undefined || typeof body !== 'object' || (body.status !== 'success' && body.status !== 'error')) {
      const type = res.headers['content-type'] ?? 'no content type';
      throw new PrometheusUnavailableError(
        `${this.options.url} does not answer like a Prometheus HTTP API: ${method} ${path} gave HTTP ${res.status} (${type}) without a Prometheus JSON body; give the base URL, e.g. http://prometheus:9090`,
      );
    }
    if (body.status === 'error') {
      // A request Prometheus rejects (bad_data, 4xx) is about that request; anything else is the server's.
      if (res.status >= 400 && res.status < 500 && body.errorType === 'bad_data') throw new PrometheusQueryError(body.error ?? 'bad request');
      throw new PrometheusUnavailableError(`Prometheus at ${where} answered HTTP ${res.status}: ${body.errorType ?? 'error'}: ${body.error ?? 'no message'}`);
    }
    if (body.data === undefined || body.data === null) throw new PrometheusUnavailableError(`Prometheus at ${where} answered without data`);
    return body.data;
  }
}
