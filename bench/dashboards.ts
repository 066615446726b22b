import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { applyGrafana } from '../src/apply/apply-grafana.js';
import { GrafanaClient } from '../src/apply/grafana-client.js';
import { lintDashboard } from '../src/dashboards/lint/lint-dashboard.js';
import { declareAmbientMetrics } from '../src/dashboards/metric-sources.js';
import { Diagnostics } from '../src/diagnostics.js';
import { finalizeDashboard } from '../src/dashboards/finalize-dashboard.js';
import { loadDashboards } from '../src/dashboards/load-dashboards.js';
import { DEFAULT_CONFIG } from '../src/load/load-config.js';
import { generateDashboardJson } from '../src/generate/grafana/dashboard-json.js';
import { sloDashboards } from '../src/dashboards/slo-dashboard.js';
import type { MetricCatalog } from '../src/model/metric-catalog.js';
import type { SloModel } from '../src/model/types.js';
import { loadProject } from '../src/project/load-project.js';
import { renderDocument } from '../src/render/render-document.js';
import { checkDashboardLint } from '../src/validate/dashboard-lint.js';
import { FakeGrafana } from '../test/apply/fake-grafana.js';
import { median, writeSection } from './lib/report.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The repo's SLOs and metric catalog, loaded once. */
async function context(): Promise<{ slos: readonly SloModel[]; metrics: MetricCatalog }> {
  const { model } = await loadProject(ROOT);
  return { slos: model.slos, metrics: model.metrics.clone() };
}

/** The dashboards stage alone: import the modules (tsx), finalize, lint, render the JSON files. */
async function dashboardsStage(slos: readonly SloModel[], metrics: MetricCatalog): Promise<number> {
  const diags = new Diagnostics();
  const loaded = await loadDashboards(ROOT, { slos, env: undefined }, diags);
  const dashboards = loaded.map((l) => ({
    dashboard: finalizeDashboard(l.dashboard, { uid: l.defaultUid, specPath: l.file }),
    file: l.file,
    moduleSource: '',
  }));
  checkDashboardLint(
    {
      config: DEFAULT_CONFIG,
      env: undefined,
      environments: [],
      overrides: [],
      slos,
      alertPacks: [],
      routing: undefined,
      metrics,
      dashboards,
      exporter: { file: undefined, spec: undefined },
      rollbackPolicies: [],
    },
    diags,
  );
  for (const d of dashboards) renderDocument(generateDashboardJson(d.dashboard));
  return dashboards.length;
}

async function time(f: () => unknown): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

/** `n` services cloned from the repo's SLOs (same shapes, distinct names). */
function syntheticSlos(base: readonly SloModel[], n: number): SloModel[] {
  const services = [...new Set(base.map((s) => s.service))];
  const out: SloModel[] = [];
  for (let i = 0; i < n; i++) {
    const service = `svc-${String(i).padStart(3, '0')}`;
    for (const s of base.filter((x) => x.service === services[i % services.length])) out.push({ ...s, service, id: `${service}-${s.name}` });
  }
  return out;
}

/**
 * Dashboards: render + lint of this repo's dashboards (in-process part, and `vigil check`
 * end to end), 500 generated SLO dashboards, and apply of 200 dashboards to the fake Grafana.
 */
