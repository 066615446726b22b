/**
 * `vigil backfill` over 30 days of 1-minute raw data for 10 SLOs (issue 16's figure), against a
 * loopback Prometheus 2.42 holding the raw counters (written with `promtool tsdb
 * create-blocks-from openmetrics`). Measured in one run: the whole backfill per level and in total
 * (wall, and CPU of vigil, promtool and the scratch Prometheus), and two baselines on the same
 * machine: promtool writing the raw data itself, and promtool's own `create-blocks-from rules` on
 * level 1 over one day against vigil's engine on the same rules and day. Run with
 * `npm run bench backfill`; BACKFILL_BENCH_DAYS changes the range (default 30).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { evaluateLevel } from '../src/backfill/evaluate-level.js';
import { planBackfillLevels } from '../src/backfill/plan-levels.js';
import { createBlocksFromOpenMetrics } from '../src/backfill/promtool-blocks.js';
import { SourcePrometheus } from '../src/backfill/source-prometheus.js';
import type { LevelResult } from '../src/backfill/run-backfill.js';
import { run as runCli } from '../src/cli/main.js';
import { generateSloRuleGroup } from '../src/generate/prometheus/slo-rules.js';
import { renderRuleFile } from '../src/render/rule-groups.js';
import { childCpuSeconds } from '../src/runtime/child-cpu.js';
import { Prom, backfillOpenMetrics } from '../test/support/prometheus-server.js';
import { slosOf } from '../test/support/promtool.js';
import { median, writeSection } from './lib/report.js';

const execFileAsync = promisify(execFile);
const MIN = 60_000;
const DAY = 1440 * MIN;
const DAYS = Number(process.env.BACKFILL_BENCH_DAYS ?? 30);
const SERVICES = 5;
const BASELINE_RUNS = 3;

/** Five ratio SLOs and five latency SLOs (two models each, groupBy), all over 30d: 10 SLOs, 50 raw series. */
function specs(): Record<string, string> {
  const ratio = Array.from(
    { length: SERVICES },
    (_, i) => `  - name: errors-${i}
    objective: 99.9
    indicator:
      ratio:
        errors: http_requests_total{job="svc${i}", code="500"}
        total: http_requests_total{job="svc${i}"}
`,
  ).join('');
  const latency = Array.from(
    { length: SERVICES },
    (_, i) => `  - name: latency-${i}
    objective: 99
    groupBy: [model]
    indicator:
      latency:
        histogram: req_duration_seconds{job="svc${i}"}
        threshold: 1s
`,
  ).join('');
  const head = (service: string) => `apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: ${service}\nperiod: 30d\nslos:\n`;
  return { 'slos/ratio.yaml': head('ratio') + ratio, 'slos/latency.yaml': head('latency') + latency };
}

