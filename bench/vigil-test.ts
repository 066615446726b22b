/**
 * `vigil test` time (issue 11, item 6): this repository and 20 / 100 synthetic SLOs, new runner
 * (shape proofs, split test files, parallel promtool) against the old one measured in the same
 * run (`--full-proofs --no-split --jobs 1`: every SLO's full scenarios, test files as rendered,
 * one tool at a time). Wall time of the whole command, and promtool CPU time (user + sys, summed
 * over every promtool process through a PATH wrapper around /usr/bin/time).
 * Run with `npm run bench vigil-test`; VIGIL_TEST_BENCH_RUNS sets the runs per case (default 3).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, writeSection } from './lib/report.js';
import { writeSyntheticSpecs } from './render/synthetic-specs.js';

const repo = path.resolve(import.meta.dirname, '..');
const work = path.join(repo, 'bench/.work/vigil-test');
const RUNS = Number(process.env.VIGIL_TEST_BENCH_RUNS ?? 3);
const OLD = ['--full-proofs', '--no-split', '--jobs', '1'];

interface Sample {
  wallS: number;
  promtoolCpuS: number;
  promtoolRuns: number;
}

function promtoolWrapper(): { dir: string; log: string } {
  const dir = path.join(work, 'bin');
  const log = path.join(work, 'promtool.log');
  fs.mkdirSync(dir, { recursive: true });
  const real = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
  if (!real) throw new Error('promtool not on PATH');
  fs.writeFileSync(path.join(dir, 'promtool'), `#!/bin/sh\nexec /usr/bin/time -a -o "${log}" -f "%U %S" "${real}" "$@"\n`, { mode: 0o755 });
  return { dir, log };
}

function once(root: string, extra: readonly string[], wrapper: { dir: string; log: string }): Sample {
  fs.rmSync(wrapper.log, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'bench/vigil-test/cli.ts'), 'test', '--root', root, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${wrapper.dir}:${process.env.PATH}` },
    maxBuffer: 64 << 20,
  });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`vigil test ${extra.join(' ')} failed on ${root}:\n${r.stderr.slice(-4000)}`);
  const lines = fs.readFileSync(wrapper.log, 'utf8').trim().split('\n');
  const promtoolCpuS = lines.reduce((sum, l) => sum + l.split(' ').reduce((a, x) => a + Number(x), 0), 0);
  return { wallS, promtoolCpuS, promtoolRuns: lines.length };
}

function measure(root: string, extra: readonly string[], runs: number, wrapper: { dir: string; log: string }) {
  const samples = Array.from({ length: runs }, () => once(root, extra, wrapper));
  return { wallS: median(samples.map((s) => s.wallS)), cpuS: median(samples.map((s) => s.promtoolCpuS)), runs, procs: samples[0]!.promtoolRuns };
}

export function run(): void {
  fs.mkdirSync(work, { recursive: true });
  const wrapper = promtoolWrapper();
  const cases: { name: string; root: string; slos: number; oldRuns: number }[] = [
    { name: 'this repository', root: repo, slos: 7, oldRuns: RUNS },
    { name: '20 synthetic SLOs (4 files × 5)', root: path.join(work, 'slos-20'), slos: 20, oldRuns: 1 },
    // The old runner needs several CPU-minutes here; set VIGIL_TEST_BENCH_OLD_100=1 to measure it once.
    { name: '100 synthetic SLOs (20 files × 5)', root: path.join(work, 'slos-100'), slos: 100, oldRuns: process.env.VIGIL_TEST_BENCH_OLD_100 ? 1 : 0 },
  ];
  writeSyntheticSpecs(cases[1]!.root, 4, 5);
  writeSyntheticSpecs(cases[2]!.root, 20, 5);
  const rows: string[] = [];
  const perSlo: number[] = [];
  const wallPerSlo: number[] = [];
  for (const c of cases) {
    const fresh = measure(c.root, [], RUNS, wrapper);
    const old = c.oldRuns > 0 ? measure(c.root, OLD, c.oldRuns, wrapper) : undefined;
    const oldText = old ? `${old.wallS.toFixed(1)} | ${old.cpuS.toFixed(1)} | ${(old.cpuS / fresh.cpuS).toFixed(1)}×` : 'not run | not run | –';
    console.log(`${c.name}: new ${fresh.wallS.toFixed(1)} s wall, ${fresh.cpuS.toFixed(1)} s promtool; old ${oldText}`);
    perSlo.push(fresh.cpuS);
    wallPerSlo.push(fresh.wallS);
    rows.push(`| ${c.name} | ${fresh.wallS.toFixed(1)} | ${fresh.cpuS.toFixed(1)} | ${fresh.procs} | ${oldText} | ${fresh.runs} / ${old?.runs ?? 0} |`);
  }
  const marginal = (perSlo[2]! - perSlo[1]!) / 80;
  const wallMarginal = (wallPerSlo[2]! - wallPerSlo[1]!) / 80;
  writeSection(
    'vigil-test',
    `## vigil test

\`npm run bench vigil-test\`: \`vigil test\` as a child process (CLI from source), wall time of the
whole command and promtool CPU time (user + sys of every promtool process, logged by a PATH wrapper
around \`/usr/bin/time\`); medians of the runs given. **new**: shape proofs (the first SLO of each rule
shape runs the full scenarios, later ones one short scenario of their own), test files split so
each test loads only the rule groups it reads, plus one empty-world test per split file, promtool
runs in parallel (${os.availableParallelism()} here). **old**, in the same run: \`vigil test ${OLD.join(' ')}\`
(every SLO's full scenarios, each test file with its whole rule file, one tool at a time), which is
what \`vigil test\` did before. Synthetic SLOs: \`bench/render/synthetic-specs.ts\` (4 indicator kinds,
periods 30d/28d/7d, groupBy, overrides; 5 SLOs a file).

| project | new wall s | new promtool CPU s | promtool runs | old wall s | old promtool CPU s | CPU old/new | runs new / old |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${rows.join('\n')}

Per additional SLO, from 20 to 100 synthetic SLOs: **${marginal.toFixed(2)} s** of promtool CPU and **${wallMarginal.toFixed(2)} s** of wall time on ${os.availableParallelism()} cores (goal: ≤ 0.5 s of promtool time per additional SLO; ${wallMarginal <= 0.5 ? 'met' : 'missed'} as wall time, ${marginal <= 0.5 ? 'met' : 'missed'} as CPU time).

The machine was shared with other engineers' builds and tests while this ran (load average
${os.loadavg()[0]!.toFixed(1)} at the end on ${os.cpus().length} cores): wall times are medians and
noisy, CPU times are steadier; compare only rows of one run.`,
  );
}
