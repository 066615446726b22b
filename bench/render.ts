/**
 * Render speed (issue 2): `vigil render` of 1,000 and 10,000 synthetic SLOs (50 and 500 files),
 * as a separate process of the built CLI, against a floor measured in the same run: read the
 * input files + JSON.stringify the generated rule objects + write those bytes.
 * Run with `npm run bench render` (builds dist/ first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { median, writeSection } from './lib/report.js';
import { writeSyntheticSpecs } from './render/synthetic-specs.js';

const repo = path.resolve(import.meta.dirname, '..');
const work = path.join(repo, 'bench/.work/render');
const RUNS = 3;

interface Measure {
  wallMs: number;
  maxRssMiB: number;
}

function renderOnce(root: string, out: string): Measure {
  fs.rmSync(out, { recursive: true, force: true });
  const script = `const t0 = performance.now(); const { run } = await import(${JSON.stringify(path.join(repo, 'dist/src/cli/main.js'))}); const io = { stdout: { write() {} }, stderr: process.stderr, cwd: process.cwd() }; const code = await run(['render', '--root', ${JSON.stringify(root)}, '--out', ${JSON.stringify(out)}], io); process.stdout.write(JSON.stringify({ code, ms: performance.now() - t0, rss: process.resourceUsage().maxRSS }));`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`render failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout) as { code: number; rss: number };
  if (res.code !== 0) throw new Error(`render exited ${res.code}: ${r.stderr}`);
  return { wallMs, maxRssMiB: res.rss / 1024 };
}

/** Untimed set-up of the floors' scripts: load the specs under `root`, then `by`: service → its SLO rule groups. */
function groupsByService(root: string): string {
  return `
    const { loadSlos } = await import(${JSON.stringify(path.join(repo, 'dist/src/load/load-slos.js'))});
    const { Diagnostics } = await import(${JSON.stringify(path.join(repo, 'dist/src/diagnostics.js'))});
    const { generateSloRuleGroup } = await import(${JSON.stringify(path.join(repo, 'dist/src/generate/prometheus/slo-rules.js'))});
    const slos = await loadSlos(${JSON.stringify(root)}, new Diagnostics());
    const by = new Map(); for (const s of slos) by.set(s.service, [...(by.get(s.service) ?? []), generateSloRuleGroup(s)]);`;
}

function floorOnce(root: string, out: string): { ms: number; ruleBytes: number } {
  fs.rmSync(out, { recursive: true, force: true });
  const script = `
    import fs from 'node:fs'; import path from 'node:path';
    ${groupsByService(root)}
    const dir = path.join(${JSON.stringify(root)}, 'slos');
    const t0 = performance.now();
    let inBytes = 0; for (const f of fs.readdirSync(dir)) inBytes += fs.readFileSync(path.join(dir, f)).length;
    fs.mkdirSync(${JSON.stringify(out)}, { recursive: true });
    let bytes = 0;
    for (const [service, groups] of by) { const text = JSON.stringify({ groups }); bytes += text.length; fs.writeFileSync(path.join(${JSON.stringify(out)}, service + '.json'), text); }
    process.stdout.write(JSON.stringify({ ms: performance.now() - t0, bytes, inBytes }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`floor failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout) as { ms: number; bytes: number };
  return { ms: res.ms, ruleBytes: res.bytes };
}

/**
 * Second floor: the `yaml` package's stringify + parse of the same rule objects (what a generic
 * YAML library costs for the rule files alone), in a fresh process, groups built before timing.
 */
function yamlFloorOnce(root: string): number {
  const script = `
    import { parse, stringify } from 'yaml';
    ${groupsByService(root)}
    const t0 = performance.now();
    for (const groups of by.values()) parse(stringify({ groups }, { lineWidth: 0 }));
    process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`yaml floor failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { ms: number }).ms;
}

/** The rule path alone, in a fresh process: load + validate specs, generate rule groups, render and write the rule files. */
function rulesOnlyOnce(root: string, out: string): number {
  fs.rmSync(out, { recursive: true, force: true });
  const script = `
    import fs from 'node:fs'; import path from 'node:path';
    const t0 = performance.now();
    const { loadSlos } = await import(${JSON.stringify(path.join(repo, 'dist/src/load/load-slos.js'))});
    const { Diagnostics } = await import(${JSON.stringify(path.join(repo, 'dist/src/diagnostics.js'))});
    const { generateSloRuleGroup } = await import(${JSON.stringify(path.join(repo, 'dist/src/generate/prometheus/slo-rules.js'))});
    const { renderRuleFile } = await import(${JSON.stringify(path.join(repo, 'dist/src/render/rule-groups.js'))});
    const slos = await loadSlos(${JSON.stringify(root)}, new Diagnostics());
    const by = new Map(); for (const s of slos) by.set(s.service, [...(by.get(s.service) ?? []), s]);
    fs.mkdirSync(${JSON.stringify(out)}, { recursive: true });
    for (const [service, list] of by) fs.writeFileSync(path.join(${JSON.stringify(out)}, service + '.slo.rules.yaml'), renderRuleFile(list[0].source.file, list.map(generateSloRuleGroup)));
    process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`rules-only failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { ms: number }).ms;
}

