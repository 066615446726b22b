/**
 * The rule shapes compared, all for one 99.9%/30d availability SLO over
 * `http_requests_total{job="api"}` (errors: code 5xx):
 * - vigil: rendered by vigil's own generator from a spec (what users get);
 * - Sloth: the 17-rule layout of its documented output (reference/sloth.md §2), written here;
 * - Pyrra: the default (performanceOverAccuracy: false) layout (reference/pyrra.md §2), with its
 *   window formulas applied to 30d;
 * - exact: the raw-window alert conditions every shape is judged against.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Diagnostics } from '../../src/diagnostics.js';
import { generateSloRuleGroup } from '../../src/generate/prometheus/slo-rules.js';
import { renderRuleFile } from '../../src/render/rule-groups.js';
import { loadSlos } from '../../src/load/load-slos.js';

export const ERR = 'http_requests_total{job="api",code=~"5.."}';
export const TOTAL = 'http_requests_total{job="api"}';
export const BUDGET = 0.001;

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface Shape {
  name: string;
  rules: Rule[];
}

const SPEC = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
period: 30d
slos:
  - name: availability
    objective: 99.9
    indicator:
      ratio:
        errors: ${ERR}
        total: ${TOTAL}
`;

/** vigil's rules, generated from a spec written under `root/slos/` (the CLI's own loading path). */
export async function vigilShape(root: string): Promise<{ shape: Shape; ruleFileText: string; sloId: string }> {
  fs.mkdirSync(path.join(root, 'slos'), { recursive: true });
  fs.writeFileSync(path.join(root, 'slos', 'api.yaml'), SPEC);
  const diags = new Diagnostics();
  const slos = await loadSlos(root, diags);
  if (diags.hasErrors || slos.length !== 1) throw new Error(`bench spec did not load: ${JSON.stringify(diags.items)}`);
  const text = renderRuleFile(
    'slos/api.yaml',
    slos.map((s) => generateSloRuleGroup(s)),
  );
  const doc = parse(text) as { groups: { rules: Rule[] }[] };
  return { shape: { name: 'vigil', rules: doc.groups.flatMap((g) => g.rules) }, ruleFileText: text, sloId: slos[0]!.id };
}

/** Sloth's ID labels on every SLI rule (plus `sloth_window`). */
const SLOTH_IDS = 'sloth_id="api-availability",sloth_service="api",sloth_slo="availability"';
const SLOTH_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
/** Sloth's threshold text: factor × (100 − objective)/100, unevaluated. */
const slothThr = (f: number) => `(${f} * 0.0009999999999999432)`;

export function slothShape(): Shape {
  const ids = { sloth_id: 'api-availability', sloth_service: 'api', sloth_slo: 'availability' };
  const rules: Rule[] = [];
  for (const w of SLOTH_WINDOWS) {
    rules.push({
      record: `slo:sli_error:ratio_rate${w}`,
      expr: `(sum(rate(${ERR}[${w}])))\n/\n(sum(rate(${TOTAL}[${w}])))`,
      labels: { ...ids, sloth_window: w },
    });
  }
  rules.push({
    record: 'slo:sli_error:ratio_rate30d',
    expr: `sum_over_time(slo:sli_error:ratio_rate5m{${SLOTH_IDS}}[30d])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{${SLOTH_IDS}}[30d])`,
    labels: { ...ids, sloth_window: '30d' },
  });
  const meta = (record: string, expr: string): Rule => ({ record, expr, labels: ids });
  rules.push(meta('slo:objective:ratio', 'vector(0.9990000000000001)'));
  rules.push(meta('slo:error_budget:ratio', 'vector(1-0.999)'));
  rules.push(meta('slo:time_period:days', 'vector(30)'));
  rules.push(
    meta(
      'slo:current_burn_rate:ratio',
      `slo:sli_error:ratio_rate5m{${SLOTH_IDS}}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio{${SLOTH_IDS}}`,
    ),
  );
  rules.push(
    meta(
      'slo:period_burn_rate:ratio',
      `slo:sli_error:ratio_rate30d{${SLOTH_IDS}}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio{${SLOTH_IDS}}`,
    ),
  );
  rules.push(meta('slo:period_error_budget_remaining:ratio', `1 - slo:period_burn_rate:ratio{${SLOTH_IDS}}`));
  rules.push({
    record: 'sloth_slo_info',
    expr: 'vector(1)',
    labels: { ...ids, sloth_mode: 'cli-gen-prom', sloth_spec: 'prometheus/v1', sloth_objective: '99.9' },
  });
  const pair = (short: string, long: string, f: number) =>
    `(\n    max(slo:sli_error:ratio_rate${short}{${SLOTH_IDS}} > ${slothThr(f)}) without (sloth_window)\n    and\n    max(slo:sli_error:ratio_rate${long}{${SLOTH_IDS}} > ${slothThr(f)}) without (sloth_window)\n)`;
  rules.push({ alert: 'ApiAvailabilityBurn', expr: `${pair('5m', '1h', 14.4)}\nor\n${pair('30m', '6h', 6)}`, labels: { sloth_severity: 'page' } });
  rules.push({ alert: 'ApiAvailabilityBurn', expr: `${pair('2h', '1d', 3)}\nor\n${pair('6h', '3d', 1)}`, labels: { sloth_severity: 'ticket' } });
  return { name: 'Sloth', rules };
}

