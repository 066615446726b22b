import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

const PROMETHEUS = '/usr/bin/prometheus';
const PROJECT = path.resolve(import.meta.dirname, 'fixtures/project');

/**
 * What the fixture target serves: a histogram with buckets 0.5 and 1, request counters by code
 * and model, a counter of failed jobs and a gauge. The `job` label comes from the scrape config.
 */
const METRICS = `# HELP http_request_duration_seconds Request latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{route="/a",le="0.5"} 90
http_request_duration_seconds_bucket{route="/a",le="1"} 99
http_request_duration_seconds_bucket{route="/a",le="+Inf"} 100
http_request_duration_seconds_sum{route="/a"} 31.5
http_request_duration_seconds_count{route="/a"} 100
# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{code="200",model="m1"} 1000
http_requests_total{code="500",model="m1"} 3
http_requests_total{code="200",model="m2"} 500
# HELP jobs_total Jobs run.
# TYPE jobs_total counter
jobs_total 40
# HELP jobs_failed_total Jobs that failed.
# TYPE jobs_failed_total counter
jobs_failed_total 2
# HELP queue_depth Requests waiting.
# TYPE queue_depth gauge
queue_depth{queue="main"} 4
queue_depth{queue="failed"} 1
`;

function cliIo() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: PROJECT },
    out: () => out,
    err: () => err,
  };
}

