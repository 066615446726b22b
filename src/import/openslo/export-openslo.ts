import { stringify } from 'yaml';
import { formatSelector } from '../../query/promql.js';
import type { AlertWindow, Indicator, SloModel } from '../../model/types.js';
import { VIGIL_ANNOTATIONS } from './annotations.js';

/** One OpenSLO file: the Service and its SLOs, as YAML documents. */
export interface OpensloFile {
  readonly path: string;
  readonly content: string;
  readonly slos: readonly string[];
}

/** An SLO that OpenSLO cannot hold, and why. */
export interface NotExported {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

const RFC1123 = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * vigil SLOs → OpenSLO v1 (one `<service>.openslo.yaml` per service: a Service, then one SLO per
 * vigil SLO with an inline SLI and one inline AlertPolicy per burn-rate window pair). What
 * OpenSLO has no field for (group-by labels, alert name, runbook, labels) travels in
 * `vigil.dev/*` annotations, so `vigil import openslo` gives the same model back.
 */
export function exportOpenslo(models: readonly SloModel[]): { files: OpensloFile[]; notExported: NotExported[] } {
  const byService = new Map<string, SloModel[]>();
  const notExported: NotExported[] = [];
  for (const m of models) {
    const reason = whyNot(m);
    if (reason) {
      notExported.push({ id: m.id, ...m.source, reason });
      continue;
    }
    byService.set(m.service, [...(byService.get(m.service) ?? []), m]);
  }
  const files = [...byService.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([service, slos]) => {
      const docs = [
        { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: service }, spec: { description: `Exported by vigil from ${slos[0]!.source.file}` } },
        ...slos.map(toSlo),
      ];
      return { path: `${service}.openslo.yaml`, content: docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join(''), slos: slos.map((s) => s.id) };
    });
  return { files, notExported };
}

/** Single-unit OpenSLO duration shorthand for a vigil period (`30d`, `4w`); undefined for `1d12h`. */
function opensloDuration(period: string): string | undefined {
  return /^[0-9]+[mhdw]$/.test(period) ? period : undefined;
}

function whyNot(m: SloModel): string | undefined {
  if (!RFC1123.test(m.id)) return `the SLO id ${m.id} is longer than 63 characters, the limit of OpenSLO names`;
  if (!opensloDuration(m.period)) return `period ${m.period} is not a single-unit OpenSLO duration (m, h, d, w)`;
  return undefined;
}

function source(query: string) {
  return { metricSource: { type: 'Prometheus', spec: { query } } };
}

function sliSpec(ind: Indicator): Record<string, unknown> {
  switch (ind.kind) {
    case 'ratio':
      return {
        ratioMetric: {
          counter: true,
          ...(ind.good ? { good: source(formatSelector(ind.good)) } : { bad: source(formatSelector(ind.errors!)) }),
          total: source(formatSelector(ind.total)),
        },
      };
    case 'latency':
      return {
        ratioMetric: {
          counter: true,
          good: source(
            formatSelector({ metric: `${ind.histogram.metric}_bucket`, matchers: ind.histogram.matchers }, [
              { name: 'le', op: '=', value: ind.leValues[0] ?? String(ind.threshold) },
            ]),
          ),
          total: source(formatSelector({ metric: `${ind.histogram.metric}_count`, matchers: ind.histogram.matchers })),
        },
      };
    case 'boolGauge':
      return { ratioMetric: { rawType: 'success', raw: source(`avg_over_time(${formatSelector(ind.gauge)}[{{.window}}])`) } };
    case 'raw':
      return { ratioMetric: { rawType: 'failure', raw: source(ind.errorRatio.replaceAll('{{window}}', '{{.window}}')) } };
  }
}

function policy(m: SloModel, w: AlertWindow) {
  const name = `${w.tier}-${w.long}-${w.short}`;
  return {
    kind: 'AlertPolicy',
    metadata: { name },
    spec: {
      description: `${w.tier}: burn rate over ${w.long} (and ${w.short}) above ${Number(w.factor.toPrecision(6))}x spends ${w.budgetShare * 100}% of the budget`,
      alertWhenBreaching: true,
      conditions: [
        {
          kind: 'AlertCondition',
          metadata: { name },
          spec: {
            severity: w.severity,
            condition: { kind: 'burnrate', op: 'gt', threshold: w.factor, lookbackWindow: opensloDuration(w.long) ?? `${w.longMinutes}m`, alertAfter: '0m' },
          },
        },
      ],
    },
  };
}

function toSlo(m: SloModel) {
  const tiers = (['page', 'ticket'] as const).filter((t) => [...m.windows, ...m.droppedWindows].some((w) => w.tier === t));
  const annotations: Record<string, string> = {
    [VIGIL_ANNOTATIONS.alertName]: m.alertName,
    [VIGIL_ANNOTATIONS.tiers]: tiers.join(','),
  };
  if (m.groupBy.length) annotations[VIGIL_ANNOTATIONS.groupBy] = m.groupBy.join(',');
  if (m.runbook) annotations[VIGIL_ANNOTATIONS.runbook] = m.runbook;
  if (Object.keys(m.labels).length) annotations[VIGIL_ANNOTATIONS.labels] = JSON.stringify(m.labels);
  if (Object.keys(m.alertLabels).length) annotations[VIGIL_ANNOTATIONS.alertLabels] = JSON.stringify(m.alertLabels);
  if (m.sla) annotations[VIGIL_ANNOTATIONS.sla] = JSON.stringify({ text: m.sla.text, objective: m.sla.objectivePercent });
  return {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: m.id, displayName: m.name, annotations },
    spec: {
      ...(m.description ? { description: m.description } : {}),
      service: m.service,
      indicator: { metadata: { name: m.id }, spec: sliSpec(m.indicator) },
      timeWindow: [{ duration: m.period, isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ displayName: m.name, targetPercent: m.objectivePercent }],
      alertPolicies: [...m.windows, ...m.droppedWindows].map((w) => policy(m, w)),
    },
  };
}
