/**
 * `vigil report` for 100 SLOs over 30 days against a loopback Prometheus 2.42 (issue 16's figure).
 * The TSDB is made with `promtool tsdb create-blocks-from openmetrics` from what the report reads:
 * each SLO's recorded base-window rates (5m, 8,640 samples per series over 30 days), the ALERTS of
 * ten SLOs with a burst, and for the ten latency SLOs their raw histogram (5 buckets at a 5-minute
 * scrape). Measured: the whole command in-process (load the specs, read Prometheus, render, write
 * atomically), median of runs at the default concurrency 4 against concurrency 1 as the baseline,
 * runs alternated; the requests it made; the weight of index.html and of the largest service page.
 * Run with `npm run bench report`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { run } from '../src/cli/main.js';
import type { Report } from '../src/report/report-model.js';
import { Prom } from '../test/support/prometheus-server.js';
import { median, writeSection } from './lib/report.js';

const SERVICES = 10;
const SLOS_PER_SERVICE = 10;
const DAYS = 30;
const STEP = 300;
const RUNS = 5;

function projectFiles(root: string): void {
  fs.mkdirSync(path.join(root, 'slos'), { recursive: true });
  for (let s = 0; s < SERVICES; s++) {
    const lines = [`apiVersion: vigil/v1`, `kind: ServiceLevelObjectives`, `service: svc-${s}`, `period: 30d`, `slos:`];
    for (let i = 0; i < SLOS_PER_SERVICE; i++) {
      if (i === 0) {
        lines.push(
          `  - name: latency`,
          `    objective: 95`,
          `    sla: { text: "P95 < 2 s" }`,
          `    indicator:`,
          `      latency:`,
          `        histogram: http_request_duration_seconds{service="svc-${s}"}`,
          `        threshold: 2s`,
        );
      } else {
        lines.push(
          `  - name: endpoint-${i}`,
          `    objective: 99.9`,
          ...(i === 1 ? [`    sla: { text: "99.9% availability" }`] : []),
          `    indicator:`,
          `      ratio:`,
          `        errors: http_requests_total{service="svc-${s}", endpoint="e${i}", code=~"5.."}`,
          `        total: http_requests_total{service="svc-${s}", endpoint="e${i}"}`,
        );
      }
    }
    fs.writeFileSync(path.join(root, 'slos', `svc-${s}.yaml`), `${lines.join('\n')}\n`);
  }
}

/** Writes the OpenMetrics history (streamed: ~2M samples) and returns the samples written. */
function writeHistory(file: string, startSeconds: number): number {
  const fd = fs.openSync(file, 'w');
  const ticks = (DAYS * 86_400) / STEP;
  let samples = 0;
  const series = (name: string, labels: string, value: (k: number) => number) => {
    const out: string[] = [];
    for (let k = 1; k <= ticks; k++) out.push(`${name}{${labels}} ${value(k)} ${startSeconds + k * STEP - 1}`);
    fs.writeSync(fd, `${out.join('\n')}\n`);
    samples += ticks;
  };
  const burst = (s: number, k: number) => k >= 2000 + s * 500 && k < 2012 + s * 500;
  for (const metric of ['slo:total:rate5m', 'slo:errors:rate5m']) {
    fs.writeSync(fd, `# TYPE ${metric} gauge\n`);
    for (let s = 0; s < SERVICES; s++) {
      for (let i = 0; i < SLOS_PER_SERVICE; i++) {
        const id = i === 0 ? `svc-${s}-latency` : `svc-${s}-endpoint-${i}`;
        const rps = 5 + ((s * 7 + i) % 11);
        const ratio = (k: number) => (i === 0 ? 0.03 : i === 1 && burst(s, k) ? 0.05 : 0.0003);
        series(metric, `slo="${id}",service="svc-${s}"`, (k) => (metric === 'slo:total:rate5m' ? rps : rps * ratio(k)));
      }
    }
  }
  fs.writeSync(fd, '# TYPE ALERTS gauge\n');
  for (let s = 0; s < SERVICES; s++) {
    const out: string[] = [];
    for (let k = 2003 + s * 500; k < 2014 + s * 500; k++)
      out.push(
        `ALERTS{alertname="ErrorBudgetBurn",alertstate="firing",slo="svc-${s}-endpoint-1",service="svc-${s}",severity="critical",long_window="1h",short_window="5m"} 1 ${startSeconds + k * STEP - 1}`,
      );
    fs.writeSync(fd, `${out.join('\n')}\n`);
    samples += out.length;
  }
  fs.writeSync(fd, '# TYPE http_request_duration_seconds histogram\n');
  const buckets: [string, number][] = [
    ['0.5', 0.7],
    ['1', 0.85],
    ['2', 0.97],
    ['5', 0.995],
    ['+Inf', 1],
  ];
  for (let s = 0; s < SERVICES; s++) {
    const perStep = (5 + ((s * 7) % 11)) * STEP;
    for (const [le, share] of buckets) series('http_request_duration_seconds_bucket', `service="svc-${s}",le="${le}"`, (k) => Math.round(k * perStep * share));
    series('http_request_duration_seconds_count', `service="svc-${s}"`, (k) => k * perStep);
  }
  fs.writeSync(fd, '# EOF\n');
  fs.closeSync(fd);
  return samples;
}

