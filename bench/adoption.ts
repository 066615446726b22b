/**
 * Adoption (issue #8): install-to-first-render from the packed tarball in an empty folder (npm
 * cache warm), and `vigil check` on this repository cold and warm (dashboard type checking
 * included), each against Node's bare start-up measured in the same run.
 * Run with `npm run bench adoption`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, writeSection } from './lib/report.js';

const repo = path.resolve(import.meta.dirname, '..');
const RUNS = 3;

function timed(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  execFileSync(cmd, args, { cwd, stdio: 'ignore', env: { ...process.env, npm_config_update_notifier: 'false' } });
  return performance.now() - t0;
}

export function run(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-adopt-'));
  execFileSync('npm', ['pack', '--pack-destination', tmp], { cwd: repo, stdio: 'ignore' });
  const tarball = path.join(
    tmp,
    fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'))!,
  );
  // Warm the npm cache once (the figure is for a warm cache, as on a CI runner with a cache).
  const warmup = path.join(tmp, 'warmup');
  fs.mkdirSync(warmup);
  timed('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], warmup);

  const install: number[] = [];
  const init: number[] = [];
  const render: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = path.join(tmp, `team-${i}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'llm-gateway', private: true }));
    install.push(timed('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', tarball], dir));
    const bin = path.join(dir, 'node_modules/.bin/vigil');
    init.push(timed(bin, ['init', '--team', 'ml'], dir));
    render.push(timed(bin, ['render'], dir));
    console.log(`[adoption] run ${i + 1}: install ${install[i]!.toFixed(0)} ms, init ${init[i]!.toFixed(0)} ms, first render ${render[i]!.toFixed(0)} ms`);
  }

  const cli = path.join(repo, 'bin/vigil.js');
  const cache = path.join(repo, 'node_modules/.cache/vigil');
  const cold: number[] = [];
  const warm: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    fs.rmSync(cache, { recursive: true, force: true });
    cold.push(timed(process.execPath, [cli, 'check', '--strict'], repo));
    warm.push(timed(process.execPath, [cli, 'check', '--strict'], repo));
    bare.push(timed(process.execPath, ['-e', ''], repo));
  }
  fs.rmSync(tmp, { recursive: true, force: true });

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const total = median(install.map((x, i) => x + init[i]! + render[i]!));
  const md = [
    '## Adoption: install to first render, and `vigil check` with type checking',
    '',
    `Method: \`npm pack\` of this repository; the tarball installed into ${RUNS} empty folders in turn (\`npm install --prefer-offline --save-dev <tarball>\`, npm cache warmed by one install before timing), then \`vigil init --team ml\` and the first \`vigil render\`, each a fresh process, medians of ${RUNS}. \`vigil check --strict\` on this repository (6 dashboard modules type-checked, making 9 dashboards; 7 SLOs; 5 alert packs): cold = the compiler cache (\`node_modules/.cache/vigil\`) removed first, warm = the next run; Node's bare start-up (\`node -e ''\`) in the same loop as the floor; medians of ${RUNS}.`,
    '',
    '| step | median |',
    '|---|---:|',
    `| \`npm install\` of the tarball (warm cache) | ${s(median(install))} |`,
    `| \`vigil init\` | ${s(median(init))} |`,
    `| first \`vigil render\` (type check, render, write) | ${s(median(render))} |`,
    `| **install to first render** | **${s(total)}** |`,
    `| \`vigil check --strict\`, this repository, cold | ${s(median(cold))} |`,
    `| \`vigil check --strict\`, this repository, warm | ${s(median(warm))} (goal ≤ 1.5 s: ${median(warm) <= 1500 ? '**pass**' : '**FAIL**'}) |`,
    `| Node start-up alone (floor) | ${s(median(bare))} |`,
    '',
    `Warm check / cold check: ${(median(warm) / median(cold)).toFixed(2)}x; warm check / Node start-up: ${(median(warm) / median(bare)).toFixed(1)}x.`,
  ];
  writeSection('adoption', md.join('\n'));
}
