import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeRecord } from '../src/rollback/adapters/decision-log-records.js';
import type { DecisionRecord } from '../src/rollback/ports.js';
import { TRIGGER_NODE_OPTIONS } from '../src/generate/kubernetes/rollback-trigger-manifests.js';
import { median, writeSection } from './lib/report.js';

const SIZES = [10_000, 100_000, 1_000_000];
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DAY = 86_400_000;
const RETENTION = 30 * DAY;
const LOADER = pathToFileURL(path.resolve(import.meta.dirname, '../node_modules/tsx/dist/loader.mjs')).href;
/** The start-up child, for both flavours (it imports dist/ or src/). */
const CHILD = path.join(import.meta.dirname, 'lib', 'rollback-restart-child.mjs');
const ROOT = path.resolve(import.meta.dirname, '..');

/** How the child runs: the compiled package as the image runs it, or the sources through tsx (development). */
type Flavour = 'compiled' | 'tsx';
const childArgs = (flavour: Flavour, dir: string): string[] =>
  flavour === 'compiled'
    ? ['--expose-gc', ...TRIGGER_NODE_OPTIONS.split(' '), CHILD, dir, String(RETENTION), 'compiled']
    : ['--expose-gc', '--import', LOADER, CHILD, dir, String(RETENTION), 'tsx'];

interface Start {
  ms: number;
  rss: number;
  heap: number;
  maxRss: number;
  rssBefore: number;
  decisions: number;
  compactions: number;
}

/**
 * Writes a decision log of `n` decisions straight to `decisions.jsonl` (as the trigger writes
 * them: one dry-run decision per alert, five labels), spread evenly over the last `spanMs`.
 */
async function writeLog(dir: string, n: number, spanMs: number): Promise<number> {
  await fs.mkdir(dir, { recursive: true });
  const out = await fs.open(path.join(dir, 'decisions.jsonl'), 'w');
  const now = Date.now();
  let chunk: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(now - spanMs + Math.floor((i / n) * spanMs)).toISOString();
    const fp = `${(i * 2654435761).toString(16).padStart(16, '0').slice(-16)}`;
    const d: DecisionRecord = {
      type: 'decision',
      id: `d-${(now - spanMs + i).toString(36)}-${i.toString(16).padStart(10, '0')}`,
      key: `${fp}|${at}`,
      at,
      correlationId: `c-${i.toString(36)}`,
      verdict: 'dry-run',
      reason: `dry run: would serve variant stable of flag mv-m${i % 50} in /srv/flags.json`,
      alert: {
        fingerprint: fp,
        startsAt: at,
        labels: { alertname: 'ErrorBudgetBurn', slo: 'gpu-inference-availability', service: 'gpu-inference', severity: 'critical', model: `m${i % 50}` },
        source: 'alertmanager',
      },
      rule: 'r',
      targetName: 't',
      target: `flagd:/srv/flags.json#mv-m${i % 50}`,
      action: { kind: 'flagdFlag', file: '/srv/flags.json', flag: `mv-m${i % 50}`, variant: 'stable' },
    };
    chunk.push(encodeRecord(d));
    if (chunk.length === 10_000) {
      await out.write(chunk.join(''));
      chunk = [];
    }
  }
  await out.write(chunk.join(''));
  await out.close();
  return (await fs.stat(path.join(dir, 'decisions.jsonl'))).size;
}

function start(flavour: Flavour, dir: string): Promise<Start> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs(flavour, dir), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Start) : reject(new Error(`restart child exited with ${code}`))));
  });
}

/** One row: a fresh log of `n` decisions over `spanMs`; the first start (scan + compaction), then later starts. */
async function measure(flavour: Flavour, root: string, n: number, spanMs: number) {
  const first: Start[] = [];
  const later: Start[] = [];
  let bytes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const dir = path.join(root, `s-${n}-${spanMs}-${r}`);
    bytes = await writeLog(dir, n, spanMs);
    first.push(await start(flavour, dir));
    later.push(await start(flavour, dir));
    await fs.rm(dir, { recursive: true, force: true });
  }
  return { n, spanDays: spanMs / DAY, bytes, first, later };
}

