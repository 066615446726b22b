import { HttpClient, HttpError } from '../runtime/http-client.js';
import { PrometheusUnavailableError } from '../live/prometheus-api.js';

interface ApiBody<T> {
  readonly status?: string;
  readonly data?: T;
  readonly error?: string;
  readonly errorType?: string;
}

/** One series of a range query: its labels and `[unix seconds, value text]` pairs. */
export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, string])[];
}

interface RangeData {
  readonly resultType?: string;
  readonly result: readonly RangeSeries[];
}

/** A Prometheus HTTP query API a backfill reads (the source, or the scratch Prometheus of a later level). */
export class SourcePrometheus {
  private readonly http: HttpClient;

  constructor(
    private readonly url: string,
    timeoutMs = 30_000,
  ) {
    this.http = new HttpClient({ baseUrl: url, timeoutMs, maxBodyBytes: 64 * 2 ** 20 });
  }

  /** Throws PrometheusUnavailableError unless the URL answers a PromQL query. */
  async probe(): Promise<void> {
    await this.get('/api/v1/query', { query: 'vector(1)' });
  }

  /**
   * The earliest sample (ms) of `selector` in [startMs, endMs], to within one step of a range
   * query of at most 10 000 steps (never coarser than the lookback would hide); undefined if none.
   */
  async earliestSample(selector: string, startMs: number, endMs: number): Promise<number | undefined> {
    const stepS = Math.max(60, Math.ceil((endMs - startMs) / 1000 / 10_000));
    const data = await this.get<RangeData>('/api/v1/query_range', {
      query: `min(timestamp(${selector}))`,
      start: (startMs / 1000).toFixed(3),
      end: (endMs / 1000).toFixed(3),
      step: String(stepS),
    });
    let earliest: number | undefined;
    for (const s of data.result) for (const [, v] of s.values) earliest = Math.min(earliest ?? Infinity, Number(v) * 1000);
    return earliest;
  }

  /** A range query (POST form, so long expressions fit); throws PrometheusUnavailableError on any failure. */
  async queryRange(expr: string, startMs: number, endMs: number, stepMs: number): Promise<RangeSeries[]> {
    const data = await this.get<RangeData>(
      '/api/v1/query_range',
      { query: expr, start: (startMs / 1000).toFixed(3), end: (endMs / 1000).toFixed(3), step: (stepMs / 1000).toFixed(3) },
      'POST',
    );
    if (data.resultType !== undefined && data.resultType !== 'matrix')
      throw new PrometheusUnavailableError(`${this.url} answered a range query with a ${data.resultType}`);
    return [...data.result];
  }

  private async get<T>(path: string, query: Record<string, string>, method: 'GET' | 'POST' = 'GET'): Promise<T> {
    let res;
    try {
      res =
        method === 'POST'
          ? await this.http.request<ApiBody<T>>({
              url: path,
              method,
              body: new URLSearchParams(query).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              anyStatus: true,
            })
          : await this.http.request<ApiBody<T>>({ url: path, query, anyStatus: true });
    } catch (err) {
      const reason = err instanceof HttpError ? `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}` : String(err);
      throw new PrometheusUnavailableError(`cannot reach Prometheus at ${this.url}: ${reason}`);
    }
    const body = res.body;
    if (body?.status === 'success' && body.data !== undefined) return body.data;
    if (body?.status === 'error')
      throw new PrometheusUnavailableError(
        `Prometheus at ${this.url} answered HTTP ${res.status} to ${path}: ${body.errorType ?? 'error'}: ${body.error ?? 'no message'}`,
      );
    throw new PrometheusUnavailableError(
      `${this.url} does not answer like a Prometheus HTTP API: GET ${path} gave HTTP ${res.status}; give the base URL, e.g. http://prometheus:9090`,
    );
  }
}
