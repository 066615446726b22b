/**
 * `npm run bench [NAME...]`: runs each benchmark in turn (or the named ones); each writes its own
 * section of BENCHMARKS.md. Benchmarks are modules exporting `run()`, synchronous or returning a promise.
 */
const benches: Record<string, () => Promise<{ run(): Promise<void> | void }>> = {
  exporter: () => import('./exporter.js'),
  rollback: () => import('./rollback.js'),
  'rollback-restart': () => import('./rollback-restart.js'),
  'rollback-sockets': () => import('./rollback-sockets.js'),
  'slo-rules': () => import('./slo-rules.js'),
  dashboards: () => import('./dashboards.js'),
  'gpu-dashboards': () => import('./gpu-dashboards.js'),
  render: () => import('./render.js'),
  adoption: () => import('./adoption.js'),
  'dcgm-coverage': () => import('./dcgm-coverage.js'),
  'live-check': () => import('./live-check.js'),
  'vigil-test': () => import('./vigil-test.js'),
  import: () => import('./import.js'),
  'import-dashboards': () => import('./import-dashboards.js'),
  'import-rules': () => import('./import-rules.js'),
  k6: () => import('./k6.js'),
  envs: () => import('./envs.js'),
  report: () => import('./report.js'),
  backfill: () => import('./backfill.js'),
};

const wanted = process.argv.slice(2);
for (const [name, load] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`== bench ${name}`);
  await (await load()).run();
}
