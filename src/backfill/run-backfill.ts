import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RuleGroup } from '../model/rule-group.js';
import { childCpuSeconds } from '../runtime/child-cpu.js';
import { parseDurationMs } from '../runtime/duration.js';
import { mapWithConcurrency } from '../runtime/map-with-concurrency.js';
import { evaluateLevel } from './evaluate-level.js';
import { planBackfillLevels, type BackfillPlan } from './plan-levels.js';
import { createBlocksFromOpenMetrics } from './promtool-blocks.js';
import { ScratchPrometheus } from './scratch-prometheus.js';
import { SourcePrometheus } from './source-prometheus.js';

/** What one level did. */
export interface LevelResult {
  readonly index: number;
  readonly rules: number;
  readonly records: readonly string[];
  /** Where its blocks are. */
  readonly dir: string;
  readonly blocks: number;
  readonly samples: number;
  readonly series: number;
  /** Wall time of the level (scratch Prometheus start and stop included), seconds. */
  readonly seconds: number;
  /** Of which: range queries and the OpenMetrics files (seconds). */
  readonly evaluateSeconds: number;
  /** Of which: promtool writing the blocks (seconds). */
  readonly blocksSeconds: number;
  /** CPU seconds of the promtool processes (Linux; undefined elsewhere). */
  readonly promtoolCpuSeconds?: number;
  /** CPU seconds of the scratch Prometheus the level read (levels above the first, Linux). */
  readonly prometheusCpuSeconds?: number;
}

