/**
 * Synthetic SLO history in a real Prometheus TSDB: raw series plus the series vigil's rules would
 * have recorded (base-window rates, burn rates, budget remaining) and the `ALERTS` samples of the
 * burn-rate alerts, written as OpenMetrics and turned into blocks by `promtool tsdb
 * create-blocks-from openmetrics`. The recorded series are computed here from the same per-minute
 * traffic as the raw ones; `createSloHistory` is the one place to switch to `vigil backfill` (which
 * computes them from the raw series) once it exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LABEL_LONG_WINDOW, LABEL_SERVICE, LABEL_SEVERITY, LABEL_SHORT_WINDOW, LABEL_SLO, sloSeries } from '../../src/conventions.js';
import { formatMinutes } from '../../src/model/duration.js';
import { baseWindowMinutes } from '../../src/model/slo-math.js';
import type { SloModel } from '../../src/model/types.js';
import { backfillOpenMetrics } from './prometheus-server.js';

/** Events of one minute (the minute ending at `start + (m + 1) min`). */
export interface MinuteTraffic {
  readonly total: number;
  readonly errors: number;
}

/** One SLO's traffic per groupBy member (ungrouped: one member with no labels). */
export interface SloTraffic {
  readonly slo: SloModel;
  readonly members: readonly { readonly labels: Readonly<Record<string, string>>; readonly minute: (m: number) => MinuteTraffic }[];
}

/** A raw series: its value (a counter's running total) after minute m. */
export interface RawSeries {
  readonly metric: string;
  readonly family: string;
  readonly type: 'counter' | 'gauge';
  readonly labels: Readonly<Record<string, string>>;
  readonly value: (m: number) => number;
}