/** Pyrra's tiers as fractions of the SLO window, rounded to the minute (reference/pyrra.md §2). */
const PYRRA_TIERS = [
  { short: 8064, long: 672, factor: 14, severity: 'critical' },
  { short: 1344, long: 112, factor: 7, severity: 'critical' },
  { short: 336, long: 28, factor: 2, severity: 'warning' },
  { short: 112, long: 7, factor: 1, severity: 'warning' },
];

/** A minute count as a Prometheus duration (`1d1h43m`). */
export function promDuration(minutes: number): string {
  let out = '';
  let m = minutes;
  for (const [unit, size] of [
    ['d', 1440],
    ['h', 60],
    ['m', 1],
  ] as const) {
    const n = Math.floor(m / size);
    if (n > 0) out += `${n}${unit}`;
    m -= n * size;
  }
  return out || '0s';
}

export function pyrraShape(): Shape {
  const W = 30 * 1440;
  const sel = 'job="api",slo="api-availability"';
  const rules: Rule[] = [
    // Group "<name>-increase": the full window straight from raw samples, `code` kept (errors-only label).
    { record: 'http_requests:increase30d', expr: `sum by (code) (increase(${TOTAL}[30d]))`, labels: { job: 'api', slo: 'api-availability' } },
    { alert: 'SLOMetricAbsent', expr: `absent(${TOTAL}) == 1`, labels: { job: 'api', slo: 'api-availability', severity: 'critical' } },
  ];
  const windows = new Set<number>();
  for (const t of PYRRA_TIERS) {
    windows.add(Math.round(W / t.short));
    windows.add(Math.round(W / t.long));
  }
  for (const m of [...windows].sort((a, b) => a - b)) {
    const d = promDuration(m);
    rules.push({
      record: `http_requests:burnrate${d}`,
      expr: `sum(rate(${ERR}[${d}]))\n/\nsum(rate(${TOTAL}[${d}]))`,
      labels: { job: 'api', slo: 'api-availability' },
    });
  }
  for (const t of PYRRA_TIERS) {
    const s = promDuration(Math.round(W / t.short));
    const l = promDuration(Math.round(W / t.long));
    rules.push({
      alert: 'ErrorBudgetBurn',
      expr: `http_requests:burnrate${s}{${sel}} > (${t.factor} * (1-0.999)) and http_requests:burnrate${l}{${sel}} > (${t.factor} * (1-0.999))`,
      labels: { severity: t.severity, short: s, long: l },
    });
  }
  return { name: 'Pyrra', rules };
}

/** The windows of the plain recorded design beside its 5m base: the alert windows and the 30d period. */
const PLAIN_WINDOWS = ['30m', '1h', '2h', '6h', '1d', '3d', '30d'];

/**
 * The "plain recorded" design: the 5m error ratio recorded from raw series (`sum(rate(err[5m])) /
 * sum(rate(total[5m]))`, one range read per raw series), every longer window the average of the
 * recorded 5m ratio over it (`avg_over_time(…[W])`), and the four alert pairs. Its history is
 * Sloth's recorded 5m ratio (the same expression, recorded over all the data), so the longer
 * windows read 30 days of real samples. Cheap and inexact (an average of ratios).
 */