function outputBytes(dir: string): Record<string, number> {
  const sizes: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else {
        const key = path.relative(dir, full).split(path.sep).slice(0, 2).join('/');
        sizes[key] = (sizes[key] ?? 0) + fs.statSync(full).size;
      }
    }
  };
  walk(dir);
  return sizes;
}

export function run(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'inherit' });
  const sizes = [
    { slos: 1000, files: 50 },
    { slos: 10000, files: 500 },
  ];
  const rows: {
    slos: number;
    wall: number;
    rss: number;
    floor: number;
    yamlFloor: number;
    rulesOnly: number;
    ruleMB: number;
    outMB: number;
    parts: Record<string, number>;
  }[] = [];
  for (const s of sizes) {
    const root = path.join(work, `specs-${s.slos}`);
    writeSyntheticSpecs(root, s.files, s.slos / s.files);
    const out = path.join(work, `out-${s.slos}`);
    const renders: Measure[] = [];
    const floors: number[] = [];
    const yamlFloors: number[] = [];
    const rulesOnly: number[] = [];
    let ruleBytes = 0;
    for (let i = 0; i < RUNS; i++) {
      renders.push(renderOnce(root, out));
      const f = floorOnce(root, path.join(work, `floor-${s.slos}`));
      floors.push(f.ms);
      yamlFloors.push(yamlFloorOnce(root));
      rulesOnly.push(rulesOnlyOnce(root, path.join(work, `rules-${s.slos}`)));
      ruleBytes = f.ruleBytes;
      console.log(`[render] ${s.slos} SLOs run ${i + 1}: render ${renders[i]!.wallMs.toFixed(0)} ms, floor ${f.ms.toFixed(0)} ms`);
    }
    renderOnce(root, out);
    const parts = outputBytes(out);
    rows.push({
      slos: s.slos,
      wall: median(renders.map((r) => r.wallMs)),
      rss: Math.max(...renders.map((r) => r.maxRssMiB)),
      floor: median(floors),
      yamlFloor: median(yamlFloors),
      rulesOnly: median(rulesOnly),
      ruleMB: ruleBytes / 1e6,
      outMB: Object.values(parts).reduce((a, b) => a + b, 0) / 1e6,
      parts,
    });
  }
  const [small, large] = rows as [(typeof rows)[0], (typeof rows)[0]];
  const md: string[] = [
    '## Render speed (SLOs)',
    '',
    `Method: synthetic specs (4 indicator kinds, periods 30d/28d/7d, groupBy, alerting overrides; 20 SLOs per file) rendered by the built CLI in a separate Node process (\`vigil render --root … --out …\`, every artifact: rules, generated promtool tests, PrometheusRule objects, Argo AnalysisTemplates, ...), wall time from spawn to exit, median of ${RUNS}; peak RSS from the process's own \`resourceUsage().maxRSS\`. Floor, same run: read every input file + \`JSON.stringify\` of the generated rule groups (built before timing) + write those bytes, median of ${RUNS}. Second floor, same run: the \`yaml\` package's \`stringify\` + \`parse\` of the same rule objects (rule files only), median of ${RUNS}.`,
    '',
    '| SLOs (files) | render wall (median) | peak RSS | floor (median) | render / floor | yaml floor (median) | render / yaml floor | rule path alone (median) | rule path / floor | output total | of which rule files | rule objects as JSON |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.slos} (${r.slos / 20}) | ${(r.wall / 1000).toFixed(2)} s | ${r.rss.toFixed(0)} MiB | ${(r.floor / 1000).toFixed(2)} s | ${(r.wall / r.floor).toFixed(1)}x | ${(r.yamlFloor / 1000).toFixed(2)} s | ${(r.wall / r.yamlFloor).toFixed(2)}x | ${(r.rulesOnly / 1000).toFixed(2)} s | ${(r.rulesOnly / r.floor).toFixed(1)}x | ${r.outMB.toFixed(0)} MB | ${((r.parts['prometheus/rules'] ?? 0) / 1e6).toFixed(0)} MB | ${r.ruleMB.toFixed(0)} MB |`,
    ),
    '',
    'The rule path alone runs in a fresh process, timed from before its modules load (Node start-up excluded): load and validate the specs, generate the rule groups, render and write only the rule files.',
    '',
    `Growth from 1,000 to 10,000 SLOs: ${(large.wall / small.wall).toFixed(1)}x (goal ≤ 11x: ${large.wall / small.wall <= 11 ? '**pass**' : '**FAIL**'}). 10,000 SLOs in ≤ 3 s: ${large.wall <= 3000 ? '**pass**' : '**FAIL**'}. 1,000 SLOs in ≤ 0.5 s: ${small.wall <= 500 ? '**pass**' : '**FAIL**'}. Peak RSS of the 10,000-SLO render ≤ 600 MiB: ${large.rss <= 600 ? '**pass**' : '**FAIL**'}.`,
    '',
    `Output of the 10,000-SLO render by folder: ${Object.entries(large.parts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${(v / 1e6).toFixed(1)} MB`)
      .join(', ')}.`,
  ];
  writeSection('render', md.join('\n'));
}
