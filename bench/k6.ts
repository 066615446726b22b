/**
 * `vigil k6 verify` on a 10 MB k6 summary (issue #15's figure): wall time and peak RSS of the
 * command in a fresh process, for the handleSummary form and the --summary-export form, against
 * two baselines measured in the same run the same way: verify on a 2 KB summary (the floor:
 * Node, tsx, modules and loading the project) and reading + JSON.parse of the whole 10 MB file
 * (what a non-streaming reader would pay). Run with `npm run bench k6`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, writeSection } from './lib/report.js';

const LOADER = pathToFileURL(path.resolve(import.meta.dirname, '../node_modules/tsx/dist/loader.mjs')).href;
const CHILD = path.resolve(import.meta.dirname, 'lib/k6-verify-child.ts');
const ROOT = path.resolve(import.meta.dirname, '../test/k6/fixtures/shop');
const SMALL = path.resolve(import.meta.dirname, '../test/k6/fixtures/summaries/checkout-pass.summary-export.json');
const TARGET_BYTES = 10 * 1024 * 1024;
const RUNS = 5;

const trend = (x: number) => ({ avg: x, min: x / 3, med: x * 0.9, max: x * 4, 'p(50)': x * 0.9, 'p(90)': x * 1.5, 'p(95)': x * 1.7, 'p(99)': x * 2.1 });

/**
 * A summary of a script that tags every request by one of many endpoints (a sub-metric of
 * http_req_duration and http_req_failed each) and holds many checks in root_group, until it is
 * 10 MB; the checkout SLOs' metrics are in it, all within objective.
 */
function bigSummary(form: 'handleSummary' | 'summary-export'): string {
  const metric = (type: string, contains: string, values: Record<string, number>) => (form === 'handleSummary' ? { type, contains, values } : values);
  const rate = (passes: number, fails: number) =>
    form === 'handleSummary'
      ? metric('rate', 'default', { rate: passes / (passes + fails), passes, fails })
      : { passes, fails, value: passes / (passes + fails) };
  const parts: string[] = [];
  const head = {
    http_reqs: metric('counter', 'default', { count: 45000, rate: 50 }),
    http_req_duration: metric('trend', 'time', trend(120)),
    'http_req_failed{endpoint:/v1/cart}': rate(4, 9996),
    'http_req_failed{endpoint:/v1/pay}': rate(28, 34972),
    vigil_slow_checkout_latency: rate(225, 44775),
  };
  for (const [k, v] of Object.entries(head)) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  let size = parts.join(',').length;
  const checks: string[] = [];
  for (let i = 0; size < TARGET_BYTES * 0.7; i++) {
    const p = `${JSON.stringify(`http_req_duration{endpoint:/v1/items/${i}}`)}:${JSON.stringify(metric('trend', 'time', trend(100 + (i % 97))))},${JSON.stringify(`http_req_failed{endpoint:/v1/items/${i}}`)}:${JSON.stringify(rate(i % 3, 1000))}`;
    parts.push(p);
    size += p.length + 1;
  }
  for (let i = 0; size < TARGET_BYTES; i++) {
    const c = JSON.stringify({
      name: `item ${i} answers 200`,
      path: `::item ${i} answers 200`,
      id: i.toString(16).padStart(32, '0'),
      passes: 1000,
      fails: i % 2,
    });
    checks.push(c);
    size += c.length + 1;
  }
  return `{"root_group":{"name":"","path":"","id":"d41d8cd98f00b204e9800998ecf8427e","groups":[],"checks":[${checks.join(',')}]},"metrics":{${parts.join(',')}}}`;
}

interface ChildResult {
  ms: number;
  maxRssMiB: number;
  startRssMiB: number;
  code: number;
}

function child(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', LOADER, CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
      } catch {
        reject(new Error(`child ${args.join(' ')} printed ${out}`));
      }
    });
  });
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-k6-'));
  try {
    const files = { handleSummary: path.join(dir, 'handle.json'), 'summary-export': path.join(dir, 'export.json') };
    for (const [form, file] of Object.entries(files)) fs.writeFileSync(file, bigSummary(form as 'handleSummary'));
    const cases: [string, string[]][] = [
      ['verify, 2 KB summary (floor)', ['verify', SMALL, ROOT]],
      ['verify, 10 MB handleSummary', ['verify', files.handleSummary, ROOT]],
      ['verify, 10 MB --summary-export', ['verify', files['summary-export'], ROOT]],
      ['read + JSON.parse whole 10 MB file (non-streaming)', ['parse', files.handleSummary]],
    ];
    await child(cases[0]![1]); // warm the file cache and tsx's cache
    const results = new Map<string, { ms: number[]; rss: number[]; grew: number[] }>(cases.map(([n]) => [n, { ms: [], rss: [], grew: [] }]));
    for (let i = 0; i < RUNS; i++)
      for (const [name, args] of cases) {
        const r = await child(args);
        if (r.code !== 0) throw new Error(`${name}: exit ${r.code}`);
        results.get(name)!.ms.push(r.ms);
        results.get(name)!.rss.push(r.maxRssMiB);
        results.get(name)!.grew.push(r.maxRssMiB - r.startRssMiB);
      }
    const floor = results.get(cases[0]![0])!;
    const rows = cases.map(([name, args]) => {
      const r = results.get(name)!;
      const bytes = fs.statSync(args[1]!).size;
      const ms = median(r.ms);
      const rss = median(r.rss);
      console.log(`[k6] ${name}: ${ms.toFixed(0)} ms, peak RSS ${rss.toFixed(0)} MiB`);
      const size = bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
      return `| ${name} | ${size} | ${ms.toFixed(0)} ms | ${Math.min(...r.ms).toFixed(0)}–${Math.max(...r.ms).toFixed(0)} ms | ${(ms / median(floor.ms)).toFixed(2)}× | ${rss.toFixed(0)} MiB | ${median(r.grew).toFixed(0)} MiB |`;
    });
    writeSection(
      'k6',
      `## \`vigil k6 verify\` on a 10 MB k6 summary (\`npm run bench k6\`)

Method: a generated k6 end-of-test summary of ${(TARGET_BYTES / 2 ** 20).toFixed(0)} MiB in each documented form (handleSummary's data
object; the \`--summary-export\` file): a script that tags requests by thousands of endpoints (a
\`http_req_duration{endpoint:…}\` and \`http_req_failed{endpoint:…}\` sub-metric each, 70% of the bytes) and a
\`root_group\` of thousands of checks, plus the metrics of the fixture project's checkout SLOs. Each figure is
one fresh process (\`node --import tsx\`) running \`vigil k6 verify FILE --root test/k6/fixtures/shop --service
checkout\` in process, timed around the command (project load included, Node/tsx start excluded); peak RSS is
the process's \`maxRSS\`, and "growth" is the peak minus the resident set just before the measured step (the
modules the child imports first are not counted there). ${RUNS} rounds of all four, after a warm-up; medians, and the range because the machine is
shared with other engineers' builds and tests. Baselines from the same rounds: the same command on a 2 KB summary
(the floor: project load and modules), and reading plus \`JSON.parse\` of the whole 10 MB file, which a
non-streaming reader would pay before judging anything.

| run | file | median | range | time vs floor | peak RSS | growth during the step |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

The reader streams the file in 64 KiB chunks, scans past \`root_group\` and every metric no load test of the project
reads (keeping only its name), and parses the wanted members of \`metrics\` one at a time: a larger file costs scan
time, not memory.`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
