/**
 * SLO rule cost and accuracy (issue 2's first figure): vigil's tiled recording rules against the
 * Sloth and Pyrra rule shapes and the exact raw-window alert form, on backfilled synthetic data in
 * a real Prometheus 2.42. Writes the `slo-rules` section of BENCHMARKS.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareFiring, maxAbsError, maxRelError, type Comparison } from './slo-rules/accuracy.js';
import { MINUTE, scenario, writeOpenMetrics, type Scenario } from './slo-rules/data.js';
import { Prom, backfillOpenMetrics } from '../test/support/prometheus-server.js';
import { recordLevel } from './slo-rules/record.js';
import {
  BASE_VARIANTS,
  BUDGET,
  baseRuleShapes,
  PAIRS,
  exactPeriodRatio,
  exactRatio,
  levels,
  plainShape,
  pyrraShape,
  slothShape,
  vigilShape,
  vigilVariant,
  type Rule,
  type Shape,
} from './slo-rules/shapes.js';
import { writeSection } from './lib/report.js';

const WORK = path.resolve(import.meta.dirname, '.work/slo-rules');
/** Raw series counts; SLO_BENCH_N=100 runs the small case alone (a quick check). */
const SERIES_COUNTS: readonly number[] = process.env.SLO_BENCH_N ? process.env.SLO_BENCH_N.split(',').map(Number) : [100, 1000];
const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

interface CostRow {
  shape: string;
  rule: string;
  samples: number;
}

