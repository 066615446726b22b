import type { PrometheusQuery, Sample } from '../app/poll-burn-rates.js';
import { HttpClient } from '../../runtime/http-client.js';
import { ACTION_HTTP } from './action-http.js';

/** PrometheusQuery over Prometheus's HTTP API (`GET /api/v1/query`). */
export class PrometheusHttpQuery implements PrometheusQuery {
  private readonly http: HttpClient;

  constructor(
    private readonly baseUrl: string,
    timeoutMs = 10_000,
  ) {
    this.http = new HttpClient({ ...ACTION_HTTP, timeoutMs });
  }

  async query(expr: string, signal?: AbortSignal): Promise<Sample[]> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const res = await this.http.request({ url, anyStatus: true, ...(signal ? { signal } : {}) });
    const body = res.body as { status?: string; error?: string; data?: { resultType?: string; result?: unknown[] } } | undefined;
    if (res.status !== 200 || body?.status !== 'success') throw new Error(`prometheus query failed: HTTP ${res.status} ${body?.error ?? ''}`.trim());
    if (body.data?.resultType !== 'vector') throw new Error(`prometheus query returned ${String(body.data?.resultType)}, expected vector`);
    return (body.data.result ?? []).map((r) => {
      const s = r as { metric?: Record<string, string>; value?: [number, string] };
      // parseFloat keeps "NaN", "+Inf", "-Inf" as numbers the caller checks with isFinite.
      return { labels: s.metric ?? {}, value: s.value ? Number(s.value[1].replace('+Inf', 'Infinity').replace('-Inf', '-Infinity')) : NaN };
    });
  }
}