export function plainShape(): Shape {
  const labels = { slo: 'api-availability-plain' };
  const rules: Rule[] = [{ record: 'plain:error_ratio:rate5m', expr: exactRatio('5m'), labels }];
  for (const w of PLAIN_WINDOWS)
    rules.push({ record: `plain:error_ratio:rate${w}`, expr: `avg_over_time(slo:sli_error:ratio_rate5m{${SLOTH_IDS}}[${w}])`, labels });
  for (const p of PAIRS)
    rules.push({
      alert: 'PlainBurn',
      expr: `plain:error_ratio:rate${p.long}{slo="api-availability-plain"} > ${p.factor * BUDGET} and plain:error_ratio:rate${p.short}{slo="api-availability-plain"} > ${p.factor * BUDGET}`,
      labels: { severity: p.tier },
    });
  return { name: 'plain recorded', rules };
}

/** The alert pairs judged (vigil's windows and factors for 30d, which are the Workbook's). */
export const PAIRS = [
  { tier: 'page', long: '1h', short: '5m', factor: 14.4 },
  { tier: 'page', long: '6h', short: '30m', factor: 6 },
  { tier: 'ticket', long: '1d', short: '2h', factor: 3 },
  { tier: 'ticket', long: '3d', short: '6h', factor: 1 },
] as const;

/** The exact raw-window ratio over `w`. */
export const exactRatio = (w: string) => `sum(rate(${ERR}[${w}])) / sum(rate(${TOTAL}[${w}]))`;

/**
 * The exact period error ratio: errors counted since 30d ago over requests counted since then,
 * from counter differences (no resets in the data), so no extrapolation at all and 2 samples per
 * series per step instead of 43,200.
 */
export const exactPeriodRatio = `(sum(${ERR}) - sum(${ERR} offset 30d)) / (sum(${TOTAL}) - sum(${TOTAL} offset 30d))`;

/**
 * Splits recording rules into levels: a rule's level is one more than the highest level of the
 * recorded series it reads, so a level only reads series that earlier levels wrote.
 */
export function levels(rules: readonly Rule[]): Rule[][] {
  const recs = rules.filter((r) => r.record);
  const names = new Set(recs.map((r) => r.record!));
  const level = new Map<string, number>();
  const levelOf = (r: Rule): number => {
    const reads = [...names].filter(
      (n) => n !== r.record && new RegExp(`(^|[^A-Za-z0-9_:])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_:])`).test(r.expr),
    );
    let l = 0;
    for (const n of reads) {
      if (!level.has(n)) level.set(n, levelOf(recs.find((x) => x.record === n)!));
      l = Math.max(l, level.get(n)! + 1);
    }
    return l;
  };
  const out: Rule[][] = [];
  for (const r of recs) {
    const l = levelOf(r);
    level.set(r.record!, l);
    (out[l] ??= []).push(r);
  }
  return out.filter(Boolean);
}

/** A rule file with one group holding `rules`. */
export function ruleFile(group: string, rules: readonly Rule[]): string {
  const yaml = (s: string) => JSON.stringify(s);
  let out = `groups:\n  - name: ${group}\n    rules:\n`;
  for (const r of rules) {
    out += r.record ? `      - record: ${r.record}\n` : `      - alert: ${r.alert}\n`;
    out += `        expr: ${yaml(r.expr)}\n`;
    if (r.labels && Object.keys(r.labels).length) {
      out += '        labels:\n';
      for (const [k, v] of Object.entries(r.labels)) out += `          ${k}: ${yaml(v)}\n`;
    }
  }
  return out;
}

/** vigil's base-window rules: the ones that read raw series and the sums recorded from them at 5m. */
export const isVigilBase = (r: Rule) => r.record !== undefined && /^slo:(errors|total|events|good)(_rise)?:rate5m$/.test(r.record);

/** A base (5m) total and errors rule pair written as text, for variants and earlier designs. */
interface BasePair {
  readonly total: string;
  /** The errors rule; `{{total}}` stands for the recorded total series of the SLO. */
  readonly errors: string;
}

/**
 * A candidate change to vigil's base-window rules, everything else as generated: same rule text
 * with the SLO id suffixed (own series, same Prometheus), the base rules replaced by `base`'s two.
 */
