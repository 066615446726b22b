import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { run as vigil } from '../src/cli/main.js';
import type { ParityReport } from '../src/parity/compare-environments.js';
import { median, writeSection } from './lib/report.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = 7;

/** One in-process CLI run: exit code, output, milliseconds. */
async function timed(argv: string[]): Promise<{ code: number; stdout: string; ms: number }> {
  let stdout = '';
  const io = { cwd: ROOT, stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: () => true } };
  const t0 = performance.now();
  const code = await vigil(argv, io);
  return { code, stdout, ms: performance.now() - t0 };
}

/**
 * `vigil render --all-envs` on this repo (two environments) against a single-environment
 * `vigil render --env prod` in the same run, interleaved so both see the same machine load; and
 * `vigil parity prod staging`: its time, size and differences.
 */
export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-envs-'));
  const single: number[] = [];
  const all: number[] = [];
  const parity: number[] = [];
  // Warm-up: tsx compiles the dashboard modules once per process.
  await timed(['render', '--env', 'prod', '--out', path.join(dir, 'warm')]);
  for (let i = 0; i < RUNS; i++) {
    const s = await timed(['render', '--env', 'prod', '--out', path.join(dir, 'single')]);
    const a = await timed(['render', '--all-envs', '--out', path.join(dir, 'all')]);
    const p = await timed(['parity', 'prod', 'staging', '--format', 'json']);
    if (s.code !== 0 || a.code !== 0 || p.code !== 0) throw new Error(`render or parity failed: ${s.code} ${a.code} ${p.code}`);
    single.push(s.ms);
    all.push(a.ms);
    parity.push(p.ms);
  }
  const files = (d: string) => fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(d, f)).isFile()).length;
  const singleFiles = files(path.join(dir, 'single'));
  const allFiles = files(path.join(dir, 'all'));
  const json = (await timed(['parity', 'prod', 'staging', '--format', 'json'])).stdout;
  const text = (await timed(['parity', 'prod', 'staging'])).stdout;
  const report = JSON.parse(json) as ParityReport;
  const byKind = new Map<string, number>();
  for (const d of report.differences) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
  fs.rmSync(dir, { recursive: true, force: true });
  const [l1, l5, l15] = os.loadavg().map((x) => x.toFixed(1));
  const ms = (x: number) => `${Math.round(x)} ms`;
  writeSection(
    'envs',
    `## Environments: \`vigil render --all-envs\` and \`vigil parity\` (\`envs\`)

Method: \`npm run bench envs\`, in process through the CLI entry point (\`run(argv, io)\`), on this repo with its two
declared environments (prod, staging: one inline SLO override, a routing and a rollback-policy overlay under
\`envs/staging/\`, data source uids per environment). One warm-up render (tsx compiles the dashboard modules once per
process), then ${RUNS} rounds of \`render --env prod\` (the single-environment baseline), \`render --all-envs\` and
\`parity prod staging --format json\`, interleaved so all three see the same machine load; medians.

| measurement | result |
| --- | ---: |
| \`vigil render --env prod\` (baseline), median | ${ms(median(single))} (${singleFiles} files) |
| \`vigil render --all-envs\` (prod + staging, one atomic write), median | ${ms(median(all))} (${allFiles} files) |
| ratio all-envs / single | ${(median(all) / median(single)).toFixed(2)}x |
| \`vigil parity prod staging\`, median | ${ms(median(parity))} |
| parity: things compared | ${Object.entries(report.compared)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')} |
| parity: differences (declared / drift) | ${report.differences.length} (${report.declared} / ${report.drift}) |
| parity: differences by kind | ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')} |
| parity report size: text / JSON | ${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB (${text.split('\n').length - 1} lines) / ${(Buffer.byteLength(json) / 1024).toFixed(1)} KiB |

Each environment is loaded, validated and rendered on its own, so \`--all-envs\` costs about one
render per environment (the ratio); parity loads and validates both environments and compares the
models without rendering them. The machine is shared with other engineers' work (load average
${l1} / ${l5} / ${l15} over 1 / 5 / 15 min on ${os.cpus().length} cores at the end of this run): absolute times are upper
bounds; the ratio is the figure to compare.`,
  );
}