interface Accuracy {
  pairs: { pair: (typeof PAIRS)[number]; cmp: Comparison }[];
  windowErr: { w: string; max: number; atMs: number; median: number }[];
  period: {
    vigilRatio: number;
    vigilRemainingAbs: number;
    vigilRemainingRel: number;
    slothRatio: number;
    slothRemainingAbs: number;
    slothRemainingRel: number;
    exactMin: number;
    exactMax: number;
    remMin: number;
    remMax: number;
  };
  steps: number;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 3 : 2)}%`;
const log = (msg: string) => console.log(`[slo-rules ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** The window a vigil record belongs to (`slo:errors:rate30m` → 30m), else its role. */
function vigilGroup(r: Rule): string {
  if (r.alert) return 'alerts';
  const m = /:rate(\w+)$/.exec(r.record!);
  return m ? m[1]! : 'constants and budget remaining';
}

export async function run(): Promise<void> {
  const t0 = Date.now();
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const s = scenario();
  // Evaluation grid: minute-aligned, a few minutes before the last sample (as a live server would be).
  const T = s.endMs - 5 * MINUTE;
  const evalFrom = s.evalFromMs + 5 * MINUTE;
  const vigil = await vigilShape(path.join(WORK, 'root'));
  // SLO_BENCH_VARIANTS=0 leaves out the base-rule accuracy variants (each records a full hierarchy: most of the run time).
  const variants =
    process.env.SLO_BENCH_VARIANTS === '0' ? [] : BASE_VARIANTS.map((v) => ({ ...v, shape: vigilVariant(vigil.shape, vigil.sloId, v.suffix, v.base) }));
  const shapes: Shape[] = [vigil.shape, slothShape(), pyrraShape(), plainShape(), ...variants.map((v) => v.shape)];
  const baseShapes = baseRuleShapes(vigil.shape, vigil.sloId);
  fs.writeFileSync(path.join(WORK, 'vigil.rules.yaml'), vigil.ruleFileText);

  const costs = new Map<number, CostRow[]>();
  const evalMs = new Map<number, Map<string, EvalTime>>();
  const phases: string[] = [];
  let accuracy: Accuracy | undefined;
  const variantAcc = new Map<string, Accuracy>();
  for (const n of SERIES_COUNTS) {
    const dir = path.join(WORK, `n${n}`);
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    let t = Date.now();
    const om = path.join(dir, 'raw.om.txt');
    const { samples } = writeOpenMetrics(om, s, n);
    await backfillOpenMetrics(om, dataDir);
    fs.rmSync(om);
    phases.push(`N=${n}: ${fmtInt(samples)} raw samples generated and backfilled in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    log(phases.at(-1)!);

    const prom = new Prom(dataDir, path.join(dir, 'prometheus.log'));
    await prom.start();
    try {
      t = Date.now();
      const ranges = rangePlan(s, T, evalFrom, n === SERIES_COUNTS[0]);
      const byLevel: Rule[][] = [];
      for (const shape of shapes) levels(shape.rules).forEach((l, i) => (byLevel[i] ??= []).push(...l.map((r) => ({ ...r, shape: shape.name }) as Rule)));
      for (const [i, level] of byLevel.entries()) {
        await recordLevel(prom, level, (r) => ranges(r as Rule & { shape: string }), dir, dataDir);
        log(`N=${n}: recorded level ${i} (${level.length} rules)`);
      }
      phases.push(`N=${n}: ${byLevel.length} rule levels recorded in ${((Date.now() - t) / 1000).toFixed(0)} s`);

      const rows: CostRow[] = [];
      for (const shape of shapes) {
        for (const r of shape.rules) {
          const { samples: q } = await prom.instant(r.expr, T);
          rows.push({ shape: shape.name, rule: shape.name.startsWith('vigil') ? vigilGroup(r) : (r.record ?? `alert ${r.alert}`), samples: q });
        }
      }
      costs.set(n, rows);
      log(`N=${n}: costs ${shapes.map((sh) => `${sh.name} ${fmtInt(sum(rows, sh.name))}`).join(', ')}`);
      t = Date.now();
      evalMs.set(n, await measureEvalTime(prom, [...shapes, ...baseShapes], T));
      phases.push(`N=${n}: ${EVAL_CYCLES} evaluation cycles of every shape in ${((Date.now() - t) / 1000).toFixed(0)} s`);
      log(`${phases.at(-1)!}: ${[...evalMs.get(n)!].map(([k, v]) => `${k} ${v.median.toFixed(2)} ms`).join(', ')}`);

      if (n === SERIES_COUNTS[0]) {
        t = Date.now();
        accuracy = await measureAccuracy(prom, vigil.sloId, evalFrom, T);
        variantAcc.set('__vigil__', accuracy);
        for (const v of variants) variantAcc.set(v.shape.name, await measureAccuracy(prom, `${vigil.sloId}-${v.suffix}`, evalFrom, T));
        phases.push(`N=${n}: accuracy (${accuracy.steps} one-minute steps, 7 windows × 2 forms, 4 pairs) in ${((Date.now() - t) / 1000).toFixed(0)} s`);
        log(phases.at(-1)!);
      }
    } finally {
      await prom.stop();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const md = report(s, T, evalFrom, costs, evalMs, accuracy!, phases, (Date.now() - t0) / 1000) + '\n\n' + variantReport(costs, evalMs, variantAcc, variants);
  writeSection('slo-rules', md);
  log('wrote BENCHMARKS.md section slo-rules');
}

/** Evaluation cycles per shape; the median is reported. */
const EVAL_CYCLES = 11;

interface EvalTime {
  /** Median over the cycles of Σ evalTotalTime of the shape's rules, in ms. */
  median: number;
  min: number;
  max: number;
  /** Median per rule group (vigil: window), in ms. */
  byRule: Map<string, number>;
}

/**
 * Evaluation time of one rule cycle per shape: every rule expression, in rule order, as an
 * instant query at T with `stats=all`, summing the engine's `evalTotalTime` (what the rule manager
 * spends in the query engine for the rule; it also appends the result). The shapes take turns
 * within each cycle, so load from elsewhere on the machine hits them alike; medians over
 * EVAL_CYCLES cycles. Live rule evaluation cannot be used: the backfilled data ends days ago.
 */
async function measureEvalTime(prom: Prom, shapes: readonly Shape[], T: number): Promise<Map<string, EvalTime>> {
  const cycles = new Map<string, number[]>(shapes.map((sh) => [sh.name, []]));
  const perRule = new Map<string, Map<string, number[]>>(shapes.map((sh) => [sh.name, new Map()]));
  for (const r of shapes[0]!.rules) await prom.instant(r.expr, T); // warm the caches once
  for (let c = 0; c < EVAL_CYCLES; c++) {
    for (const sh of shapes) {
      let total = 0;
      const byRule = perRule.get(sh.name)!;
      const cycleByRule = new Map<string, number>();
      for (const r of sh.rules) {
        const ms = (await prom.instant(r.expr, T)).evalSeconds * 1000;
        total += ms;
        const key = sh.name.startsWith('vigil') ? vigilGroup(r) : (r.record ?? `alert ${r.alert}`);
        cycleByRule.set(key, (cycleByRule.get(key) ?? 0) + ms);
      }
      for (const [k, v] of cycleByRule) byRule.set(k, [...(byRule.get(k) ?? []), v]);
      cycles.get(sh.name)!.push(total);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return new Map(
    shapes.map((sh) => {
      const xs = cycles.get(sh.name)!;
      const byRule = new Map([...perRule.get(sh.name)!].map(([k, v]) => [k, median(v)]));
      return [sh.name, { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), byRule }];
    }),
  );
}

/**
 * What range each rule is recorded over. The vigil hierarchy (errors/total) and Sloth's 5m ratio
 * are read back over 30 days by longer windows, so they cover all the data; the series only the
 * accuracy check reads cover its window; everything else only needs to exist at the cost time T.
 */
function rangePlan(s: Scenario, T: number, evalFrom: number, withAccuracy: boolean) {
  const atT: [number, number] = [T - 10 * MINUTE, T];
  const acc: [number, number] = withAccuracy ? [evalFrom, T] : atT;
  return (r: Rule & { shape: string }): [number, number] => {
    if (r.shape.startsWith('vigil')) return /^slo:(errors|total|events|good)(_rise)?:/.test(r.record!) ? [s.startMs, T] : acc;
    if (r.shape === 'Sloth') {
      if (r.record === 'slo:sli_error:ratio_rate5m') return [s.startMs, T];
      if (/ratio_rate30d|period_/.test(r.record!)) return acc;
      return atT;
    }
    return atT;
  };
}

function sum(rows: readonly CostRow[], shape: string, filter: (r: CostRow) => boolean = () => true): number {
  return rows.filter((r) => r.shape === shape && filter(r)).reduce((a, r) => a + r.samples, 0);
}

async function measureAccuracy(prom: Prom, sloId: string, from: number, to: number): Promise<Accuracy> {
  const sel = `{slo="${sloId}"}`;
  const vig = new Map<string, Float64Array>();
  const ex = new Map<string, Float64Array>();
  for (const w of WINDOWS) {
    vig.set(w, await prom.range(`slo:burn_rate:rate${w}${sel}`, from, to, MINUTE));
    ex.set(w, await prom.range(exactRatio(w), from, to, MINUTE));
  }
  const pairs = [];
  for (const p of PAIRS) {
    // vigil: its own alert expression, evaluated by Prometheus.
    const expr = `slo:burn_rate:rate${p.long}${sel} > ${p.factor} and slo:burn_rate:rate${p.short}${sel} > ${p.factor}`;
    const v = await prom.range(expr, from, to, MINUTE);
    const exL = ex.get(p.long)!;
    const exS = ex.get(p.short)!;
    const thr = p.factor * BUDGET;
    const exact = Array.from(exL, (x, i) => x > thr && exS[i]! > thr);
    pairs.push({
      pair: p,
      cmp: compareFiring(
        exact,
        Array.from(v, (x) => !Number.isNaN(x)),
      ),
    });
  }
  // Per-window ratio error where the exact ratio is above the budget (where alerts are decided).
  const windowErr = WINDOWS.map((w) => {
    const v = vig.get(w)!.map((x) => x * BUDGET);
    const e = ex.get(w)!;
    const { max, at } = maxRelError(v, e, BUDGET);
    const rel: number[] = [];
    for (let i = 0; i < v.length; i++) if (e[i]! >= BUDGET && !Number.isNaN(v[i]!)) rel.push(Math.abs(v[i]! - e[i]!) / e[i]!);
    rel.sort((a, b) => a - b);
    return { w, max, atMs: at >= 0 ? from + at * MINUTE : NaN, median: rel[Math.floor(rel.length / 2)] ?? NaN };
  });
  const exactP = await prom.range(exactPeriodRatio, from, to, MINUTE);
  const vigP = await prom.range(`slo:error_ratio:rate30d${sel}`, from, to, MINUTE);
  const vigRem = await prom.range(`slo:error_budget_remaining:ratio${sel}`, from, to, MINUTE);
  const sloth = '{sloth_id="api-availability"}';
  const slothP = await prom.range(`slo:sli_error:ratio_rate30d${sloth}`, from, to, MINUTE);
  const slothRem = await prom.range(`slo:period_error_budget_remaining:ratio${sloth}`, from, to, MINUTE);
  const exactRem = exactP.map((x) => 1 - x / BUDGET);
  // Relative error of the remaining budget is undefined where it crosses zero: measured where
  // at least 10% of the budget is left or overspent, and as an absolute share of the budget.
  return {
    pairs,
    windowErr,
    period: {
      vigilRatio: maxRelError(vigP, exactP).max,
      vigilRemainingAbs: maxAbsError(vigRem, exactRem),
      vigilRemainingRel: maxRelError(vigRem, exactRem, 0.1).max,
      slothRatio: maxRelError(slothP, exactP).max,
      slothRemainingAbs: maxAbsError(slothRem, exactRem),
      slothRemainingRel: maxRelError(slothRem, exactRem, 0.1).max,
      exactMin: Math.min(...exactP.filter((x) => !Number.isNaN(x))),
      exactMax: Math.max(...exactP.filter((x) => !Number.isNaN(x))),
      remMin: Math.min(...exactRem.filter((x) => !Number.isNaN(x))),
      remMax: Math.max(...exactRem.filter((x) => !Number.isNaN(x))),
    },
    steps: exactP.length,
  };
}

function report(
  s: Scenario,
  T: number,
  evalFrom: number,
  costs: Map<number, CostRow[]>,
  evalMs: Map<number, Map<string, EvalTime>>,
  acc: Accuracy,
  phases: string[],
  seconds: number,
): string {
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  const out: string[] = [];
  const pass = (ok: boolean) => (ok ? '**pass**' : '**FAIL**');
  out.push('## SLO rule cost and accuracy (`slo-rules`)');
  out.push('');
  out.push(
    'One 99.9%/30d availability SLO (`http_requests_total{job="api"}`, errors `code=~"5.."`) in vigil\'s rule shape (rendered by vigil\'s generator), ' +
      "Sloth's 17-rule shape and Pyrra's default shape (both written from their documented output), on synthetic data backfilled into " +
      `Prometheus 2.42 (Debian \`/usr/bin/prometheus\`): ${s.days} days of 1-minute samples of N raw series (N/2 instances × code 200/500), ` +
      'diurnal traffic (~8× trough to peak, instances log-normally weighted and shifted by up to ±3 h, quieter weekends), each instance scraped at its own ' +
      `phase within the minute (rule evaluation and scrapes are not aligned), background error ratio ${s.background}.`,
  );
  out.push('');
  out.push('Bursts:');
  for (const b of s.bursts)
    out.push(`- ${b.name}: ${iso(s.startMs + b.startMin * MINUTE)} UTC, ${b.durMin} min, ${pct(b.ratio)} of requests on ${pct(b.share)} of instances`);
  out.push('');
  out.push(
    'Method: raw data via `promtool tsdb create-blocks-from openmetrics`; recording rules backfilled level by level (a level reads only raw data and earlier levels) by ' +
      'range-querying each rule at the 60 s evaluation interval and backfilling the results as blocks, restarting Prometheus after each level. ' +
      '(`promtool tsdb create-blocks-from rules` does the same range queries but writes one 2h block per group and 2h chunk; it took 80–94 s per level at N = 100 ' +
      "in a trial run, ~1,900 blocks per level, so ten levels would not fit the time budget.) Ranges recorded: vigil's errors/total hierarchy and Sloth's 5m ratio over all the data " +
      "(longer windows read them back 30 days); the ratio, burn-rate and period series over the accuracy window; Sloth's raw-window and Pyrra's rules only around the cost time T. " +
      `**Cost**: every rule expression of each shape (recording and alerting) run once as an instant query at T = ${iso(T)} UTC with \`stats=all\`; ` +
      '`totalQueryableSamples` summed. **Accuracy** (N = 100 only: every vigil window above 5m reads one recorded series whatever N): one-minute steps over ' +
      `${iso(evalFrom)} → ${iso(T)} UTC (every step has 30 days of history); vigil's alert expressions as rendered vs the exact form ` +
      '`sum(rate(err[W]))/sum(rate(total[W])) > F×B` on both windows; exact period ratio = counted errors / counted requests over 30d (counter differences, no extrapolation).',
  );
  out.push('');
  out.push('### Samples per evaluation cycle');
  out.push('');
  const n1 = SERIES_COUNTS[0]!;
  const n2 = SERIES_COUNTS.at(-1)!;
  const c1 = costs.get(n1)!;
  const c2 = costs.get(n2)!;
  out.push(`| shape | N = ${n1} | N = ${n2} | vigil ÷ shape (N = ${n1}) | vigil ÷ shape (N = ${n2}) |`);
  out.push('|---|---:|---:|---:|---:|');
  const MAIN = ['vigil', 'Sloth', 'Pyrra', 'plain recorded'];
  const totals = (rows: CostRow[]) => Object.fromEntries(MAIN.map((sh) => [sh, sum(rows, sh)]));
  const t1 = totals(c1);
  const t2 = totals(c2);
  const ratio = (vigil: number, other: number) =>
    other >= vigil ? `1/${(other / vigil).toFixed(other / vigil < 10 ? 1 : 0)}` : `${(vigil / other).toFixed(1)}×`;
  for (const sh of MAIN) out.push(`| ${sh} | ${fmtInt(t1[sh]!)} | ${fmtInt(t2[sh]!)} | ${ratio(t1.vigil!, t1[sh]!)} | ${ratio(t2.vigil!, t2[sh]!)} |`);
  out.push('');
  out.push('### Evaluation time per cycle');
  out.push('');
  out.push(
    `Σ \`evalTotalTime\` (the query engine's own timing, \`stats=all\`) of every rule of the shape, run in rule order as instant queries at T; the shapes take turns within each cycle; median (min–max) over ${EVAL_CYCLES} cycles. ` +
      'This is the time the rule manager spends in the engine per evaluation (it also appends the results); live rule evaluation cannot be timed on this data, which ends days before the run. ' +
      '"plain recorded": the 5m ratio `sum(rate(err[5m])) / sum(rate(total[5m]))` recorded from raw series (one range read per series), every longer window (30m … 3d, 30d) `avg_over_time` of the recorded 5m ratio, and the four alert pairs: the cheap, inexact design (its history here is Sloth\'s recorded 5m ratio, the same expression).',
  );
  out.push('');
  const e1 = evalMs.get(n1)!;
  const e2 = evalMs.get(n2)!;
  const ms = (e: EvalTime) => `${e.median.toFixed(2)} (${e.min.toFixed(2)}–${e.max.toFixed(2)})`;
  out.push(`| shape | ms N = ${n1} | ms N = ${n2} | vigil ÷ shape (N = ${n1}) | vigil ÷ shape (N = ${n2}) |`);
  out.push('|---|---:|---:|---:|---:|');
  for (const sh of MAIN) {
    const a = e1.get(sh)!;
    const b = e2.get(sh)!;
    out.push(`| ${sh} | ${ms(a)} | ${ms(b)} | ${ratio(e1.get('vigil')!.median, a.median)} | ${ratio(e2.get('vigil')!.median, b.median)} |`);
  }
  out.push('');
  out.push('vigil per window (ms, median per cycle; errors + total + error ratio + burn rate of that window):');
  out.push('');
  out.push(`| vigil rules | ms N = ${n1} | ms N = ${n2} |`);
  out.push('|---|---:|---:|');
  for (const [g, v] of e1.get('vigil')!.byRule) out.push(`| ${g} | ${v.toFixed(3)} | ${(e2.get('vigil')!.byRule.get(g) ?? NaN).toFixed(3)} |`);
  out.push('');
  out.push('What the issue 11 changes bought: the base rules (the only rules that read raw series, and the sums recorded from them at 5m) alone, same cycles:');
  out.push('');
  out.push(`| base rules | ms N = ${n1} | ms N = ${n2} |`);
  out.push('|---|---:|---:|');
  for (const [name, e] of e1) if (name.startsWith('base rules:')) out.push(`| ${name.slice('base rules: '.length)} | ${ms(e)} | ${ms(e2.get(name)!)} |`);
  out.push('');
  out.push('vigil per window (errors + total + error ratio + burn rate of that window):');
  out.push('');
  out.push(`| vigil rules | N = ${n1} | N = ${n2} | grows with N? |`);
  out.push('|---|---:|---:|---|');
  const groups = [...new Set(c1.filter((r) => r.shape === 'vigil').map((r) => r.rule))];
  let longerGrow = false;
  for (const g of groups) {
    const a = sum(c1, 'vigil', (r) => r.rule === g);
    const b = sum(c2, 'vigil', (r) => r.rule === g);
    const grows = b > a;
    if (g !== '5m' && grows) longerGrow = true;
    out.push(`| ${g === '5m' ? '5m (base: reads raw series)' : g} | ${fmtInt(a)} | ${fmtInt(b)} | ${grows ? 'yes' : 'no'} |`);
  }
  out.push('');
  out.push('Sloth and Pyrra per rule (N = ' + n1 + ' / N = ' + n2 + '):');
  out.push('');
  out.push('| shape | rule | N = ' + n1 + ' | N = ' + n2 + ' |');
  out.push('|---|---|---:|---:|');
  for (const sh of ['Sloth', 'Pyrra']) {
    const rows1 = c1.filter((r) => r.shape === sh);
    const rows2 = c2.filter((r) => r.shape === sh);
    rows1.forEach((r, i) => {
      if (r.samples > 0 || rows2[i]!.samples > 0) out.push(`| ${sh} | \`${r.rule}\` | ${fmtInt(r.samples)} | ${fmtInt(rows2[i]!.samples)} |`);
    });
  }
  out.push('');
  out.push('### Alert timing vs the exact raw-window form (N = ' + n1 + ')');
  out.push('');
  out.push('Delays in minutes (one step = one 1-minute evaluation); positive = vigil later. An episode is one exact firing interval.');
  out.push('');
  out.push('| pair | episodes | max start delay | max stop delay | missed | spurious (lengths, min) | flapping episodes | start ≤ 1 | stop ≤ 5 |');
  out.push('|---|---:|---:|---:|---:|---|---:|---|---|');
  let timingOk = true;
  for (const { pair, cmp } of acc.pairs) {
    const hit = cmp.episodes.filter((e) => !Number.isNaN(e.startDelay));
    const maxStart = hit.length ? Math.max(...hit.map((e) => e.startDelay)) : NaN;
    const maxStop = hit.length ? Math.max(...hit.map((e) => e.stopDelay)) : NaN;
    const startOk = cmp.missed === 0 && !(maxStart > 1);
    const stopOk = cmp.missed === 0 && !(maxStop > 5);
    if (!startOk || !stopOk) timingOk = false;
    out.push(
      `| ${pair.tier} ${pair.long}/${pair.short} @${pair.factor} | ${cmp.episodes.length} | ${fmtN(maxStart)} | ${fmtN(maxStop)} | ${cmp.missed} | ${cmp.spurious.length ? cmp.spurious.join(', ') : '—'} | ${cmp.episodes.filter((e) => e.pieces > 1).length} | ${pass(startOk)} | ${pass(stopOk)} |`,
    );
  }
  out.push('');
  out.push('Episodes (exact start → stop UTC; vigil start / stop delay in minutes):');
  out.push('');
  for (const { pair, cmp } of acc.pairs) {
    const list = cmp.episodes.map(
      (e) =>
        `${iso(evalFrom + e.exact[0] * MINUTE).slice(5)} → ${iso(evalFrom + e.exact[1] * MINUTE).slice(11)} (${fmtN(e.startDelay)} / ${fmtN(e.stopDelay)})`,
    );
    out.push(`- ${pair.long}/${pair.short}: ${list.join('; ') || 'none'}`);
  }
  out.push('');
  out.push('Per-window error ratio, vigil vs exact, over steps where the exact ratio ≥ the budget (0.1%):');
  out.push('');
  out.push('| window | max relative error | at (UTC) | median |');
  out.push('|---|---:|---|---:|');
  for (const w of acc.windowErr) out.push(`| ${w.w} | ${pct(w.max)} | ${Number.isNaN(w.atMs) ? '—' : iso(w.atMs)} | ${pct(w.median)} |`);
  out.push('');
  out.push('### Period (30d) error ratio and budget remaining vs exact (N = ' + n1 + ')');
  out.push('');
  const p = acc.period;
  out.push(
    `Exact period ratio over the window: ${pct(p.exactMin)} … ${pct(p.exactMax)}; budget remaining ${p.remMax.toFixed(3)} … ${p.remMin.toFixed(3)} (it crosses zero, so its relative error is taken where |remaining| ≥ 0.1, and also given as an absolute share of the budget).`,
  );
  out.push('');
  out.push('| shape | period ratio: max rel. error | remaining: max rel. error (|exact| ≥ 0.1) | remaining: max abs. error (share of budget) |');
  out.push('|---|---:|---:|---:|');
  out.push(`| vigil | ${pct(p.vigilRatio)} | ${pct(p.vigilRemainingRel)} | ${p.vigilRemainingAbs.toFixed(4)} |`);
  out.push(`| Sloth | ${pct(p.slothRatio)} | ${pct(p.slothRemainingRel)} | ${p.slothRemainingAbs.toFixed(4)} |`);
  out.push('');
  out.push('### Goals');
  out.push('');
  const g1 = [n1, n2].map((n) => {
    const tt = n === n1 ? t1 : t2;
    return { n, sloth: tt.vigil! * 20 <= tt.Sloth!, pyrra: tt.vigil! * 100 <= tt.Pyrra! };
  });
  for (const g of g1) out.push(`- N = ${g.n}: samples: vigil ≤ 1/20 of Sloth: ${pass(g.sloth)}; ≤ 1/100 of Pyrra: ${pass(g.pyrra)}`);
  for (const [n, e] of [
    [n1, e1],
    [n2, e2],
  ] as const) {
    const v = e.get('vigil')!.median;
    out.push(
      `- N = ${n}: evaluation time: vigil ≤ 1/20 of Sloth: ${pass(v * 20 <= e.get('Sloth')!.median)}; vigil ≤ plain recorded: ${pass(v <= e.get('plain recorded')!.median)}`,
    );
    const floor = [...e].find(([name]) => name.startsWith('base rules: floor'));
    if (floor)
      out.push(
        `  - the floor of any exact tile (the two reads above, nothing else) is ${ratio(floor[1].median, e.get('Sloth')!.median)} of Sloth and ${ratio(floor[1].median, e.get('plain recorded')!.median)} of plain recorded at N = ${n}`,
      );
  }
  out.push(`- Every vigil window longer than 5m costs the same at N = ${n2} as at N = ${n1}: ${pass(!longerGrow)}`);
  out.push(`- Every page and ticket alert starts ≤ 1 evaluation after and stops ≤ 5 min after the exact form, on every episode: ${pass(timingOk)}`);
  out.push(
    `- Period ratio within 0.1% of exact: ${pass(p.vigilRatio <= 0.001)}; budget remaining within 1% (where |remaining| ≥ 0.1): ${pass(p.vigilRemainingRel <= 0.01)}`,
  );
  out.push('');
  out.push('Run: ' + phases.join('; ') + `; total ${(seconds / 60).toFixed(1)} min (machine ${os.cpus().length} cores, shared).`);
  return out.join('\n');
}

/** Candidate base rules measured in the same run (not what vigil generates today). */
function variantReport(
  costs: Map<number, CostRow[]>,
  evalMs: Map<number, Map<string, EvalTime>>,
  accs: Map<string, Accuracy>,
  variants: { suffix: string; text: string; shape: Shape }[],
): string {
  const ns = [...costs.keys()];
  const out: string[] = ['### Other base-window rules (same run, same data)', ''];
  if (variants.length === 0) {
    out.push('Not measured in this run (`SLO_BENCH_VARIANTS=0`): each variant records a whole rule hierarchy over 32 days.');
    return out.join('\n');
  }
  out.push("Each variant is vigil's rule file with only the two base (5m) rules changed; every longer window still tiles the recorded 5m series.");
  out.push('');
  out.push(
    'vigil generates, per raw read, the rise `sum(clamp_min(max_over_time(x[5m]) - x offset 5m, 0)) / 300` (the newest sample minus the one 5m ago when no counter restarted, ' +
      'so consecutive tiles meet at a shared sample and add up to the exact counter increase) plus the resets `sum(x < x offset 5m) / 300` (the value counted since a restart; ' +
      'the data here has no resets), and one read serves errors and total when the errors are the total metric with extra matchers (split by `label_replace` after a first sum). ' +
      'The earlier design, `rate(x[5m])`, sees 5 samples spanning 4 minutes with 1-minute scrapes and extrapolates the 5th (the gap to the previous ' +
      'tile) from its own average: tiled, every window counts 4 of each 5 minutes exactly and guesses the 5th, so bursts are over- or under-counted ' +
      "(up to +25% in a burst's first minutes, a ±5%-scale wobble of the period ratio). Windows that end at the newest sample lag by the scrape " +
      'phase (< 1 scrape interval), which costs at most one evaluation of stop delay.',
  );
  out.push('');
  out.push(
    `| base rule | ${ns.map((n) => `samples N = ${n}`).join(' | ')} | ${ns.map((n) => `eval ms N = ${n}`).join(' | ')} | start / stop delay max per pair (1h/5m, 6h/30m, 1d/2h, 3d/6h) | missed / spurious | max window error (30m…3d) | period ratio error | remaining error (|exact| ≥ 0.1) |`,
  );
  out.push(`|---|${ns.map(() => '---:').join('|')}|${ns.map(() => '---:').join('|')}|---|---|---:|---:|---:|`);
  const rows = [
    {
      name: 'vigil',
      text: 'as generated: rise + resets, one read for errors and total',
    },
    ...variants.map((v) => ({ name: v.shape.name, text: v.text })),
  ];
  for (const r of rows) {
    const a = r.name === 'vigil' ? accs.get('__vigil__') : accs.get(r.name);
    if (!a) continue;
    const delays = a.pairs.map(({ cmp }) => {
      const hit = cmp.episodes.filter((e) => !Number.isNaN(e.startDelay));
      return `${fmtN(Math.max(...hit.map((e) => e.startDelay)))}/${fmtN(Math.max(...hit.map((e) => e.stopDelay)))}`;
    });
    const missed = a.pairs.reduce((x, p) => x + p.cmp.missed, 0);
    const spurious = a.pairs.reduce((x, p) => x + p.cmp.spurious.length, 0);
    const winErr = Math.max(...a.windowErr.filter((w) => w.w !== '5m').map((w) => w.max));
    out.push(
      `| ${r.text} | ${ns.map((n) => fmtInt(sum(costs.get(n)!, r.name))).join(' | ')} | ${ns.map((n) => evalMs.get(n)!.get(r.name)!.median.toFixed(2)).join(' | ')} | ${delays.join(', ')} | ${missed} / ${spurious} | ${pct(winErr)} | ${pct(a.period.vigilRatio)} | ${pct(a.period.vigilRemainingRel)} |`,
    );
  }
  return out.join('\n');
}

function fmtN(x: number): string {
  return Number.isNaN(x) ? '—' : String(x);
}
