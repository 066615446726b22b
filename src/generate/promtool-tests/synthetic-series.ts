import type { SloModel } from '../../model/types.js';
import { matcherMatches, type LabelMatcher, type VectorSelector } from '../../query/promql.js';
import { regexCounterExample, regexExample } from './regex-example.js';

/** A synthetic input series: per-minute counter increments, or per-minute gauge values. */
export interface SynthSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly kind: 'counter' | 'gauge';
  /** Counter: increment during minute m (between samples m and m+1). Gauge: value at minute m. */
  readonly perMinute: readonly number[];
}

/** Traffic of one group over time: events per minute and the share of them that fail. */
export interface Profile {
  readonly minutes: number;
  eventsAt(minute: number): number;
  errorRatioAt(minute: number): number;
}

/** One input series before its values: identity, and how to compute values from a profile. */
export interface SeriesSpec {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly kind: 'counter' | 'gauge';
  values(p: Profile): number[];
}

/**
 * How to produce input series for one SLO's indicator, or why it cannot be done. `describe`
 * gives the series (labels only, cheap); their order and values depend only on the SLO's shape,
 * not on its labels, so values computed for one SLO serve every SLO of the same shape.
 */
export type SeriesPlan =
  { readonly ok: true; describe(group: Readonly<Record<string, string>>): SeriesSpec[] } | { readonly ok: false; readonly reason: string };

function planOf(describe: (group: Readonly<Record<string, string>>) => SeriesSpec[]): SeriesPlan {
  return { ok: true, describe };
}

const LABEL_CANDIDATES = ['a', 'b', 'doc-api', 'gpu-exporter', '200', '500'];

/** A value for one label that satisfies every matcher in `must` and violates `mustNot` (if given). */
function labelValue(must: readonly LabelMatcher[], mustNot?: LabelMatcher, prefer?: string): string | undefined {
  const candidates: string[] = [];
  if (prefer !== undefined) candidates.push(prefer);
  for (const m of must) {
    if (m.op === '=') candidates.push(m.value);
    if (m.op === '=~') {
      const ex = regexExample(m.value);
      if (ex !== undefined) candidates.push(ex);
    }
  }
  if (mustNot?.op === '=~') {
    const cex = regexCounterExample(mustNot.value);
    if (cex !== undefined) candidates.push(cex);
  }
  if (mustNot?.op === '!~' || mustNot?.op === '!=') {
    if (mustNot.op === '!=') candidates.push(mustNot.value);
    else {
      const ex = regexExample(mustNot.value);
      if (ex !== undefined) candidates.push(ex);
    }
  }
  candidates.push(...LABEL_CANDIDATES, '', 'vigil-other');
  return candidates.find((c) => must.every((m) => matcherMatches(m, c)) && (!mustNot || !matcherMatches(mustNot, c)));
}

/** Labels satisfying all matchers of `selectors` (and the fixed `base` labels). */
function satisfy(selectors: readonly VectorSelector[], base: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const out: Record<string, string> = { ...base };
  const names = new Set(selectors.flatMap((s) => s.matchers.map((m) => m.name)));
  for (const name of [...names].sort()) {
    const must = selectors.flatMap((s) => s.matchers.filter((m) => m.name === name));
    if (name in base) {
      if (!must.every((m) => matcherMatches(m, base[name]))) return undefined;
      continue;
    }
    const v = labelValue(must);
    if (v === undefined) return undefined;
    if (v !== '') out[name] = v;
  }
  return out;
}

/** `labels` with one label changed so that `sub` no longer matches while `sup` still does. */
function violate(labels: Record<string, string>, sub: VectorSelector, sup: VectorSelector): Record<string, string> | undefined {
  for (const m of sub.matchers) {
    const must = sup.matchers.filter((o) => o.name === m.name);
    const v = labelValue(must, m);
    if (v === undefined) continue;
    const out = { ...labels };
    if (v === '') delete out[m.name];
    else out[m.name] = v;
    return out;
  }
  return undefined;
}

function counter(metric: string, labels: Record<string, string>, perMinute: (events: number, errorRatio: number) => number): SeriesSpec {
  return { metric, labels, kind: 'counter', values: (p) => Array.from({ length: p.minutes }, (_, m) => perMinute(p.eventsAt(m), p.errorRatioAt(m))) };
}

/**
 * Plans input series for an SLO: which labels make a series count as bad, good or total under
 * its selectors. `gaugeSeries` is how many gauge series a boolGauge SLO gets (more series make
 * small error ratios representable with 0/1 samples).
 */
