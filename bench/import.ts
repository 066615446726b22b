/**
 * Import (issue #14): time for `vigil import` to read 1,000 SLOs in each format (Sloth
 * prometheus/v1, Pyrra ServiceLevelObjective, OpenSLO v1 with inline SLIs and alert policies)
 * and produce the vigil spec files, in process, against parsing the same text with the yaml
 * package alone (the floor) measured in the same run. Run with `npm run bench import`.
 */
import { parseAllDocuments } from 'yaml';
import { opensloImporter } from '../src/import/openslo/import-openslo.js';
import { pyrraImporter } from '../src/import/pyrra/import-pyrra.js';
import type { Importer } from '../src/import/registry.js';
import type { InputFile } from '../src/import/slo-importer.js';
import { slothImporter } from '../src/import/sloth/import-sloth.js';
import { median, writeSection } from './lib/report.js';

const SLOS = 1000;
const SERVICES = 10;
const RUNS = 7;

function slothFiles(): InputFile[] {
  return Array.from({ length: SERVICES }, (_, s) => {
    const slos = Array.from({ length: SLOS / SERVICES }, (_, i) =>
      [
        `  - name: "requests-${i}"`,
        `    objective: 99.9`,
        `    sli:`,
        `      events:`,
        `        error_query: sum(rate(http_requests_total{job="svc${s}",handler="/h${i}",code=~"5.."}[{{.window}}]))`,
        `        total_query: sum(rate(http_requests_total{job="svc${s}",handler="/h${i}"}[{{.window}}]))`,
        `    alerting:`,
        `      name: HighErrorRate`,
        `      page_alert: { labels: { severity: critical } }`,
      ].join('\n'),
    );
    return { file: `sloth/svc${s}.yml`, text: `version: "prometheus/v1"\nservice: "svc${s}"\nlabels: { team: t${s} }\nslos:\n${slos.join('\n')}\n` };
  });
}

function pyrraFiles(): InputFile[] {
  return Array.from({ length: SERVICES }, (_, s) => ({
    file: `pyrra/ns${s}.yaml`,
    text: Array.from(
      { length: SLOS / SERVICES },
      (_, i) =>
        `apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: api-${i}\n  namespace: ns${s}\nspec:\n  target: "99.5"\n  window: 4w\n  indicator:\n    ratio:\n      errors:\n        metric: http_requests_total{job="api${i}",code=~"5.."}\n      total:\n        metric: http_requests_total{job="api${i}"}\n      grouping: [route]\n`,
    ).join('---\n'),
  }));
}

function opensloFiles(): InputFile[] {
  const policy = (sev: string, thr: number, lb: string) =>
    `    - kind: AlertPolicy\n      metadata: { name: ${sev}-${lb} }\n      spec:\n        conditions:\n          - kind: AlertCondition\n            metadata: { name: ${sev}-${lb} }\n            spec: { severity: ${sev}, condition: { kind: burnrate, op: gt, threshold: ${thr}, lookbackWindow: ${lb} } }\n`;
  return Array.from({ length: SERVICES }, (_, s) => ({
    file: `openslo/svc${s}.yaml`,
    text: Array.from(
      { length: SLOS / SERVICES },
      (_, i) =>
        `apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: svc${s}-slo-${i}\nspec:\n  service: svc${s}\n  indicator:\n    metadata: { name: svc${s}-sli-${i} }\n    spec:\n      ratioMetric:\n        counter: true\n        bad: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total{job="api${i}",code=~"5.."}' } } }\n        total: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total{job="api${i}"}' } } }\n  timeWindow: [{ duration: 30d, isRolling: true }]\n  budgetingMethod: Occurrences\n  objectives: [{ target: 0.999 }]\n  alertPolicies:\n${policy('critical', 14.4, '1h')}${policy('critical', 6, '6h')}`,
    ).join('---\n'),
  }));
}

function measure(importer: Importer, files: InputFile[]): { importMs: number[]; parseMs: number[]; outputs: number; imported: number } {
  const importMs: number[] = [];
  const parseMs: number[] = [];
  let outputs = 0;
  let imported = 0;
  importer.importFiles(files); // warm-up (module JIT)
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    for (const f of files) parseAllDocuments(f.text);
    parseMs.push(performance.now() - t0);
    t0 = performance.now();
    const run = importer.importFiles(files);
    importMs.push(performance.now() - t0);
    outputs = run.outputs.length;
    imported = run.objects.reduce((n, o) => n + o.produced.length, 0);
  }
  return { importMs, parseMs, outputs, imported };
}

export function run(): void {
  const rows: string[] = [];
  for (const [name, importer, files] of [
    ['sloth', slothImporter, slothFiles()],
    ['pyrra', pyrraImporter, pyrraFiles()],
    ['openslo', opensloImporter, opensloFiles()],
  ] as const) {
    const r = measure(importer, [...files]);
    if (r.imported !== SLOS) throw new Error(`${name}: imported ${r.imported} SLOs, expected ${SLOS}`);
    const bytes = files.reduce((n, f) => n + f.text.length, 0);
    const imp = median(r.importMs);
    const parse = median(r.parseMs);
    console.log(`[import] ${name}: median ${imp.toFixed(0)} ms (yaml parse alone ${parse.toFixed(0)} ms)`);
    rows.push(
      `| ${name} | ${SLOS} | ${(bytes / 1024).toFixed(0)} KiB | ${r.outputs} | ${imp.toFixed(0)} ms | ${Math.min(...r.importMs).toFixed(0)}–${Math.max(...r.importMs).toFixed(0)} ms | ${parse.toFixed(0)} ms | ${(imp / parse).toFixed(1)}× |`,
    );
  }
  writeSection(
    'import',
    `## Import: 1,000 SLOs per format (\`npm run bench import\`)

Method: generated inputs of ${SLOS} SLOs in ${SERVICES} files per format (Sloth \`prometheus/v1\` events SLIs with
alerting; Pyrra ratio SLOs with grouping; OpenSLO v1 SLOs with inline SLIs and two inline burn-rate alert
policies each). One in-process \`importer.importFiles\` call (parse with positions, map, diagnostics, render the
vigil spec files; no disk I/O) per run, ${RUNS} runs after one warm-up; the median, and the range because the
machine is shared and noisy. The floor is \`yaml.parseAllDocuments\` over the same text, timed in the same runs.

| format | SLOs | input | spec files | median | range | yaml parse alone | ratio |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}`,
  );
}
