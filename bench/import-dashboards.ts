import fs from 'node:fs';
import path from 'node:path';
import { finalizeDashboard } from '../src/dashboards/finalize-dashboard.js';
import { loadDashboards } from '../src/dashboards/load-dashboards.js';
import { Diagnostics } from '../src/diagnostics.js';
import { compareDashboards } from '../src/import/grafana-dashboard/compare-dashboards.js';
import { importGrafanaDashboard } from '../src/import/grafana-dashboard/import-grafana-dashboard.js';
import { loadProject } from '../src/project/load-project.js';
import { median, percentile, writeSection } from './lib/report.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const WORK = path.join(ROOT, 'bench/.work/import-dashboards');
const RUNS = 30;

interface Row {
  readonly name: string;
  readonly source: Record<string, unknown>;
  readonly panels: number;
  median: number;
  p95: number;
  lines: number;
  raws: number;
  verbatims: number;
  equal: boolean | undefined;
}

function countPanels(d: Record<string, unknown>): number {
  const top = (d.panels ?? []) as { type?: string; panels?: unknown[] }[];
  return top.reduce((n, p) => n + (p.type === 'row' ? (p.panels?.length ?? 0) : 1), 0);
}

/** Import time per dashboard (the pure import, its in-process render, equivalence check and lint), then the round trip through the real loader. */
export async function run(): Promise<void> {
  const { model } = await loadProject(ROOT);
  const rows: Row[] = model.dashboards.map((d) => ({
    name: `${d.file} (${String(d.dashboard.uid)})`,
    source: d.dashboard as unknown as Record<string, unknown>,
    panels: countPanels(d.dashboard as unknown as Record<string, unknown>),
    median: 0,
    p95: 0,
    lines: 0,
    raws: 0,
    verbatims: 0,
    equal: undefined,
  }));
  const dcgm = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/import/grafana-dashboard/fixtures/dcgm-exporter-dashboard.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  rows.push({
    name: 'NVIDIA dcgm-exporter (published JSON, 068798b)',
    source: dcgm,
    panels: countPanels(dcgm),
    median: 0,
    p95: 0,
    lines: 0,
    raws: 0,
    verbatims: 0,
    equal: undefined,
  });

  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(path.join(WORK, 'dashboards'), { recursive: true });
  rows.forEach((r, i) => {
    const times: number[] = [];
    let text = '';
    for (let k = 0; k < RUNS + 3; k++) {
      const t0 = performance.now();
      const out = importGrafanaDashboard(r.source, r.name, { importFrom: '../../../../src/dashboards/index.js' });
      if (k >= 3) times.push(performance.now() - t0);
      text = out.moduleText ?? '';
    }
    r.median = median(times);
    r.p95 = percentile(times, 95);
    r.lines = text.split('\n').length;
    r.raws = (text.match(/\braw\(/g) ?? []).length - 1;
    r.verbatims = (text.match(/\bverbatim\(/g) ?? []).length - 1;
    fs.writeFileSync(path.join(WORK, 'dashboards', `m${i}.ts`), text);
  });
  const t0 = performance.now();
  const diags = new Diagnostics();
  const loaded = await loadDashboards(WORK, { slos: [], env: undefined }, diags);
  const loadMs = performance.now() - t0;
  for (const l of loaded) {
    const i = Number(path.basename(l.file, '.ts').slice(1));
    const rendered = finalizeDashboard(l.dashboard, { uid: l.defaultUid, specPath: l.file }) as unknown as Record<string, unknown>;
    rows[i]!.equal = compareDashboards(rows[i]!.source, rendered).length === 0;
  }
  const own = rows.slice(0, -1);
  const equalOwn = own.filter((r) => r.equal === true).length;
  const table = rows
    .map(
      (r) =>
        `| ${r.name} | ${r.panels} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.lines} | ${r.raws} | ${r.verbatims} | ${r.equal === true ? 'yes' : 'NO'} |`,
    )
    .join('\n');
  const md = `## Dashboard import: round trip and import time (\`import-dashboards\`)

Each of this repo's rendered dashboards (\`dashboards/*.ts\` through \`loadProject\`) and NVIDIA's published dcgm-exporter
dashboard is imported with \`importGrafanaDashboard\`; the generated modules are then written to a project folder and
rendered by the real dashboard loader (tsc type check, then tsx) and \`finalizeDashboard\`, and compared with the source by
\`compareDashboards\` (equality except the fields listed in docs/import-dashboards.md).

**Round trip: ${equalOwn}/${own.length} of this repo's dashboards equivalent** (dcgm-exporter: ${rows[rows.length - 1]!.equal ? 'equivalent' : 'NOT equivalent'}); ${diags.sorted().length} loader diagnostics.
Import time: ${RUNS} runs per dashboard after 3 warm-up runs, in one process; it includes the importer's own check (rendering the
module in-process, comparing, linting). Loading all ${rows.length} generated modules through the loader took ${(loadMs / 1000).toFixed(1)} s (mostly tsc).

| dashboard | panels | import median ms | p95 ms | module lines | raw() | verbatim() | round trip equal |
|---|---:|---:|---:|---:|---:|---:|---|
${table}`;
  writeSection('import-dashboards', md);
  console.log(md);
}