async function timeReport(root: string, out: string, concurrency: number): Promise<{ ms: number; requests: number }> {
  let err = '';
  const t0 = performance.now();
  const code = await run(['report', '--root', root, '--out', out, '--period', '30d', '--concurrency', String(concurrency)], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (err += s) },
    cwd: root,
  });
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`vigil report exited ${code}: ${err}`);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
  return { ms, requests: report.requests };
}

export async function run_(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-report-'));
  const root = path.join(work, 'project');
  projectFiles(root);
  // History ends at the last 5-minute boundary: the report's 30 days are covered exactly.
  const endSeconds = Math.floor(Date.now() / 1000 / STEP) * STEP;
  const startSeconds = endSeconds - DAYS * 86_400;
  const t0 = performance.now();
  const file = path.join(work, 'history.om');
  const samples = writeHistory(file, startSeconds);
  const omBytes = fs.statSync(file).size;
  const t1 = performance.now();
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=500h', '-q', file, path.join(work, 'data')], {
    stdio: 'ignore',
  });
  const t2 = performance.now();
  fs.rmSync(file);
  const prom = new Prom(path.join(work, 'data'), path.join(work, 'prometheus.log'));
  await prom.start();
  fs.writeFileSync(path.join(root, 'vigil.config.yaml'), `apiVersion: vigil/v1\nkind: VigilConfig\nprometheus:\n  url: ${prom.url}\n`);
  const loadBefore = os.loadavg()[0]!.toFixed(2);
  try {
    const out = path.join(work, 'report');
    await timeReport(root, out, 4); // warm-up: module loading, Prometheus caches
    const c4: { ms: number; requests: number }[] = [];
    const c1: { ms: number; requests: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      c4.push(await timeReport(root, out, 4));
      c1.push(await timeReport(root, out, 1));
    }
    const index = fs.readFileSync(path.join(out, 'index.html'));
    const pages = fs.readdirSync(out).filter((f) => f.endsWith('.html') && f !== 'index.html');
    const largest = pages.map((f) => fs.readFileSync(path.join(out, f))).sort((a, b) => b.length - a.length)[0]!;
    const json = fs.statSync(path.join(out, 'report.json')).size;
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const m4 = median(c4.map((x) => x.ms));
    const m1 = median(c1.map((x) => x.ms));
    const load = os.loadavg()[0]!.toFixed(2);
    writeSection(
      'report',
      `## \`vigil report\`: 100 SLOs over 30 days (loopback Prometheus)

${SERVICES} services × ${SLOS_PER_SERVICE} SLOs (${SERVICES} latency SLOs on a raw 5-bucket histogram, ${SERVICES * (SLOS_PER_SERVICE - 1)} ratio SLOs, ${SERVICES} of them with a
one-hour burst and its page \`ALERTS\`), 30 days of history in Prometheus 2.42 on 127.0.0.1: ${(samples / 1e6).toFixed(2)} M samples
written as OpenMetrics (${(omBytes / 2 ** 20).toFixed(0)} MiB, ${s(t1 - t0)}) and turned into blocks by promtool in ${s(t2 - t1)}. Timed: \`vigil report
--period 30d\` in-process, from argument parsing to the atomic write of the output dir, median of ${RUNS}
runs per setting, alternated, after one warm-up run. Baseline: the same command one SLO at a time.

| what | value |
| --- | ---: |
| report, concurrency 4 (default) | ${s(m4)} |
| report, concurrency 1 (baseline) | ${s(m1)} |
| speed-up of the default over the baseline | ${(m1 / m4).toFixed(2)}× |
| Prometheus requests per report | ${c4[0]!.requests} (${(c4[0]!.requests / 100).toFixed(1)} per SLO) |
| \`index.html\` | ${index.length.toLocaleString('en')} B (${kib(index.length)}), gzip ${zlib.gzipSync(index).length.toLocaleString('en')} B |
| largest service page (10 SLOs, 20–21 charts) | ${largest.length.toLocaleString('en')} B (${kib(largest.length)}), gzip ${zlib.gzipSync(largest).length.toLocaleString('en')} B |
| \`report.json\` | ${kib(json)} |

Each SLO costs three range queries (base-window errors and total, its \`ALERTS\`) of 8,640 points at
the 5-minute step, one query each (30 days stay under Prometheus' 11,000 points), plus one
\`histogram_quantile\` range query for a latency SLO. The index holds tables only; charts (inline SVG,
at most 360 points each) live on the service pages; \`report.json\` holds every chart point. vigil and
Prometheus share the machine's cores here, so running SLOs in parallel buys less than it does when
each request travels to a remote Prometheus. The machine is shared with other engineers' builds
and tests (load average ${loadBefore} at the start of the timed runs, ${load} at the end, 1 min, on ${os.cpus().length} cores): compare the ratio, not the seconds.`,
    );
    console.log(`report: c4 ${s(m4)}, c1 ${s(m1)}, requests ${c4[0]!.requests}, index ${index.length} B`);
  } finally {
    await prom.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export { run_ as run };