/** Writes the raw counters, one sample a minute, series after series; returns the sample count. */
function writeRaw(file: string, startMs: number, minutes: number): number {
  const fd = fs.openSync(file, 'w');
  let buf = '# TYPE http_requests counter\n';
  let samples = 0;
  const flush = (force = false) => {
    if (force || buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  };
  const series = (name: string, perMinute: (m: number) => number) => {
    let c = 0;
    for (let m = 0; m < minutes; m++) {
      c += perMinute(m);
      buf += `${name} ${c} ${(startMs + m * MIN) / 1000}\n`;
      samples++;
      flush();
    }
  };
  const daily = (m: number) => 1 + 0.5 * Math.sin((2 * Math.PI * (m % 1440)) / 1440);
  for (let i = 0; i < SERVICES; i++) {
    series(`http_requests_total{job="svc${i}",code="200"}`, (m) => Math.round(100 * daily(m)));
    series(`http_requests_total{job="svc${i}",code="500"}`, (m) => (m % 97 === i ? 1 : 0));
  }
  buf += '# TYPE req_duration_seconds histogram\n';
  for (let i = 0; i < SERVICES; i++) {
    for (const model of ['a', 'b']) {
      const n = (m: number) => Math.round(40 * daily(m));
      const lbl = (le?: string) => `{job="svc${i}",model="${model}"${le ? `,le="${le}"` : ''}}`;
      series(`req_duration_seconds_bucket${lbl('0.5')}`, (m) => Math.floor(n(m) / 2));
      series(`req_duration_seconds_bucket${lbl('1')}`, (m) => n(m) - (m % 50 === 0 ? 1 : 0));
      series(`req_duration_seconds_bucket${lbl('+Inf')}`, n);
      series(`req_duration_seconds_count${lbl()}`, n);
    }
  }
  buf += '# EOF\n';
  flush(true);
  fs.closeSync(fd);
  return samples;
}

const s = (x: number) => `${x.toFixed(1)} s`;

export async function run(): Promise<void> {
  const loadAtStart = os.loadavg()[0]!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-backfill-'));
  const root = path.join(dir, 'project');
  const dataDir = path.join(dir, 'data');
  const prom = new Prom(dataDir, path.join(dir, 'prometheus.log'));
  try {
    for (const [f, text] of Object.entries(specs())) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), text);
    }
    const start = Math.floor(Date.now() / DAY) * DAY - (DAYS + 2) * DAY;
    const end = start + DAYS * DAY;
    const raw = path.join(dir, 'raw.om');
    // An hour of history before the range: the first base windows have their earlier sample.
    const rawSamples = writeRaw(raw, start - 60 * MIN, DAYS * 1440 + 60);

    // Baseline 1: promtool writing the raw data (what it costs to move the same samples into blocks).
    const rawRuns: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < BASELINE_RUNS; i++) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.mkdirSync(dataDir);
      const cpu0 = childCpuSeconds() ?? 0;
      const t0 = performance.now();
      await backfillOpenMetrics(raw, dataDir);
      rawRuns.push({ wall: (performance.now() - t0) / 1000, cpu: (childCpuSeconds() ?? 0) - cpu0 });
    }
    fs.rmSync(raw);
    await prom.start();

    // The backfill itself, in-process through the CLI.
    const out = path.join(dir, 'blocks');
    let stdout = '';
    let stderr = '';
    const cpuVigil0 = process.cpuUsage();
    const t0 = performance.now();
    const code = await runCli(
      ['backfill', '--prometheus-url', prom.url, '--start', String(start / 1000), '--end', String(end / 1000), '--out', out, '--alerts', '--format', 'json'],
      { stdout: { write: (x: string) => (stdout += x) }, stderr: { write: (x: string) => (stderr += x) }, cwd: root },
    );
    const wall = (performance.now() - t0) / 1000;
    const cpuVigil = process.cpuUsage(cpuVigil0);
    if (code !== 0) throw new Error(`vigil backfill exited ${code}: ${stderr}`);
    const summary = JSON.parse(stdout) as { levels: LevelResult[]; alertsRecorded: number };
    const levels = summary.levels;
    const total = (f: (l: LevelResult) => number | undefined) => levels.reduce((n, l) => n + (f(l) ?? 0), 0);

    // Baseline 2: level 1 over one day, promtool's own rule backfill against vigil's engine (same rules, same source).
    const groups = slosOf(fs.readFileSync(path.join(root, 'slos/ratio.yaml'), 'utf8'), 'slos/ratio.yaml')
      .concat(slosOf(fs.readFileSync(path.join(root, 'slos/latency.yaml'), 'utf8'), 'slos/latency.yaml'))
      .map((x) => generateSloRuleGroup(x));
    const level1 = planBackfillLevels(groups).levels[0]!;
    const dayStart = start + 10 * DAY;
    const ruleFile = path.join(dir, 'level1.yaml');
    fs.writeFileSync(ruleFile, renderRuleFile('slos/', level1.groups));
    const promtoolRuns: { wall: number; blocks: number }[] = [];
    const vigilRuns: { wall: number; blocks: number }[] = [];
    for (let i = 0; i < BASELINE_RUNS; i++) {
      const a = path.join(dir, `promtool-rules-${i}`);
      let t = performance.now();
      await execFileAsync(
        'promtool',
        [
          'tsdb',
          'create-blocks-from',
          'rules',
          '--quiet',
          `--url=${prom.url}`,
          `--start=${dayStart / 1000}`,
          `--end=${(dayStart + DAY - MIN) / 1000}`,
          `--output-dir=${a}`,
          ruleFile,
        ],
        { maxBuffer: 64 << 20 },
      );
      promtoolRuns.push({ wall: (performance.now() - t) / 1000, blocks: fs.readdirSync(a).filter((b) => fs.existsSync(path.join(a, b, 'meta.json'))).length });
      const b = path.join(dir, `vigil-${i}`);
      fs.mkdirSync(b);
      t = performance.now();
      const ev = await evaluateLevel(new SourcePrometheus(prom.url), level1.groups, {
        startMs: dayStart,
        endMs: dayStart + DAY - MIN,
        defaultInterval: '1m',
        dir: b,
        concurrency: 4,
      });
      for (const f of ev.files) await createBlocksFromOpenMetrics(f, path.join(b, 'blocks'));
      vigilRuns.push({ wall: (performance.now() - t) / 1000, blocks: fs.readdirSync(path.join(b, 'blocks')).length });
    }
    const rawWall = median(rawRuns.map((r) => r.wall));
    const p1 = median(promtoolRuns.map((r) => r.wall));
    const v1 = median(vigilRuns.map((r) => r.wall));

    const rows = levels.map(
      (l) =>
        `| ${l.index} | ${l.rules} | ${l.samples.toLocaleString('en')} | ${l.blocks} | ${s(l.seconds)} | ${s(l.evaluateSeconds)} | ${s(l.blocksSeconds)} | ${s(l.promtoolCpuSeconds ?? NaN)} | ${l.prometheusCpuSeconds === undefined ? '–' : s(l.prometheusCpuSeconds)} |`,
    );
    writeSection(
      'backfill',
      `## vigil backfill: ${DAYS} days of 1-minute data, 10 SLOs

Method: ${DAYS} days of raw counters at one sample a minute (${rawSamples.toLocaleString('en')} samples, 50 series) for 10 SLOs
(5 ratio, 5 latency with \`groupBy: [model]\`, two models; all 30d, evaluation interval 1m) written with
\`promtool tsdb create-blocks-from openmetrics\` into a loopback Prometheus 2.42; then \`vigil backfill --start … --end …
--alerts\` over the ${DAYS} days, once, in-process (\`bench/backfill.ts\`). Per level: wall time (a scratch Prometheus
start/stop included for levels above 1), of which range queries + OpenMetrics and promtool writing blocks, and
CPU time of the child processes from /proc/self/stat (cutime + cstime around each). Load average when the
run began: ${loadAtStart.toFixed(1)} on ${os.cpus().length} cores (the machine is shared with other engineers' work at times: the
ratios against the baselines measured in the same run are the figures to compare, the absolute times less so).

| level | rules | samples | blocks | wall | queries | promtool | promtool CPU | scratch Prometheus CPU |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
| **total** | ${total((l) => l.rules)} | ${total((l) => l.samples).toLocaleString('en')} | ${total((l) => l.blocks)} | **${s(wall)}** | ${s(total((l) => l.evaluateSeconds))} | ${s(total((l) => l.blocksSeconds))} | ${s(total((l) => l.promtoolCpuSeconds))} | ${s(total((l) => l.prometheusCpuSeconds))} |

vigil's own CPU (range queries, OpenMetrics text): ${s((cpuVigil.user + cpuVigil.system) / 1e6)}; ${summary.alertsRecorded} burn-rate alerts were
recorded as \`ALERTS\`. The source Prometheus's CPU for level 1 is not counted (it is the long-running server).

Baselines in the same run (median of ${BASELINE_RUNS}):
- promtool writing the raw data itself: ${s(rawWall)} wall (CPU ${s(median(rawRuns.map((r) => r.cpu)))}); the whole backfill took **${(wall / rawWall).toFixed(1)}×** that.
- Level 1 (${level1.rules} rules) over one day: \`promtool tsdb create-blocks-from rules\` ${s(p1)} and
  ${median(promtoolRuns.map((r) => r.blocks))} blocks (one per rule and 2 h window); vigil's engine (range queries per
  18 h window → \`create-blocks-from openmetrics\`) ${s(v1)} and ${median(vigilRuns.map((r) => r.blocks))} block(s): **${(p1 / v1).toFixed(1)}×** faster,
  ${(median(promtoolRuns.map((r) => r.blocks)) / Math.max(1, median(vigilRuns.map((r) => r.blocks)))).toFixed(0)}× fewer blocks. This is why vigil does not run promtool's rule importer (docs/backfill.md).`,
    );
    console.log(`backfill: ${s(wall)} for ${levels.length} levels; raw import ${s(rawWall)}; level-1 day: promtool rules ${s(p1)} vs vigil ${s(v1)}`);
  } finally {
    await prom.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
