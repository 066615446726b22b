import { parseVectorSelector, formatSelector } from '../../query/promql.js';
import { isDuration } from '../../runtime/duration.js';
import type { AlertingSpec, SloSpec } from '../../load/slo-schema.js';
import type { SourceObject } from '../documents.js';
import { ObjectReport } from '../outcome.js';
import type { Importer } from '../registry.js';
import { runSloImport } from '../slo-importer.js';
import { RESERVED_LABELS } from '../../conventions.js';
import { alertName, isRecord, kebabName } from '../slo-shapes.js';
import type { ImportedSlo } from '../slo-specs.js';

type Path = (string | number)[];

/** `vigil import pyrra`: Pyrra `ServiceLevelObjective` (pyrra.dev/v1alpha1) objects. */
export const pyrraImporter: Importer = {
  kind: 'pyrra',
  summary: 'Pyrra ServiceLevelObjective (pyrra.dev/v1alpha1) objects',
  extensions: ['.yaml', '.yml'],
  defaultOut: 'slos',
  importFiles: (files) => runSloImport('pyrra', files, importPyrraObjects),
};

const SPEC_KEYS = new Set(['target', 'window', 'description', 'indicator', 'alerting', 'partial_response_strategy', 'performanceOverAccuracy', 'ruleOutput']);

/**
 * Service: a Pyrra SLO has none; the object's namespace is used (`default` without one), so the
 * SLOs of one namespace land in one spec file. SLO name: `metadata.name`.
 */
export function importPyrraObjects(objects: readonly SourceObject[]): { slos: ImportedSlo[]; reports: ObjectReport[] } {
  const slos: ImportedSlo[] = [];
  const reports: ObjectReport[] = [];
  for (const source of objects) {
    const v = source.value;
    const meta = isRecord(v) && isRecord(v.metadata) ? v.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '?';
    const r = new ObjectReport(source, `ServiceLevelObjective ${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${name}`);
    reports.push(r);
    if (!isRecord(v) || v.kind !== 'ServiceLevelObjective' || typeof v.apiVersion !== 'string' || !v.apiVersion.startsWith('pyrra.dev/')) {
      r.error(
        'IMP002',
        'not a Pyrra ServiceLevelObjective',
        isRecord(v) ? ['kind'] : [],
        'expected apiVersion: pyrra.dev/v1alpha1 and kind: ServiceLevelObjective',
      );
      continue;
    }
    if (v.apiVersion !== 'pyrra.dev/v1alpha1') r.error('IMP002', `apiVersion ${v.apiVersion} is not known; vigil reads pyrra.dev/v1alpha1`, ['apiVersion']);
    if (typeof meta.name !== 'string') r.error('IMP004', 'metadata.name is required', ['metadata']);
    const spec = v.spec;
    if (!isRecord(spec)) {
      r.error('IMP004', 'spec is required', []);
      continue;
    }
    const slo = importSpec(r, spec, name);
    if (!slo || r.failed) continue;
    const service = kebabName(r, typeof meta.namespace === 'string' ? meta.namespace : 'default', 'namespace (used as the service)', ['metadata', 'namespace']);
    const at = source.positionOf([]);
    slos.push({ service, period: String(spec.window), labels: {}, slo, origin: `${source.file}:${at.line}:${at.column} (${r.object})`, report: r });
  }
  return { slos, reports };
}

function importSpec(r: ObjectReport, spec: Record<string, unknown>, name: string): SloSpec | undefined {
  const p: Path = ['spec'];
  for (const k of Object.keys(spec)) if (!SPEC_KEYS.has(k)) r.error('IMP003', `unknown key ${JSON.stringify(k)}`, [...p, k], undefined, true);
  const target = typeof spec.target === 'string' ? Number(spec.target) : typeof spec.target === 'number' ? spec.target : NaN;
  if (!Number.isFinite(target)) r.error('IMP004', `target must be a percent string like "99.5", got ${JSON.stringify(spec.target)}`, [...p, 'target']);
  else if (!(target > 0 && target < 100)) r.error('IMP006', `target must be above 0 and below 100 for vigil, got ${target}`, [...p, 'target']);
  if (typeof spec.window !== 'string' || !isDuration(spec.window))
    r.error('IMP008', `window must be a duration like 28d or 4w, got ${JSON.stringify(spec.window)}`, [...p, 'window']);
  for (const k of ['partial_response_strategy', 'performanceOverAccuracy', 'ruleOutput'])
    if (spec[k] !== undefined)
      r.warning('IMP025', `${k} has no vigil equivalent and is not imported (vigil records long windows from short ones)`, [...p, k], undefined, true);
  const indicator = importIndicator(r, spec.indicator, [...p, 'indicator']);
  const alerting = importAlerting(r, spec.alerting, [...p, 'alerting']);
  if (r.failed || !indicator) return undefined;
  r.warning(
    'IMP040',
    "Pyrra's burn-rate tiers (factors 14/7/2/1 over windows of W/672 … W/7, plus absent-metric alerts) differ from vigil's Workbook tiers (same budget share per pair, 3d long-term window): thresholds change",
    [...p, 'window'],
    `run vigil explain <service>-${name} to see the imported alert table`,
  );
  return {
    name: kebabName(r, name, 'SLO name', ['metadata', 'name']),
    ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
    objective: target,
    indicator: indicator.indicator,
    ...(indicator.groupBy.length ? { groupBy: indicator.groupBy } : {}),
    ...(alerting ? { alerting } : {}),
  };
}