export async function run(): Promise<void> {
  // 1. This repo's dashboards: the dashboards stage alone (tsx import, finalize, lint, render).
  const partRuns: number[] = [];
  let count = 0;
  const base = await context();
  for (let i = 0; i < 7; i++) partRuns.push(await time(async () => (count = await dashboardsStage(base.slos, base.metrics))));
  const cold = partRuns[0]!;
  const warm = median(partRuns.slice(1));
  const checkRuns: number[] = [];
  for (let i = 0; i < 3; i++)
    checkRuns.push(
      await time(() => execFileSync(process.execPath, [path.join(ROOT, 'bin/vigil.js'), 'check', '--strict', '--root', ROOT], { stdio: 'ignore' })),
    );

  // 2. 500 SLO dashboards, against JSON.stringify of the same dashboards as baseline.
  const ctx = await context();
  const slos = syntheticSlos(ctx.slos, 500);
  declareAmbientMetrics(ctx.metrics);
  const lintCtx = { knowsMetric: (m: string) => ctx.metrics.has(m) };
  const genRuns: number[] = [];
  const baseRuns: number[] = [];
  let generated = 0;
  for (let i = 0; i < 5; i++) {
    let dashboards: ReturnType<typeof sloDashboards> = [];
    genRuns.push(
      await time(() => {
        dashboards = sloDashboards(slos);
        for (const d of dashboards) {
          const f = finalizeDashboard(d, { uid: 'x', specPath: 'dashboards/slo.ts' });
          if (lintDashboard(f, lintCtx).length > 0) throw new Error('lint findings in generated SLO dashboards');
          renderDocument(generateDashboardJson(f));
        }
      }),
    );
    generated = dashboards.length;
    baseRuns.push(await time(() => dashboards.map((d) => JSON.stringify(d, null, 2))));
  }

  // 3. Apply 200 dashboards at ≤ 8 requests in flight, clean and with 10% injected 5xx.
  const many = Array.from({ length: 200 }, (_, i) => ({
    id: null,
    uid: `bench-${i}`,
    title: `Dashboard ${i}`,
    tags: ['managed-by-vigil'],
    panels: [],
    schemaVersion: 42,
    editable: false,
  }));
  const applyOnce = async (faultRate: number) => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const g = new FakeGrafana({ latencyMs: 5, fault: () => (random() < faultRate ? 503 : undefined) });
    await g.start();
    const client = new GrafanaClient({ url: g.url, token: 'secret-token', retry: { baseDelayMs: 20, maxDelayMs: 500, retries: 8 } });
    const ms = await time(() => applyGrafana(client, many, { folder: 'bench', prune: false, dryRun: false, concurrency: 8, message: 'bench' }));
    const ok = g.dashboards.size === 200 && new Set([...g.dashboards.values()].map((d) => d.id)).size === 200;
    const result = { ms, retries: client.retries, maxInFlight: g.maxInFlight, ok };
    await g.stop();
    return result;
  };
  const clean: Awaited<ReturnType<typeof applyOnce>>[] = [];
  const faulty: Awaited<ReturnType<typeof applyOnce>>[] = [];
  for (let i = 0; i < 3; i++) {
    clean.push(await applyOnce(0));
    faulty.push(await applyOnce(0.1));
  }

  const f = (ms: number) => `${ms.toFixed(0)} ms`;
  const md = `## Dashboards

Method: \`npm run bench dashboards\`. (1) The dashboards part on this repo (${count} dashboards: tsx import of
\`dashboards/*.ts\`, finalize, lint, JSON/provisioning/GrafanaDashboard rendering); the first run includes tsx/esbuild
start-up, the median is over 6 warm runs. \`vigil check --strict\` end to end is a fresh process (all parts), median of 3.
(2) ${generated} SLO dashboards generated from ${slos.length} synthetic SLOs (the repo's SLOs cloned per service), each
finalized, linted and rendered, median of 5; baseline: \`JSON.stringify\` of the same dashboards in the same run.
(3) \`applyGrafana\` of 200 dashboards to the in-repo fake Grafana (127.0.0.1) at concurrency 8, clean and with 10% of
requests answered 503, backoff 20 ms base with full jitter, median of 3.

| Measurement | Result | Target |
|---|---|---|
| Dashboards part, this repo, cold (first run) | ${f(cold)} | < 2 s |
| Dashboards part, this repo, warm median | ${f(warm)} | |
| \`vigil check --strict\` end to end (all parts: SLOs, alerts, exporter, rollouts, dashboards), median | ${f(median(checkRuns))} | informational |
| ${generated} SLO dashboards: generate + finalize + lint + render, median | ${f(median(genRuns))} | < 10 s |
| Baseline: JSON.stringify of the same ${generated} dashboards, median | ${f(median(baseRuns))} | |
| Ratio to baseline | ${(median(genRuns) / median(baseRuns)).toFixed(1)}x | |
| Apply 200 dashboards, no faults, median | ${f(median(clean.map((r) => r.ms)))} (max ${Math.max(...clean.map((r) => r.maxInFlight))} in flight) | |
| Apply 200 dashboards, 10% 503, median | ${f(median(faulty.map((r) => r.ms)))} (${median(faulty.map((r) => r.retries))} retries, max ${Math.max(...faulty.map((r) => r.maxInFlight))} in flight) | all 200, ≤ 8 in flight |
| All applied, none duplicated (every run) | ${[...clean, ...faulty].every((r) => r.ok) ? 'yes' : 'NO'} | yes |`;
  writeSection('dashboards', md);
  console.log(md);
}