/** `file:line:col severity code` of a diagnostic: the position and code each defect must have. */
const where = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`;

describe('vigil check --prometheus-url against a real Prometheus scraping fixture metrics', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-live-'));
  const servers: http.Server[] = [];
  let prometheus: ChildProcess | undefined;
  let prom = '';
  let target = '';

  const serve = async (handler: http.RequestListener): Promise<string> => {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  };

  const check = async (...flags: string[]) => {
    const c = cliIo();
    const code = await run(['check', '--root', PROJECT, ...flags], c.io);
    return { code, out: c.out(), err: c.err() };
  };
  let warnings: ReturnType<typeof live> | undefined;
  /** The default run (warnings), shared by the tests that only read its diagnostics. */
  const liveOnce = () => (warnings ??= live());
  const live = async (...flags: string[]) => {
    const r = await check('--prometheus-url', prom, '--format', 'json', ...flags);
    const body = JSON.parse(r.out) as { diagnostics: Diagnostic[] };
    return { code: r.code, all: body.diagnostics, live: body.diagnostics.filter((d) => d.code.startsWith('LIVE')) };
  };

  beforeAll(async () => {
    if (!fs.existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus`);
    target = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(req.url === '/metrics' ? METRICS : 'fixture target\n');
    });
    const port = await freePort();
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: fixture\n    static_configs:\n      - targets: ['${target.slice('http://'.length)}']\n`,
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    prom = `http://127.0.0.1:${port}`;
    // The first scrape is in when its series and the target's metadata are queryable.
    await waitFor('the first scrape of the fixture target', async () => {
      const series = (await (await fetch(`${prom}/api/v1/series?match[]=${encodeURIComponent('{job="fixture"}')}`)).json()) as { data: unknown[] };
      const meta = (await (await fetch(`${prom}/api/v1/metadata?metric=queue_depth`)).json()) as { data: Record<string, unknown> };
      return series.data.length >= 10 && meta.data.queue_depth ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports each defect once, at its file:line:col, as a warning, and exits 0', async () => {
    const r = await liveOnce();
    expect(r.live.map(where)).toEqual([
      'alerts/fixture.yaml:54:15 warning LIVE001',
      'alerts/fixture.yaml:69:15 warning LIVE004',
      'alerts/fixture.yaml:84:20 warning LIVE005',
      'alerts/fixture.yaml:99:15 warning LIVE006',
      'dashboards/fixture.ts:13:18 warning LIVE001',
      'slos/broken.yaml:10:17 warning LIVE001',
      'slos/broken.yaml:17:20 warning LIVE002',
      'slos/broken.yaml:20:15 warning LIVE003',
      'slos/broken.yaml:28:18 warning LIVE004',
      'slos/broken.yaml:33:17 warning LIVE005',
      'slos/broken.yaml:34:16 warning LIVE005',
      'slos/broken.yaml:39:20 warning LIVE001',
    ]);
    expect(r.code).toBe(0);
  });

  it('names the selector and the nearest metric, the buckets that exist, the labels there are', async () => {
    const byPlace = new Map((await liveOnce()).live.map((d) => [`${d.file}:${d.line}`, d.message]));
    expect(byPlace.get('slos/broken.yaml:10')).toBe(
      'SLO broken-metric-name-typo (errors): http_request_total{job="fixture", code=~"5.."} matches no series in the last 1h: Prometheus has no metric http_request_total (nearest existing metric: http_requests_total)',
    );
    expect(byPlace.get('slos/broken.yaml:17')).toBe(
      'SLO broken-threshold-between-buckets: http_request_duration_seconds_bucket{job="fixture"} has no bucket le="0.8" for the threshold; its buckets are 0.5, 1, +Inf. Without it the good series is absent, so the SLO reads 100% bad on healthy traffic',
    );
    expect(byPlace.get('slos/broken.yaml:20')).toBe(
      'SLO broken-group-by-missing-label: groupBy label tenant is on no series of http_requests_total{job="fixture"} or http_requests_total{job="fixture", code=~"5.."} (their labels: code, instance, job, model), so the SLO records one series without tenant instead of one per tenant',
    );
    expect(byPlace.get('slos/broken.yaml:28')).toMatch(
      /^SLO broken-counter-as-bool-gauge \(boolGauge\): jobs_failed_total is a counter \(its TYPE is counter\) but is read as a gauge/,
    );
    expect(byPlace.get('slos/broken.yaml:33')).toMatch(
      /^SLO broken-gauge-in-ratio \(errors\): queue_depth is a gauge \(TYPE gauge\) but is read through rate\(\)/,
    );
    expect(byPlace.get('alerts/fixture.yaml:54')).toBe(
      'alert WrongJobLabel: up{job="fixtures"} matches no series in the last 1h: no series has job="fixtures"; job on up is one of "fixture"',
    );
    expect(byPlace.get('alerts/fixture.yaml:69')).toMatch(
      /^alert RawCounterCompared: jobs_failed_total is a counter \(its TYPE is counter\) but is read as a gauge, without rate\(\) or increase\(\)/,
    );
    expect(byPlace.get('alerts/fixture.yaml:84')).toMatch(/^alert GaugeInRate: queue_depth is a gauge \(TYPE gauge\) but is read through rate\(\)/);
    // A missing histogram is reported once, for its buckets, not again for its _count.
    expect(byPlace.get('slos/broken.yaml:39')).toBe(
      'SLO broken-histogram-missing (histogram): http_request_latency_seconds_bucket{job="fixture"} matches no series in the last 1h: Prometheus has no metric http_request_latency_seconds_bucket',
    );
    expect(byPlace.get('alerts/fixture.yaml:99')).toMatch(/^alert RegexOnlyJavaScriptReads: Prometheus rejected up\{job=~"\(\?=fix\)fixture"\}: .*invalid/);
    expect(byPlace.get('dashboards/fixture.ts:13')).toBe(
      'dashboard "Fixture", panel "Unknown code", query A: http_requests_total{job="fixture", code="599"} matches no series in the last 1h: no series has code="599"; code on http_requests_total is one of "200", "500"',
    );
  });

  it('finds nothing in the healthy specs: ratio with groupBy, latency on a bucket bound, bool gauge, raw, absent(), a template variable', async () => {
    const r = await liveOnce();
    const healthyAlertLines = new Set([9, 24, 39]);
    expect(r.live.filter((d) => d.file === 'slos/healthy.yaml' || d.file === 'slos/custom.yaml').map(where)).toEqual([]);
    expect(r.live.filter((d) => d.file === 'alerts/fixture.yaml' && [...healthyAlertLines].some((l) => d.line >= l && d.line < l + 15)).map(where)).toEqual([]);
    expect(r.live.filter((d) => d.file === 'dashboards/fixture.ts' && d.line !== 13).map(where)).toEqual([]);
  });

  it('with --strict every finding is an error and the check exits 1', async () => {
    const r = await live('--strict');
    expect(r.live.length).toBe(12);
    expect(r.live.every((d) => d.severity === 'error')).toBe(true);
    expect(r.code).toBe(1);
  });

  it('an unreachable URL is one clear error with exit 2, no stack trace', async () => {
    const port = await freePort();
    const r = await check('--prometheus-url', `http://127.0.0.1:${port}`);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`vigil check: cannot reach Prometheus at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('a server that is not Prometheus is one clear error with exit 2', async () => {
    const r = await check('--prometheus-url', target);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(
      `vigil check: ${target} does not answer like a Prometheus HTTP API: GET /api/v1/label/__name__/values gave HTTP 200 (text/plain; version=0.0.4) without a Prometheus JSON body; give the base URL, e.g. http://prometheus:9090`,
    );
  });

  it('a Prometheus that does not answer in --timeout is one clear error with exit 2', async () => {
    const silent = await serve(() => undefined);
    // The server never answers: only the per-request timeout ends the check (the message says which).
    const r = await check('--prometheus-url', silent, '--timeout', '300ms');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`vigil check: cannot reach Prometheus at ${silent}: timeout after 300ms (ECONNABORTED)`);
  });
});