export function planSeries(slo: SloModel, gaugeSeries: number): SeriesPlan {
  const ind = slo.indicator;
  const grouped = (base: Readonly<Record<string, string>>, sels: VectorSelector[]) => satisfy(sels, base);
  switch (ind.kind) {
    case 'ratio': {
      const part = (ind.errors ?? ind.good)!;
      const partIsBad = ind.errors !== undefined;
      const same = part.metric === ind.total.metric;
      return planOf((group) => {
        const partLabels = grouped(group, same ? [part, ind.total] : [part]);
        const totalLabels = grouped(group, [ind.total]);
        if (!partLabels || !totalLabels) return [];
        const bad = (n: number, e: number) => n * e;
        const good = (n: number, e: number) => n * (1 - e);
        if (same) {
          const other = violate(partLabels, part, ind.total);
          if (!other) return [];
          return [counter(part.metric, partLabels, partIsBad ? bad : good), counter(part.metric, other, partIsBad ? good : bad)];
        }
        return [counter(part.metric, partLabels, partIsBad ? bad : good), counter(ind.total.metric, totalLabels, (n) => n)];
      });
    }
    case 'latency': {
      const h = ind.histogram;
      const le = ind.leValues.includes(String(ind.threshold)) ? String(ind.threshold) : ind.leValues[0]!;
      return planOf((group) => {
        const labels = grouped(group, [h]);
        if (!labels) return [];
        return [
          counter(`${h.metric}_bucket`, { ...labels, le }, (n, e) => n * (1 - e)),
          counter(`${h.metric}_bucket`, { ...labels, le: '+Inf' }, (n) => n),
          counter(`${h.metric}_count`, labels, (n) => n),
        ];
      });
    }
    case 'boolGauge': {
      const g = ind.gauge;
      // Spread failures evenly across the gauge series: by minute m, floor(Σ e × series) samples
      // have been 0. One matrix per profile, shared by the series of one describe() call.
      const matrix = (p: Profile): number[][] => {
        const values: number[][] = Array.from({ length: gaugeSeries }, () => []);
        let failed = 0;
        let owed = 0;
        let next = 0;
        for (let m = 0; m < p.minutes; m++) {
          const present = p.eventsAt(m) > 0;
          if (present) owed += p.errorRatioAt(m) * gaugeSeries;
          const target = Math.floor(owed + 1e-9);
          const zeros = present ? Math.min(gaugeSeries, Math.max(0, target - failed)) : 0;
          failed += zeros;
          const zeroSet = new Set(Array.from({ length: zeros }, (_, k) => (next + k) % gaugeSeries));
          next = (next + zeros) % gaugeSeries;
          for (let k = 0; k < gaugeSeries; k++) values[k]!.push(present ? (zeroSet.has(k) ? 0 : 1) : NaN);
        }
        return values;
      };
      return planOf((group) => {
        const labels = grouped(group, [g]);
        if (!labels) return [];
        const cache = new WeakMap<Profile, number[][]>();
        const rows = (p: Profile) => {
          let r = cache.get(p);
          if (!r) cache.set(p, (r = matrix(p)));
          return r;
        };
        return Array.from({ length: gaugeSeries }, (_, k) => ({
          metric: g.metric,
          labels: { ...labels, vigil_test_series: String(k) },
          kind: 'gauge' as const,
          values: (p: Profile) => rows(p)[k]!,
        }));
      });
    }
    case 'raw':
      return { ok: false, reason: 'a raw errorRatio expression cannot be simulated; write promtool tests for it by hand' };
  }
}

/** Values for each groupBy label: one or two groups ("a" and "b") where the selectors allow. */
export function groupLabelSets(slo: SloModel): Record<string, string>[] {
  if (slo.groupBy.length === 0) return [{}];
  const sels = selectorsOf(slo);
  const sets: Record<string, string>[] = [];
  for (const prefer of ['a', 'b']) {
    const set: Record<string, string> = {};
    for (const name of slo.groupBy) {
      const must = sels.flatMap((s) => s.matchers.filter((m) => m.name === name));
      const v = labelValue(must, undefined, prefer);
      if (v === undefined || v === '') return sets.length ? sets : [];
      set[name] = v;
    }
    if (!sets.some((s) => JSON.stringify(s) === JSON.stringify(set))) sets.push(set);
  }
  return sets;
}

/** The selectors an SLO reads. */
export function selectorsOf(slo: SloModel): VectorSelector[] {
  const ind = slo.indicator;
  switch (ind.kind) {
    case 'ratio':
      return [ind.total, ...(ind.errors ? [ind.errors] : []), ...(ind.good ? [ind.good] : [])];
    case 'latency':
      return [ind.histogram];
    case 'boolGauge':
      return [ind.gauge];
    case 'raw':
      return [];
  }
}
