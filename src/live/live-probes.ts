import { expandMacros } from '../dashboards/lint/expressions.js';
import { locateTitle } from '../dashboards/locate-title.js';
import type { SourceRef } from '../model/types.js';
import type { ProjectModel } from '../project/project-model.js';
import { formatSelector, selectorUses, type SelectorUse, type VectorSelector } from '../query/promql.js';

/**
 * How an expression reads a selector: through rate()/irate()/increase() (`rate`: a gauge there is
 * a mistake), as an instant value (`instant`: a counter there is a mistake), or otherwise (`other`:
 * counting series, absent(), *_over_time …, neither check applies).
 */
export type ProbeUse = 'rate' | 'instant' | 'other';

/** Where a probe's diagnostics point: the selector's spec node (a dashboard panel's title). */
export type ProbeSite = SourceRef;

/** One selector of the project that the live Prometheus is asked about. */
export interface Probe {
  readonly selector: VectorSelector;
  /** The selector as PromQL text: the key requests are deduplicated by. */
  readonly text: string;
  readonly at: ProbeSite;
  /** Who reads it, for messages: `SLO gpu-inference-availability (total)`, `alert GpuLost`, `dashboard "GPU fleet", panel "Power"`. */
  readonly what: string;
  readonly use: ProbeUse;
  /** False inside absent()/absent_over_time(): there, no series is what the expression asks about. */
  readonly expectsSeries: boolean;
  /** Whether reading a counter as an instant value is reported (SLOs and alerts; dashboards show raw counters on purpose at times). */
  readonly checkCounterAsGauge: boolean;
  /** Another probe's text: when that one has no series either, this one's absence is not reported again (a histogram's `_count` after its `_bucket`). */
  readonly unless?: string;
}

/** Functions through which a counter is read correctly. */
const RATE_FUNCS = new Set(['rate', 'irate', 'increase']);
/** Functions and aggregations after which neither type check applies. */
const NEUTRAL = new Set(['absent', 'absent_over_time', 'present_over_time', 'count', 'count_values', 'group', 'timestamp', 'changes', 'resets']);
const ABSENT = new Set(['absent', 'absent_over_time']);
/** Series Prometheus itself writes for alerting rules; they exist only while an alert is pending or firing. */
const ALERT_SERIES = new Set(['ALERTS', 'ALERTS_FOR_STATE']);
/** Stands for a Grafana template variable in a dashboard query; matchers holding it are not checked. */
const VARIABLE = '__vigil_template_variable__';

/**
 * Every selector the project reads from Prometheus, with the position of its spec: SLO indicators
 * (ratio errors/good/total, the latency histogram's `_bucket` and `_count`, the bool gauge, raw
 * indicators' selectors), PromQL alert expressions and dashboard panel queries. Series recorded by
 * vigil's own SLO rules are left out (they exist once the rules are loaded), as are `ALERTS`.
 */
