import fs from 'node:fs';
import path from 'node:path';
import type { RecordingRule, RuleGroup } from '../model/rule-group.js';
import { parseDurationMs } from '../runtime/duration.js';
import { mapWithConcurrency } from '../runtime/map-with-concurrency.js';
import type { RangeSeries, SourcePrometheus } from './source-prometheus.js';

/** Steps per range query (Prometheus refuses more than 11,000 points per series). */
const MAX_STEPS = 10_000;

/**
 * Samples are grouped in windows of 18 h from the epoch: the largest block range promtool makes
 * that is at most 24 h (it rounds --max-block-duration down to 2 h × 3^n and aligns blocks to
 * multiples of it), so each window's file becomes exactly one block.
 */
export const BLOCK_WINDOW_MS = 18 * 3_600_000;

/** A recording rule set that cannot be evaluated as Prometheus would (duplicate output series, an interval that is not whole seconds). */
export class RuleEvaluationError extends Error {
  override name = 'RuleEvaluationError';
}

/** Settings of one level's evaluation. */
export interface EvaluateLevelOptions {
  readonly startMs: number;
  readonly endMs: number;
  /** Interval of groups that set none. */
  readonly defaultInterval: string;
  /** One OpenMetrics file per 18 h window goes here (`window-<n>.om`). */
  readonly dir: string;
  /** Range queries in flight at once. */
  readonly concurrency: number;
}

/** What one level produced: samples and series written, and the window files holding them. */
export interface LevelEvaluation {
  readonly samples: number;
  readonly series: number;
  readonly files: readonly string[];
}

/**
 * Evaluates a level's recording rules over [startMs, endMs] the way a rule group does: at every
 * multiple of the group's interval (the same grid for every level, so a read `offset k × interval`
 * lands on a sample a lower level wrote), one range query per rule and 18 h window, the rule's labels
 * over the result's and `__name__` set to the record name; exactly what `promtool tsdb
 * create-blocks-from rules` asks. The samples go to OpenMetrics files, one per window, each series
 * of a window contiguous and in time order, for `promtool tsdb create-blocks-from openmetrics`.
 */
export async function evaluateLevel(api: SourcePrometheus, groups: readonly RuleGroup[], o: EvaluateLevelOptions): Promise<LevelEvaluation> {
  interface Task {
    readonly rule: RecordingRule;
    readonly group: string;
    readonly fromMs: number;
    readonly toMs: number;
    readonly stepMs: number;
    readonly window: number;
  }
  const tasks: Task[] = [];
  for (const g of groups) {
    const stepMs = parseDurationMs(g.interval ?? o.defaultInterval);
    if (stepMs === undefined || stepMs <= 0 || stepMs % 1000 !== 0)
      throw new RuleEvaluationError(`group ${g.name}: interval ${g.interval ?? o.defaultInterval} is not a whole number of seconds`);
    const first = Math.ceil(o.startMs / stepMs) * stepMs;
    const last = Math.floor(o.endMs / stepMs) * stepMs;
    for (let w = Math.floor(first / BLOCK_WINDOW_MS); w * BLOCK_WINDOW_MS <= last; w++) {
      const fromMs = Math.max(first, Math.ceil((w * BLOCK_WINDOW_MS) / stepMs) * stepMs);
      const toMs = Math.min(last, Math.floor(((w + 1) * BLOCK_WINDOW_MS - 1) / stepMs) * stepMs);
      if (toMs < fromMs) continue;
      for (const r of g.rules) if ('record' in r) tasks.push({ rule: r, group: g.name, fromMs, toMs, stepMs, window: w });
    }
  }
  const fds = new Map<number, number>();
  const fileOf = (w: number) => path.join(o.dir, `window-${w}.om`);
  let samples = 0;
  let series = 0;
  try {
    await mapWithConcurrency(tasks, o.concurrency, async (t) => {
      // Prometheus answers at most 11,000 points per series; short intervals take several queries, in time order.
      const result: RangeSeries[] = [];
      for (let from = t.fromMs; from <= t.toMs; from += MAX_STEPS * t.stepMs) {
        result.push(...(await api.queryRange(t.rule.expr, from, Math.min(t.toMs, from + (MAX_STEPS - 1) * t.stepMs), t.stepMs)));
      }
      // One recorded series may come from several result series: a rule whose `or` joins a
      // branch with only its `on` labels to one with all of them gives, once the rule's labels are
      // set, the same series from either branch at different steps. Prometheus fails a rule only
      // when two results share the labels at one evaluation: at one timestamp here.
      const bySeries = new Map<string, Map<number, string>>();
      for (const s of mergeSeries(result)) {
        const id = seriesText({ ...s.metric, ...t.rule.labels, __name__: t.rule.record });
        let values = bySeries.get(id);
        if (!values) bySeries.set(id, (values = new Map<number, string>()));
        for (const [ts, v] of s.values) {
          // Whole seconds (the grid is), so promtool reads back the exact millisecond.
          const at = Math.round(ts);
          if (values.has(at))
            throw new RuleEvaluationError(
              `group ${t.group}, rule ${t.rule.record}: two result series have the labels ${id} at ${new Date(at * 1000).toISOString()} once the rule's labels are set (Prometheus fails this rule too)`,
            );
          values.set(at, v);
        }
      }
      let text = '';
      for (const [id, values] of bySeries) {
        series++;
        for (const at of [...values.keys()].sort((a, b) => a - b)) {
          text += `${id} ${values.get(at)!} ${at}\n`;
          samples++;
        }
      }
      if (text === '') return;
      let fd = fds.get(t.window);
      if (fd === undefined) fds.set(t.window, (fd = fs.openSync(fileOf(t.window), 'w')));
      fs.writeSync(fd, text);
    });
  } finally {
    for (const fd of fds.values()) {
      fs.writeSync(fd, '# EOF\n');
      fs.closeSync(fd);
    }
  }
  return { samples, series, files: [...fds.keys()].sort((a, b) => a - b).map(fileOf) };
}

/** Series of consecutive range queries joined by labels, values in time order. */
function mergeSeries(parts: readonly RangeSeries[]): RangeSeries[] {
  if (parts.length <= 1) return [...parts];
  const byLabels = new Map<string, { metric: RangeSeries['metric']; values: (readonly [number, string])[] }>();
  for (const p of parts) {
    const key = JSON.stringify(Object.entries(p.metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const into = byLabels.get(key);
    if (into) into.values.push(...p.values);
    else byLabels.set(key, { metric: p.metric, values: [...p.values] });
  }
  return [...byLabels.values()];
}

/** `name{k="v",...}` in OpenMetrics text, labels sorted. */
function seriesText(labels: Record<string, string>): string {
  const { __name__: name, ...rest } = labels;
  const keys = Object.keys(rest).sort();
  if (keys.length === 0) return name!;
  return `${name}{${keys.map((k) => `${k}="${rest[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}