function metricOf(r: ObjectReport, v: unknown, p: Path): string | undefined {
  const m = isRecord(v) ? v.metric : undefined;
  if (typeof m !== 'string') {
    r.error('IMP004', 'metric is required', p);
    return undefined;
  }
  const parsed = parseVectorSelector(m.trim());
  if (!parsed.selector) {
    r.error('IMP009', `metric must be a plain series selector (Pyrra applies rate() itself): ${parsed.error?.message ?? ''}`, [...p, 'metric']);
    return undefined;
  }
  return m.trim();
}

function grouping(r: ObjectReport, g: unknown, p: Path): string[] {
  if (g === undefined) return [];
  if (!Array.isArray(g) || g.some((x) => typeof x !== 'string')) {
    r.error('IMP004', 'grouping must be a list of label names', p);
    return [];
  }
  g.forEach((label: string, i) => {
    if (RESERVED_LABELS.includes(label))
      r.error(
        'IMP032',
        `grouping by ${JSON.stringify(label)} is not possible: vigil sets that label on every SLO series itself`,
        [...p, i],
        `reserved labels: ${RESERVED_LABELS.join(', ')}; relabel the metric (e.g. to rpc_service) first`,
      );
  });
  return g as string[];
}

function importIndicator(r: ObjectReport, ind: unknown, p: Path): { indicator: SloSpec['indicator']; groupBy: string[] } | undefined {
  if (!isRecord(ind)) {
    r.error('IMP004', 'indicator is required', p);
    return undefined;
  }
  const kinds = Object.keys(ind);
  if (kinds.length !== 1) {
    r.error('IMP004', `indicator needs exactly one of ratio, latency, latencyNative, bool_gauge; got ${kinds.join(', ') || 'none'}`, p);
    return undefined;
  }
  const kind = kinds[0]!;
  const body = ind[kind];
  const q: Path = [...p, kind];
  if (kind === 'latencyNative') {
    r.error(
      'IMP013',
      'latencyNative (native histograms) is not supported: vigil latency indicators read classic histograms (_bucket{le})',
      q,
      'use a classic histogram with a bucket at the latency bound',
      true,
    );
    return undefined;
  }
  if (!isRecord(body)) {
    r.error('IMP004', `${kind} must be a mapping`, q);
    return undefined;
  }
  const groupBy = grouping(r, body.grouping, [...q, 'grouping']);
  if (kind === 'ratio') {
    const errors = metricOf(r, body.errors, [...q, 'errors']);
    const total = metricOf(r, body.total, [...q, 'total']);
    return errors && total ? { indicator: { ratio: { errors, total } }, groupBy } : undefined;
  }
  if (kind === 'bool_gauge') {
    const m = metricOf(r, body, q);
    return m ? { indicator: { boolGauge: m }, groupBy } : undefined;
  }
  if (kind === 'latency') {
    const success = metricOf(r, body.success, [...q, 'success']);
    const total = metricOf(r, body.total, [...q, 'total']);
    if (!success || !total) return undefined;
    const s = parseVectorSelector(success).selector!;
    const t = parseVectorSelector(total).selector!;
    const le = s.matchers.find((m) => m.name === 'le');
    if (!s.metric.endsWith('_bucket') || !le || le.op !== '=' || !Number.isFinite(Number(le.value))) {
      r.error('IMP009', 'latency.success must be a _bucket selector with an le="<number>" matcher', [...q, 'success', 'metric']);
      return undefined;
    }
    const base = s.metric.slice(0, -'_bucket'.length);
    const histogram = formatSelector({ metric: base, matchers: s.matchers.filter((m) => m !== le) });
    const same = t.metric === `${base}_count` && formatSelector({ metric: base, matchers: t.matchers }) === histogram;
    if (same) return { indicator: { latency: { histogram, threshold: Number(le.value) } }, groupBy };
    r.warning('IMP026', `latency.total ${total} is not ${base}_count with the same matchers; imported as a raw indicator`, [...q, 'total', 'metric']);
    const by = groupBy.length ? ` by (${groupBy.join(', ')})` : '';
    return {
      indicator: { raw: { errorRatio: `1 - (sum${by} (rate(${success}[{{window}}])) / sum${by} (rate(${total}[{{window}}])))` } },
      groupBy,
    };
  }
  r.error('IMP004', `unknown indicator ${JSON.stringify(kind)}; Pyrra has ratio, latency, latencyNative, bool_gauge`, q, undefined, true);
  return undefined;
}

function importAlerting(r: ObjectReport, a: unknown, p: Path): AlertingSpec | undefined {
  if (a === undefined) return undefined;
  if (!isRecord(a)) {
    r.error('IMP004', 'alerting must be a mapping', p);
    return undefined;
  }
  const out: { -readonly [K in keyof AlertingSpec]: AlertingSpec[K] } = {};
  if (a.disabled === true || a.burnrates === false) {
    out.page = false;
    out.ticket = false;
  }
  if (typeof a.name === 'string') out.name = alertName(r, a.name, [...p, 'name']);
  for (const k of ['absent', 'absentName', 'severities'])
    if (a[k] !== undefined)
      r.warning('IMP027', `alerting.${k} is not imported (vigil has no absent alert; its tiers are page and ticket)`, [...p, k], undefined, true);
  return Object.keys(out).length ? out : undefined;
}