export function collectProbes(model: ProjectModel): Probe[] {
  const skip = (s: VectorSelector) => ALERT_SERIES.has(s.metric) || model.metrics.sourceOf(s.metric) === 'recording-rule';
  const probes: Probe[] = [];
  const add = (selector: VectorSelector, at: ProbeSite, what: string, use: ProbeUse, expectsSeries: boolean, checkCounterAsGauge: boolean, unless?: string) => {
    if (!skip(selector))
      probes.push({ selector, text: formatSelector(selector), at, what, use, expectsSeries, checkCounterAsGauge, ...(unless !== undefined ? { unless } : {}) });
  };

  for (const slo of model.slos) {
    const site = (key: keyof NonNullable<typeof slo.at>['indicator']): ProbeSite => slo.at?.indicator[key] ?? slo.source;
    const what = (part: string) => `SLO ${slo.id} (${part})`;
    const ind = slo.indicator;
    if (ind.kind === 'ratio') {
      for (const part of ['errors', 'good', 'total'] as const) {
        const s = ind[part];
        if (s) add(s, site(part), what(part), 'rate', true, true);
      }
    } else if (ind.kind === 'latency') {
      const at = site('histogram');
      const bucket = { metric: `${ind.histogram.metric}_bucket`, matchers: ind.histogram.matchers };
      add(bucket, at, what('histogram'), 'rate', true, true);
      add({ metric: `${ind.histogram.metric}_count`, matchers: ind.histogram.matchers }, at, what('histogram'), 'rate', true, true, formatSelector(bucket));
    } else if (ind.kind === 'boolGauge') {
      add(ind.gauge, site('boolGauge'), what('boolGauge'), 'instant', true, true);
    } else {
      const at = site('errorRatio');
      for (const u of selectorUses(ind.errorRatio.replaceAll('{{window}}', '5m'))) add(u.selector, at, what('raw'), useOf(u), expects(u), true);
    }
  }

  for (const pack of model.alertPacks) {
    for (const group of pack.groups) {
      if (group.datasource !== 'prometheus') continue;
      for (const alert of group.alerts) {
        for (const u of selectorUses(alert.expr)) {
          const at = alert.selectorSources?.find((s) => s.offset === u.from)?.source ?? alert.source;
          add(u.selector, at, `alert ${alert.name}`, useOf(u), expects(u), true);
        }
      }
    }
  }

  for (const d of model.dashboards) {
    const title = typeof d.dashboard.title === 'string' ? d.dashboard.title : '';
    for (const panel of panelsOf(d.dashboard)) {
      const panelTitle = typeof panel.title === 'string' ? panel.title : '';
      for (const [i, t] of (Array.isArray(panel.targets) ? (panel.targets as LooseTarget[]) : []).entries()) {
        const dsType = t.datasource?.type ?? panel.datasource?.type ?? 'prometheus';
        if (dsType !== 'prometheus' || typeof t.expr !== 'string' || t.hide === true) continue;
        const refId = typeof t.refId === 'string' && t.refId !== '' ? t.refId : `#${i + 1}`;
        const at: ProbeSite = { file: d.file, ...locateTitle(d.moduleSource, panelTitle || title) };
        const what = `dashboard ${JSON.stringify(title)}, panel ${JSON.stringify(panelTitle)}, query ${refId}`;
        for (const u of dashboardSelectors(t.expr)) add(u.selector, at, what, useOf(u), expects(u), false);
      }
    }
  }
  return probes;
}

interface LooseTarget {
  readonly refId?: unknown;
  readonly expr?: unknown;
  readonly hide?: unknown;
  readonly datasource?: { readonly type?: string } | null;
}
interface LoosePanel {
  readonly title?: unknown;
  readonly targets?: unknown;
  readonly panels?: unknown;
  readonly datasource?: { readonly type?: string } | null;
}

/** Panels of a dashboard, those inside collapsed rows included. */
function panelsOf(d: { panels?: unknown }): LoosePanel[] {
  const out: LoosePanel[] = [];
  for (const p of Array.isArray(d.panels) ? (d.panels as LoosePanel[]) : []) {
    out.push(p);
    if (Array.isArray(p.panels)) out.push(...panelsOf(p));
  }
  return out;
}

/**
 * Selectors of a dashboard query as Grafana would send it, minus what template variables decide:
 * a matcher whose value holds a variable is dropped, a selector whose name does is skipped.
 */
export function dashboardSelectors(expr: string): SelectorUse[] {
  const withVariables = expr.replace(/\$\{(?!__)(\w+)(?::\w+)?\}|\$(?!__)(\w+)|\[\[(\w+)\]\]/g, VARIABLE);
  return selectorUses(expandMacros(withVariables))
    .filter((u) => !u.selector.metric.includes(VARIABLE))
    .map((u) => ({ ...u, selector: { metric: u.selector.metric, matchers: u.selector.matchers.filter((m) => !m.value.includes(VARIABLE)) } }));
}

function useOf(u: SelectorUse): ProbeUse {
  if (u.range) return RATE_FUNCS.has(u.enclosing[0] ?? '') ? 'rate' : 'other';
  return u.enclosing.some((f) => NEUTRAL.has(f)) ? 'other' : 'instant';
}

function expects(u: SelectorUse): boolean {
  return !u.enclosing.some((f) => ABSENT.has(f));
}
