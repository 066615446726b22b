/**
 * Recording-rule backfill, level by level. Same method as `promtool tsdb create-blocks-from rules`
 * (a range query per rule at the 60 s evaluation interval against the server, results written as
 * blocks), but the output goes through `create-blocks-from openmetrics` with long blocks: promtool's
 * rules importer writes one 2h block per rule group and 2h chunk (~1,900 blocks for one level of
 * 32 days) and took 80–94 s per level at N = 100 here, ten times this path (see BENCHMARKS.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { backfillOpenMetrics, type Prom } from '../../test/support/prometheus-server.js';
import type { Rule } from './shapes.js';

const STEP_MS = 60_000;
/** Prometheus refuses range queries of more than 11,000 points per series. */
const CHUNK_STEPS = 7 * 1440;

interface RangeResult {
  metric: Record<string, string>;
  values: [number, string][];
}

async function rangeAll(prom: Prom, query: string, fromMs: number, toMs: number): Promise<RangeResult[]> {
  const bySeries = new Map<string, RangeResult>();
  for (let t = fromMs; t <= toMs; t += CHUNK_STEPS * STEP_MS) {
    const end = Math.min(toMs, t + (CHUNK_STEPS - 1) * STEP_MS);
    const body = new URLSearchParams({ query, start: String(t / 1000), end: String(end / 1000), step: String(STEP_MS / 1000) });
    const res = await fetch(`${prom.url}/api/v1/query_range`, { method: 'POST', body });
    const json = (await res.json()) as { status: string; error?: string; data: { result: RangeResult[] } };
    if (json.status !== 'success') throw new Error(`range query failed: ${json.error}: ${query}`);
    for (const r of json.data.result) {
      const key = JSON.stringify(Object.entries(r.metric).sort());
      const prev = bySeries.get(key);
      if (prev) prev.values.push(...r.values);
      else bySeries.set(key, r);
    }
  }
  return [...bySeries.values()];
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * Evaluates `rules` (all of one level: they read only raw data and earlier levels) over each
 * rule's range, writes the series as the rule would have recorded them (`__name__` = record,
 * rule labels over the result's), backfills them into `dataDir` and restarts the server.
 */
export async function recordLevel(prom: Prom, rules: readonly Rule[], rangeOf: (r: Rule) => [number, number], workDir: string, dataDir: string): Promise<void> {
  const file = path.join(workDir, 'level.om.txt');
  const fd = fs.openSync(file, 'w');
  // Samples per recorded series: result series that differ only by labels the rule sets (an `or`
  // branch with only its `on` labels, the other with all) are one recorded series.
  const bySeries = new Map<string, Map<number, string>>();
  // Two at a time: the server has two cores and each range query uses one.
  const queue = [...rules];
  const worker = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) {
      const [from, to] = rangeOf(r);
      const series = await rangeAll(prom, r.expr, from, to);
      for (const s of series) {
        const labels = { ...s.metric, ...(r.labels ?? {}) };
        delete labels.__name__;
        const lbl = Object.entries(labels)
          .sort()
          .map(([k, v]) => `${k}="${esc(v)}"`)
          .join(',');
        const id = `${r.record}{${lbl}}`;
        let values = bySeries.get(id);
        if (!values) bySeries.set(id, (values = new Map<number, string>()));
        for (const [t, v] of s.values) values.set(t, v);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  for (const [id, values] of bySeries) {
    let chunk = '';
    for (const t of [...values.keys()].sort((a, b) => a - b)) {
      chunk += `${id} ${values.get(t)!} ${t}\n`;
      if (chunk.length > 1 << 20) {
        fs.writeSync(fd, chunk);
        chunk = '';
      }
    }
    fs.writeSync(fd, chunk);
  }
  fs.writeSync(fd, '# EOF\n');
  fs.closeSync(fd);
  await backfillOpenMetrics(file, dataDir);
  fs.rmSync(file);
  await prom.restart();
}