const mib = (b: number) => (b / 2 ** 20).toFixed(0);

/** Trigger restart time and memory after 10k / 100k / 1M decisions in the log. */
export async function run(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bench-restart-'));
  const rows: string[] = [];
  try {
    // 1M decisions all within retention would only scale the last row up: memory follows what is kept.
    const cases: [Flavour, number, string, number][] = [
      ...SIZES.map((n): [Flavour, number, string, number] => ['compiled', 365 * DAY, 'over a year', n]),
      ...SIZES.slice(0, 2).map((n): [Flavour, number, string, number] => ['compiled', 20 * DAY, 'all within retention', n]),
      ['tsx', 365 * DAY, 'over a year', 1_000_000],
    ];
    // The compiled flavour runs dist/: build it from the sources being measured.
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    for (const [flavour, spanMs, what, n] of cases) {
      const m = await measure(flavour, root, n, spanMs);
      const med = (xs: Start[], f: (x: Start) => number) => median(xs.map(f));
      rows.push(
        `| ${n.toLocaleString('en')} ${what} | ${flavour} | ${mib(m.bytes)} MiB | ${m.first[0]!.decisions.toLocaleString('en')} | ${med(m.first, (x) => x.ms).toFixed(0)} ms | ${mib(med(m.first, (x) => x.maxRss))} MiB | ${med(m.later, (x) => x.ms).toFixed(0)} ms | ${mib(med(m.later, (x) => x.maxRss))} MiB | ${mib(med(m.later, (x) => x.rss))} MiB | ${mib(med(m.later, (x) => x.heap))} MiB | ${mib(med(m.later, (x) => x.rssBefore))} MiB |`,
      );
      console.log(rows.at(-1));
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
  const md = `## Rollback trigger restart: time and memory after 10k / 100k / 1M decisions

Method: the bench writes \`decisions.jsonl\` directly (checksummed records as the trigger writes
them: dry-run decisions with five labels, about 600 bytes each), spread evenly either over the
last 365 days or over the last 20 days, then starts \`FileDecisionLog.open\` + \`RollbackTrigger.start\`
(retention 30d, the default) in a fresh Node process and reports the wall time of that start-up,
peak RSS during it, RSS and live heap (after a forced GC) after it, and the RSS of the same process
just before (Node, the loaded modules and, for tsx, the compiler: the floor). "compiled" runs the
built JavaScript (\`dist/\`, built by the bench) with the trigger container's node options
(\`${TRIGGER_NODE_OPTIONS}\`): what the image runs; "tsx" runs the sources as in development. "first start" streams the whole log, drops what retention lets
go and compacts the rest into the snapshot (write, fsync, rename, fsync dir); "next start" is a
restart after that (snapshot + empty tail): what a running trigger sees, since it compacts whenever
the tail passes 64 MiB. Medians of ${ROUNDS} rounds, each on a fresh log. Load average when the run started: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores.

Decisions are interned as they are loaded and kept (\`src/rollback/app/intern-decisions.ts\`): labels, reason,
rule, target and action are shared between the decisions that repeat them. Measured by hand before
that change on this machine, quiet, same log (1M over a year, 82k kept, compiled, default node options):
next start 658 ms, live heap 94.5 MiB, RSS 206 MiB.

| decisions in the log | runs as | log size | kept in memory | first start | its peak RSS | next start | its peak RSS | RSS after it | live heap after GC | RSS before start |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Goal for 1M decisions: RSS < 150 MiB and restart < 2 s. Memory and time follow the decisions
*kept* (within retention), not the history: a decision costs memory only until retention drops it.`;
  writeSection('rollback-restart', md);
  console.log(md);
}
