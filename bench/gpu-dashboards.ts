import { gpuFleetDashboard, nvidiaDashboard, SIMULATED_FLEET, startGpuStack, withData, type DashboardCoverage } from '../test/support/gpu-dashboards.js';
import { writeSection } from './lib/report.js';

/** `N/M` panels with data. */
const ratio = (c: DashboardCoverage) => `${withData(c).length}/${c.panels.length}`;
const empty = (c: DashboardCoverage) =>
  c.panels
    .filter((p) => !p.hasData)
    .map((p) => p.title)
    .join(', ') || '—';
const variables = (c: DashboardCoverage) => c.variables.map((v) => `\`${v.name}\` ${v.values.length}`).join(', ');

/**
 * GPU dashboards: which panels of NVIDIA's dcgm-exporter dashboard and of this repo's GPU fleet
 * dashboard show data when a real Prometheus scrapes `vigil exporter --source simulated`.
 */
export async function run(): Promise<void> {
  const fleet = await gpuFleetDashboard();
  const stack = await startGpuStack(SIMULATED_FLEET);
  let results: DashboardCoverage[];
  try {
    results = [];
    for (const d of [nvidiaDashboard('current'), nvidiaDashboard('legacy'), fleet]) results.push(await stack.coverage(d));
  } finally {
    await stack.stop();
  }
  for (const c of results) console.log(`${c.dashboard.name}: ${ratio(c)} panels with data; empty: ${empty(c)}`);
  const anyEmpty = results.some((c) => c.panels.some((p) => !p.hasData));
  const note = anyEmpty
    ? 'Panels without data query series the exporter does not produce yet: the NVIDIA ones the profiling metrics from NVML GPM (issue 12, item 2), the fleet ones per-MIG-instance series (item 3).'
    : 'Every panel has data.';
  const rows = results.map((c) => `| ${c.dashboard.name} | ${c.dashboard.source} | **${ratio(c)}** | ${empty(c)} | ${variables(c)} |`);
  writeSection(
    'gpu-dashboards',
    `## GPU dashboards: panels with data (\`gpu-dashboards\`)

\`npm run bench gpu-dashboards\`: \`vigil exporter --source simulated --sim-gpus ${SIMULATED_FLEET.simGpus} --sim-mig-gpus ${SIMULATED_FLEET.simMigGpus}\`
(one node; an XID storm on GPU 5 and corrected ECC errors on GPU 4) scraped every 500 ms by a real
Prometheus 2.42 on 127.0.0.1; after 4 scrapes each panel's PromQL runs as an instant query with
Grafana's variables on "All" (\`$var\` → \`.*\`, \`$__rate_interval\`/\`$__range\` → \`1m\`). A panel has
data when one of its targets returns a series with a finite value. NVIDIA's dashboard is
\`grafana/dcgm-exporter-dashboard.json\` of NVIDIA/dcgm-exporter, two stored versions (PromQL
recorded in \`test/exporter/fixtures/dcgm-exporter-dashboard.yaml\`): *current* (Grafana 9 rework,
GPU Utilization from \`DCGM_FI_PROF_GR_ENGINE_ACTIVE\`) and *legacy* (the older Grafana 6.7
board, GPU Utilization from \`DCGM_FI_DEV_GPU_UTIL\`). The GPU fleet dashboard is
rendered from \`src/dashboards/builtin/gpu-fleet.ts\`. Variables: how many values each template
variable offers (${SIMULATED_FLEET.simGpus} GPUs exist; \`cluster\` is empty because this
Prometheus sets no external label, and "All" still matches). \`test/exporter/e2e-gpu-dashboards.test.ts\`
asserts the same sets.

| dashboard | queries from | panels with data | panels without data | variable values |
|---|---|---|---|---|
${rows.join('\n')}

${note}`,
  );
}