/** Settings of one backfill run. */
export interface BackfillRun {
  /** The project's SLO rule groups, as rendered. */
  readonly groups: readonly RuleGroup[];
  /** Source Prometheus (or Thanos/Mimir query API) holding the raw series. */
  readonly url: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Blocks go to `<outDir>/level-NN/`. */
  readonly outDir: string;
  /** Interval of groups without their own. */
  readonly defaultInterval: string;
  readonly alerts?: boolean;
  /** Range queries in flight at once (default 4); promtool runs use half as many processes. */
  readonly concurrency?: number;
  readonly promtool?: string;
  readonly prometheus?: string;
  /** Per-request timeout of range queries, ms (default 120 000). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Progress lines (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

/** The plan and what every level did. */
export interface BackfillResult {
  readonly plan: BackfillPlan;
  readonly levels: readonly LevelResult[];
  readonly seconds: number;
}

/**
 * Backfills the recording rules of `groups` level by level (see `planBackfillLevels`). Level 1
 * reads the source; each later level reads a scratch Prometheus serving the blocks of the levels
 * below, with a lookback shorter than any group interval. Every level evaluates a group at the same
 * grid of timestamps (multiples of its interval), so a read `offset k × interval` lands on a
 * sample of the level below, and a sample the level below did not write reads as absent, as a
 * stale marker makes it in a live group. See docs/backfill.md for why this equals the live rules.
 */
export async function runBackfill(r: BackfillRun): Promise<BackfillResult> {
  const started = Date.now();
  const plan = planBackfillLevels(r.groups, { alerts: r.alerts ?? false });
  const say = r.progress ?? (() => undefined);
  const concurrency = Math.max(1, r.concurrency ?? 4);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-backfill-'));
  const scratchData = path.join(work, 'tsdb');
  fs.mkdirSync(scratchData);
  const intervals = r.groups.map((g) => parseDurationMs(g.interval ?? r.defaultInterval) ?? 60_000);
  const lookbackMs = Math.min(...intervals) / 2;
  const results: LevelResult[] = [];
  const n = plan.levels.length;
  try {
    for (const level of plan.levels) {
      const t0 = Date.now();
      const dir = path.join(r.outDir, `level-${String(level.index).padStart(2, '0')}`);
      const omDir = path.join(work, `level-${level.index}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.mkdirSync(omDir);
      const shown = level.records.slice(0, 4).join(', ') + (level.records.length > 4 ? ', …' : '');
      say(
        `level ${level.index}/${n}: ${level.rules} rule(s) (${shown}), ${iso(r.startMs)} → ${iso(r.endMs)}, reading ${level.index === 1 ? r.url : level.index === 2 ? 'level 1 (scratch Prometheus)' : `levels 1–${level.index - 1} (scratch Prometheus)`}`,
      );
      let scratch: ScratchPrometheus | undefined;
      let prometheusCpu: number | undefined;
      let evaluation;
      try {
        let url = r.url;
        if (level.index > 1) {
          scratch = new ScratchPrometheus({
            dataDir: scratchData,
            lookbackMs,
            logFile: path.join(work, 'scratch-prometheus.log'),
            ...(r.prometheus ? { binary: r.prometheus } : {}),
          });
          await scratch.start();
          url = scratch.url;
        }
        const api = new SourcePrometheus(url, r.timeoutMs ?? 120_000);
        evaluation = await evaluateLevel(api, level.groups, {
          startMs: r.startMs,
          endMs: r.endMs,
          defaultInterval: r.defaultInterval,
          dir: omDir,
          concurrency,
        });
        if (scratch) {
          const cpu0 = childCpuSeconds();
          await scratch.stop();
          const cpu1 = childCpuSeconds();
          if (cpu0 !== undefined && cpu1 !== undefined) prometheusCpu = cpu1 - cpu0;
        }
      } finally {
        await scratch?.stop();
      }
      const evaluated = Date.now();
      const cpu0 = childCpuSeconds();
      const blockDirs = evaluation.files.map((_, i) => path.join(work, `blocks-${level.index}-${i}`));
      await mapWithConcurrency(evaluation.files, Math.max(1, Math.floor(concurrency / 2)), (file, i) =>
        createBlocksFromOpenMetrics(file, blockDirs[i]!, { ...(r.promtool ? { binary: r.promtool } : {}), ...(r.signal ? { signal: r.signal } : {}) }),
      );
      const cpu1 = childCpuSeconds();
      let blocks = 0;
      for (const from of blockDirs) {
        for (const b of fs.readdirSync(from)) {
          if (!fs.existsSync(path.join(from, b, 'meta.json'))) continue;
          moveDir(path.join(from, b), path.join(dir, b));
          linkTree(path.join(dir, b), path.join(scratchData, b));
          blocks++;
        }
      }
      fs.rmSync(omDir, { recursive: true, force: true });
      for (const d of blockDirs) fs.rmSync(d, { recursive: true, force: true });
      const done = Date.now();
      const seconds = (done - t0) / 1000;
      say(
        `level ${level.index}/${n} done: ${evaluation.samples} sample(s) of ${evaluation.series} series in ${blocks} block(s) under ${dir}, ${seconds.toFixed(1)} s`,
      );
      results.push({
        index: level.index,
        rules: level.rules,
        records: level.records,
        dir,
        blocks,
        samples: evaluation.samples,
        series: evaluation.series,
        seconds,
        evaluateSeconds: (evaluated - t0) / 1000,
        blocksSeconds: (done - evaluated) / 1000,
        ...(cpu0 !== undefined && cpu1 !== undefined ? { promtoolCpuSeconds: cpu1 - cpu0 } : {}),
        ...(prometheusCpu !== undefined ? { prometheusCpuSeconds: prometheusCpu } : {}),
      });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { plan, levels: results, seconds: (Date.now() - started) / 1000 };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** Renames, or copies then deletes across file systems. */
function moveDir(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    fs.cpSync(from, to, { recursive: true });
    fs.rmSync(from, { recursive: true, force: true });
  }
}

/** Hard-links a block into the scratch data dir (blocks are immutable; a copy where links fail). */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) linkTree(a, b);
    else {
      try {
        fs.linkSync(a, b);
      } catch {
        fs.copyFileSync(a, b);
      }
    }
  }
}