export interface SloHistoryOptions {
  /** Unix seconds of the first sample; a multiple of 300. */
  readonly startSeconds: number;
  readonly minutes: number;
  readonly raw: readonly RawSeries[];
  readonly slos: readonly SloTraffic[];
  /** Where the OpenMetrics file goes (removed after the blocks are made). */
  readonly workDir: string;
  /** The TSDB data dir the blocks are created in. */
  readonly dataDir: string;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Cumulative totals of a member: index k = events in minutes [0, k). */
function cumulative(minutes: number, minute: (m: number) => MinuteTraffic): { total: Float64Array; errors: Float64Array } {
  const total = new Float64Array(minutes + 1);
  const errors = new Float64Array(minutes + 1);
  for (let m = 0; m < minutes; m++) {
    const t = minute(m);
    total[m + 1] = total[m]! + t.total;
    errors[m + 1] = errors[m]! + t.errors;
  }
  return { total, errors };
}

/**
 * The recorded series of one SLO at every base-window tick T (start + k × base): the base rates,
 * every recorded window's burn rate (over the history there is: vigil's tiled windows count
 * missing history as no traffic), budget remaining, and ALERTS where both windows of a pair burn
 * above its factor. Samples are stamped 1 s before T so that a query at T sees them and one at
 * T + base (lookback [t − 5m, t]) does not.
 */
function recordedLines(opts: SloHistoryOptions, traffic: SloTraffic, out: Map<string, string[]>): void {
  const { slo } = traffic;
  const base = baseWindowMinutes(slo.periodMinutes);
  const windows = [...new Set([base, slo.periodMinutes, ...slo.windows.flatMap((w) => [w.longMinutes, w.shortMinutes])])].sort((a, b) => a - b);
  const push = (family: string, line: string) => {
    let l = out.get(family);
    if (!l) out.set(family, (l = []));
    l.push(line);
  };
  for (const member of traffic.members) {
    const c = cumulative(opts.minutes, member.minute);
    const labels = { [LABEL_SLO]: slo.id, [LABEL_SERVICE]: slo.service, ...slo.labels, ...member.labels };
    for (let k = base; k <= opts.minutes; k += base) {
      const ts = opts.startSeconds + k * 60 - 1;
      const over = (w: number) => ({ e: c.errors[k]! - c.errors[Math.max(0, k - w)]!, t: c.total[k]! - c.total[Math.max(0, k - w)]! });
      const b = over(base);
      push(sloSeries.errors(formatMinutes(base)), `${sloSeries.errors(formatMinutes(base))}${labelText(labels)} ${b.e / (base * 60)} ${ts}`);
      push(sloSeries.total(formatMinutes(base)), `${sloSeries.total(formatMinutes(base))}${labelText(labels)} ${b.t / (base * 60)} ${ts}`);
      const burn = new Map<number, number>();
      for (const w of windows) {
        const o = over(w);
        const ratio = o.t > 0 ? o.e / o.t : 0;
        burn.set(w, ratio / slo.errorBudget);
        push(sloSeries.burnRate(formatMinutes(w)), `${sloSeries.burnRate(formatMinutes(w))}${labelText(labels)} ${ratio / slo.errorBudget} ${ts}`);
      }
      push(sloSeries.errorBudgetRemaining, `${sloSeries.errorBudgetRemaining}${labelText(labels)} ${1 - burn.get(slo.periodMinutes)!} ${ts}`);
      for (const w of slo.windows) {
        if (!(burn.get(w.longMinutes)! > w.factor && burn.get(w.shortMinutes)! > w.factor)) continue;
        const alert = {
          alertname: slo.alertName,
          alertstate: 'firing',
          [LABEL_SLO]: slo.id,
          [LABEL_SERVICE]: slo.service,
          [LABEL_SEVERITY]: w.severity,
          [LABEL_LONG_WINDOW]: w.long,
          [LABEL_SHORT_WINDOW]: w.short,
          ...slo.labels,
          ...member.labels,
        };
        push(`ALERTS|${JSON.stringify(alert)}`, `ALERTS${labelText(alert)} 1 ${ts}`);
      }
    }
  }
}

/** Writes raw and recorded history as OpenMetrics and makes TSDB blocks of it in `dataDir`. */
export async function createSloHistory(opts: SloHistoryOptions): Promise<void> {
  fs.mkdirSync(opts.workDir, { recursive: true });
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.workDir, 'history.om');
  const fd = fs.openSync(file, 'w');
  const families = new Map<string, RawSeries[]>();
  for (const r of opts.raw) families.set(r.family, [...(families.get(r.family) ?? []), r]);
  for (const [family, series] of families) {
    fs.writeSync(fd, `# TYPE ${family} ${series[0]!.type}\n`);
    for (const s of series) {
      const lines: string[] = [];
      for (let m = 0; m <= opts.minutes; m++) lines.push(`${s.metric}${labelText(s.labels)} ${s.value(m)} ${opts.startSeconds + m * 60}`);
      fs.writeSync(fd, `${lines.join('\n')}\n`);
    }
  }
  const recorded = new Map<string, string[]>();
  for (const t of opts.slos) recordedLines(opts, t, recorded);
  // One family per metric name; a series' samples must be contiguous and in time order.
  const byName = new Map<string, string[]>();
  for (const [key, lines] of recorded) {
    const name = key.split('|')[0]!;
    byName.set(name, [...(byName.get(name) ?? []), ...sortBySeries(lines)]);
  }
  for (const [name, lines] of byName) fs.writeSync(fd, `# TYPE ${name} gauge\n${lines.join('\n')}\n`);
  fs.writeSync(fd, '# EOF\n');
  fs.closeSync(fd);
  await backfillOpenMetrics(file, opts.dataDir);
  fs.rmSync(file);
}

/** Groups lines by their series (the text before the value), keeping time order within each. */
function sortBySeries(lines: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const l of lines) {
    const key = l.slice(0, l.lastIndexOf(' ', l.lastIndexOf(' ') - 1));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(l);
  }
  return [...groups.values()].flat();
}