export function vigilVariant(vigil: Shape, sloId: string, suffix: string, base: BasePair): Shape {
  const id = `${sloId}-${suffix}`;
  const total = `slo:total:rate5m{slo="${id}"}`;
  const rules: Rule[] = [];
  for (const r of vigil.rules) {
    const labels = r.labels ? { ...r.labels, ...(r.labels.slo ? { slo: id } : {}) } : undefined;
    if (isVigilBase(r)) {
      if (r.record === 'slo:total:rate5m') rules.push({ record: r.record, expr: base.total, ...(labels ? { labels } : {}) });
      if (r.record === 'slo:errors:rate5m') rules.push({ record: r.record, expr: base.errors.replaceAll('{{total}}', total), ...(labels ? { labels } : {}) });
      continue;
    }
    rules.push({ ...r, expr: r.expr.replaceAll(`slo="${sloId}"`, `slo="${id}"`), ...(labels ? { labels } : {}) });
  }
  return { name: `vigil-${suffix}`, rules };
}

/** Base rules of earlier designs, per raw selector `x` (a sum over it, as a per-second rate). */
const tileOf = {
  /** Issue 11's first reset-correct tile: five selectors per raw series, four label matches. */
  fiveSelectors: (x: string) => `sum(((${x} - ${x} offset 5m) >= 0 or (clamp_min(max_over_time(${x}[5m]) - ${x} offset 5m, 0) + ${x}))) / 300`,
  /** Before issue 11: a tile holding a reset kept only the value since the reset. */
  valueSinceReset: (x: string) => `sum(((${x} - ${x} offset 5m) >= 0 or (${x} and ${x} offset 5m))) / 300`,
  rate: (x: string) => `sum(rate(${x}[5m]))`,
  rate6m: (x: string) => `sum(rate(${x}[6m]))`,
};
const pairOf = (tile: (x: string) => string, rawFallback = false): BasePair => ({
  total: tile(TOTAL),
  errors: `(${tile(ERR)}) or ${rawFallback ? `(0 * ${tile(TOTAL)})` : 'on() (0 * {{total}})'}`,
});

/**
 * Base rules compared with the generated ones (accuracy variants, each recording a hierarchy).
 * `rate`: the earlier design, `rate(x[5m])` per tile, which extrapolates the gap before its first
 * sample; `6m`: rate over the base window plus one scrape interval.
 */
export const BASE_VARIANTS: { suffix: string; text: string; base: BasePair }[] = [
  { suffix: 'rate', text: '`sum(rate(x[5m]))` (earlier design)', base: pairOf(tileOf.rate) },
  { suffix: '6m', text: '`sum(rate(x[6m]))` (5m + one 1m scrape interval)', base: pairOf(tileOf.rate6m) },
];

/**
 * vigil's base rules (the only ones that read raw series) as generated and in the forms issue 11
 * replaced, for evaluation time alone: every other rule is the same in all of them. The errors
 * rules of all but the last read vigil's recorded total for their zero fallback.
 */
export function baseRuleShapes(vigil: Shape, sloId: string): Shape[] {
  const generated = vigil.rules.filter(isVigilBase);
  const labels = generated.find((r) => r.record === 'slo:total:rate5m')!.labels;
  const pair = (p: BasePair): Rule[] => [
    { record: 'slo:total:rate5m', expr: p.total, ...(labels ? { labels } : {}) },
    { record: 'slo:errors:rate5m', expr: p.errors.replaceAll('{{total}}', `slo:total:rate5m{slo="${sloId}"}`), ...(labels ? { labels } : {}) },
  ];
  return [
    { name: 'base rules: as generated (one read for errors and total: rise, resets)', rules: generated },
    { name: 'base rules: first reset-correct tile of issue 11 (5 selectors, two reads)', rules: pair(pairOf(tileOf.fiveSelectors)) },
    { name: 'base rules: reset tile = value since the reset (before issue 11)', rules: pair(pairOf(tileOf.valueSinceReset)) },
    { name: 'base rules: before issue 11 (also errors fall back to `0 * <raw total expression>`)', rules: pair(pairOf(tileOf.valueSinceReset, true)) },
    // What no exact tile can do without: the newest sample and the one a base window ago of every
    // total series (no reset handling, no errors, no longer windows): a lower bound of vigil's cycle.
    {
      name: 'base rules: floor of any exact tile: `sum(x)` and `sum(x offset 5m)` of the total series alone',
      rules: [
        { record: 'floor:a', expr: `sum(${TOTAL})` },
        { record: 'floor:b', expr: `sum(${TOTAL} offset 5m)` },
      ],
    },
    {
      name: "base rules: the plain recorded design's raw read alone: `sum(rate(err[5m])) / sum(rate(total[5m]))`",
      rules: [{ record: 'plain:raw', expr: exactRatio('5m') }],
    },
  ];
}
