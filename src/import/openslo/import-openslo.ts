import type { AlertingSpec, SloSpec } from '../../load/slo-schema.js';
import { alertWindowsFor } from '../../model/slo-math.js';
import { parseDurationSeconds } from '../../runtime/duration.js';
import type { SourceObject } from '../documents.js';
import { ObjectReport } from '../outcome.js';
import type { Importer } from '../registry.js';
import { runSloImport } from '../slo-importer.js';
import { alertName, hasWindowTemplate, isRecord, isSelector, kebabName, sumRateSelector, toKebab, toVigilWindow } from '../slo-shapes.js';
import type { ImportedSlo } from '../slo-specs.js';
import { VIGIL_ANNOTATIONS } from './annotations.js';
import { parseVectorSelector, formatSelector } from '../../query/promql.js';

type Path = (string | number)[];
type Obj = { source: SourceObject; value: Record<string, unknown>; base: Path };

/** `vigil import openslo`: OpenSLO v1 and v1alpha documents. */
export const opensloImporter: Importer = {
  kind: 'openslo',
  summary: 'OpenSLO v1 and v1alpha documents (SLO, SLI, Service, DataSource, AlertPolicy, AlertCondition)',
  extensions: ['.yaml', '.yml'],
  defaultOut: 'slos',
  importFiles: (files) => runSloImport('openslo', files, importOpensloObjects),
};

const KINDS = new Set(['SLO', 'SLI', 'Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget']);
const OPS: Record<string, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

export function importOpensloObjects(objects: readonly SourceObject[]): { slos: ImportedSlo[]; reports: ObjectReport[] } {
  const byKind = new Map<string, Map<string, Obj>>();
  const reports: ObjectReport[] = [];
  const slosIn: Obj[] = [];
  for (const source of objects) {
    const v = source.value;
    const ok = isRecord(v) && (v.apiVersion === 'openslo/v1' || v.apiVersion === 'openslo/v1alpha') && typeof v.kind === 'string' && KINDS.has(v.kind);
    if (!ok) {
      const r = new ObjectReport(source, isRecord(v) ? `${String(v.kind)} ${isRecord(v.metadata) ? String(v.metadata.name) : ''}`.trim() : 'document');
      const known = isRecord(v) && typeof v.apiVersion === 'string' && v.apiVersion.startsWith('openslo/');
      r.error(
        'IMP002',
        known
          ? `kind ${JSON.stringify(v.kind)} of ${String(v.apiVersion)} is not an OpenSLO kind`
          : `not an OpenSLO document (apiVersion ${JSON.stringify(isRecord(v) ? v.apiVersion : undefined)})`,
        known ? ['kind'] : ['apiVersion'],
        'vigil reads apiVersion openslo/v1 and openslo/v1alpha',
      );
      reports.push(r);
      continue;
    }
    const o: Obj = { source, value: v, base: [] };
    const name = isRecord(v.metadata) && typeof v.metadata.name === 'string' ? v.metadata.name : '';
    if (!byKind.has(v.kind as string)) byKind.set(v.kind as string, new Map());
    byKind.get(v.kind as string)!.set(name, o);
    if (v.kind === 'SLO') slosIn.push(o);
  }
  const slos: ImportedSlo[] = [];
  for (const o of slosIn) {
    const meta = o.value.metadata;
    const name = isRecord(meta) && typeof meta.name === 'string' ? meta.name : '?';
    const r = new ObjectReport(o.source, `${String(o.value.apiVersion)} SLO ${name}`);
    reports.push(r);
    slos.push(...importSlo(r, o, byKind));
  }
  return { slos, reports };
}

function importSlo(r: ObjectReport, o: Obj, byKind: Map<string, Map<string, Obj>>): ImportedSlo[] {
  const v = o.value;
  const alpha = v.apiVersion === 'openslo/v1alpha';
  const meta = isRecord(v.metadata) ? v.metadata : {};
  const ann: Record<string, unknown> = isRecord(meta.annotations) ? meta.annotations : {};
  if (typeof meta.name !== 'string') r.error('IMP004', 'metadata.name is required', ['metadata']);
  const spec = v.spec;
  if (!isRecord(spec)) {
    r.error('IMP004', 'spec is required', []);
    return [];
  }
  if (typeof spec.service !== 'string') r.error('IMP004', 'spec.service is required', ['spec', 'service']);
  const period = alpha ? alphaPeriod(r, spec.timeWindows) : v1Period(r, spec.timeWindow);
  const method = spec.budgetingMethod;
  if (method !== undefined && method !== 'Occurrences')
    r.error(
      'IMP016',
      `budgetingMethod ${JSON.stringify(method)} is not supported: vigil SLOs count events (Occurrences)`,
      ['spec', 'budgetingMethod'],
      'use Occurrences',
    );
  if (!alpha && method === undefined) r.error('IMP004', 'budgetingMethod is required in openslo/v1', ['spec']);
  const objectives = Array.isArray(spec.objectives) ? spec.objectives : [];
  if (objectives.length === 0) r.error('IMP004', 'spec.objectives must list at least one objective', ['spec', 'objectives']);

  // The indicator: inline, referenced, or (v1alpha) thresholdMetric on the SLO; v1alpha ratios sit in each objective.
  let sli: { value: Record<string, unknown>; at: Path; source: ObjectReport } | undefined;
  if (!alpha) {
    if (isRecord(spec.indicator))
      sli = isRecord(spec.indicator.spec) ? { value: spec.indicator.spec, at: ['spec', 'indicator', 'spec'], source: r } : undefined;
    else if (typeof spec.indicatorRef === 'string') {
      const ref = byKind.get('SLI')?.get(spec.indicatorRef);
      if (!ref || !isRecord(ref.value.spec))
        r.error('IMP011', `indicatorRef ${JSON.stringify(spec.indicatorRef)}: no SLI of that name in the given files`, ['spec', 'indicatorRef']);
      else sli = { value: ref.value.spec, at: ['spec'], source: r.elsewhere(ref.source) };
    } else r.error('IMP004', 'spec needs indicator or indicatorRef', ['spec']);
  }
  const alerting = importAlertPolicies(r, spec.alertPolicies, ann, byKind, period);
  if (r.failed) return [];
  const service = kebabName(r, spec.service as string, 'service', ['spec', 'service']);
  const labels = jsonAnnotation(r, ann, VIGIL_ANNOTATIONS.labels) ?? {};
  const sla = slaAnnotation(r, ann);
  const groupBy = typeof ann[VIGIL_ANNOTATIONS.groupBy] === 'string' ? (ann[VIGIL_ANNOTATIONS.groupBy] as string).split(',').filter(Boolean) : [];
  const out: ImportedSlo[] = [];
  objectives.forEach((obj: unknown, i: number) => {
    const p: Path = ['spec', 'objectives', i];
    if (!isRecord(obj)) {
      r.error('IMP004', 'an objective must be a mapping', p);
      return;
    }
    if (obj.indicator !== undefined || obj.indicatorRef !== undefined) {
      r.error('IMP017', 'composite objectives (an indicator per objective) are not supported', p);
      return;
    }
    const objective = typeof obj.target === 'number' ? obj.target * 100 : typeof obj.targetPercent === 'number' ? obj.targetPercent : NaN;
    if (!Number.isFinite(objective)) r.error('IMP004', 'the objective needs target (0–1) or targetPercent', p);
    else if (!(objective > 0 && objective < 100)) r.error('IMP006', `objective must be above 0 and below 100 percent for vigil, got ${objective}`, p);
    const indicator = alpha ? alphaIndicator(r, spec.indicator, obj, p) : sli ? v1Indicator(sli.source, r, sli.value, sli.at, obj, p, byKind) : undefined;
    if (!indicator || r.failed) return;
    const baseName = String(meta.name);
    const suffix = typeof obj.displayName === 'string' && obj.displayName ? toKebab(obj.displayName) : String(i);
    // `<service>-<name>` (what vigil export writes, and a common OpenSLO habit) keeps the SLO id equal to metadata.name.
    const short = baseName.startsWith(`${service}-`) && baseName.length > service.length + 1 ? baseName.slice(service.length + 1) : baseName;
    const name = objectives.length === 1 ? kebabName(r, short, 'SLO name', ['metadata', 'name']) : toKebab(`${short}-${suffix}`);
    const slo: SloSpec = {
      name,
      ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
      objective: Number(objective.toPrecision(12)),
      indicator,
      ...(groupBy.length ? { groupBy } : {}),
      ...(alerting ? { alerting } : {}),
      ...(sla ? { sla } : {}),
    };
    const at = o.source.positionOf(p);
    out.push({ service, period: period!, labels, slo, origin: `${o.source.file}:${at.line}:${at.column} (${r.object}, objectives[${i}])`, report: r });
  });
  return r.failed ? [] : out;
}

/** `vigil.dev/sla`: the SLA line vigil export wrote (`{"text": "…", "objective": 99.9}`). */
function slaAnnotation(r: ObjectReport, ann: Record<string, unknown>): { text: string; objective: number } | undefined {
  const text = ann[VIGIL_ANNOTATIONS.sla];
  if (typeof text !== 'string') return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (isRecord(v) && typeof v.text === 'string' && v.text !== '' && typeof v.objective === 'number' && v.objective > 0 && v.objective < 100)
      return { text: v.text, objective: v.objective };
  } catch {
    // reported below
  }
  r.error('IMP005', `annotation ${VIGIL_ANNOTATIONS.sla} must be a JSON object like {"text": "99.9% availability", "objective": 99.9}`, [
    'metadata',
    'annotations',
    VIGIL_ANNOTATIONS.sla,
  ]);
  return undefined;
}

function jsonAnnotation(r: ObjectReport, ann: Record<string, unknown>, key: string): Record<string, string> | undefined {
  const text = ann[key];
  if (typeof text !== 'string') return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (isRecord(v) && Object.values(v).every((x) => typeof x === 'string')) return v as Record<string, string>;
  } catch {
    // reported below
  }
  r.error('IMP005', `annotation ${key} must be a JSON object of strings`, ['metadata', 'annotations', key]);
  return undefined;
}

/** v1 `timeWindow: [{duration, isRolling}]` → a vigil period. */
function v1Period(r: ObjectReport, tw: unknown): string | undefined {
  const p: Path = ['spec', 'timeWindow'];
  if (!Array.isArray(tw) || tw.length !== 1 || !isRecord(tw[0])) {
    r.error('IMP004', 'timeWindow must list exactly one window', p);
    return undefined;
  }
  const w = tw[0];
  if (w.calendar !== undefined || w.isRolling === false) {
    r.error(
      'IMP015',
      'calendar windows are not supported: vigil periods are rolling',
      [...p, 0, w.calendar !== undefined ? 'calendar' : 'isRolling'],
      'use isRolling: true with a duration such as 28d',
    );
    return undefined;
  }
  const d = typeof w.duration === 'string' ? /^([0-9]+)([mhdwMQY])$/.exec(w.duration) : null;
  if (!d) {
    r.error('IMP008', `duration must be an OpenSLO duration like 28d, got ${JSON.stringify(w.duration)}`, [...p, 0, 'duration']);
    return undefined;
  }
  if ('MQY'.includes(d[2]!)) {
    r.error(
      'IMP015',
      `duration ${String(w.duration)}: months, quarters and years have no fixed length; vigil periods do`,
      [...p, 0, 'duration'],
      'use days, e.g. 30d or 90d',
    );
    return undefined;
  }
  return `${d[1]}${d[2]}`;
}

/** v1alpha `timeWindows: [{unit, count, isRolling}]` → a vigil period (Sloth: one window, unit Day). */
function alphaPeriod(r: ObjectReport, tw: unknown): string | undefined {
  const p: Path = ['spec', 'timeWindows'];
  if (tw === undefined) return '30d';
  if (!Array.isArray(tw) || tw.length !== 1 || !isRecord(tw[0])) {
    r.error('IMP004', 'timeWindows must list exactly one window', p);
    return undefined;
  }
  const w = tw[0];
  if (w.calendar !== undefined || w.isRolling === false) {
    r.error('IMP015', 'calendar windows are not supported: vigil periods are rolling', [...p, 0], 'use isRolling: true');
    return undefined;
  }
  const unit = ({ Minute: 'm', Hour: 'h', Day: 'd', Week: 'w' } as Record<string, string>)[String(w.unit)];
  if (!unit || typeof w.count !== 'number' || !Number.isInteger(w.count)) {
    r.error('IMP015', `unit ${JSON.stringify(w.unit)} with count ${JSON.stringify(w.count)} is not a fixed rolling length`, [...p, 0, 'unit'], 'use unit: Day');
    return undefined;
  }
  return `${w.count}${unit}`;
}

/** A Prometheus query from a v1 metricSource (inline type or DataSource ref); other kinds are errors naming the kind. */
function prometheusQuery(r: ObjectReport, ms: unknown, p: Path, byKind: Map<string, Map<string, Obj>>): string | undefined {
  if (!isRecord(ms)) {
    r.error('IMP004', 'metricSource is required', p);
    return undefined;
  }
  let type = typeof ms.type === 'string' ? ms.type : undefined;
  if (type === undefined && typeof ms.metricSourceRef === 'string') {
    const ds = byKind.get('DataSource')?.get(ms.metricSourceRef);
    const dsType = ds && isRecord(ds.value.spec) ? ds.value.spec.type : undefined;
    if (typeof dsType !== 'string') {
      r.error('IMP011', `metricSourceRef ${JSON.stringify(ms.metricSourceRef)}: no DataSource of that name (with spec.type) in the given files`, [
        ...p,
        'metricSourceRef',
      ]);
      return undefined;
    }
    type = dsType;
  }
  if (type?.toLowerCase() !== 'prometheus') {
    r.error('IMP014', `data source type ${JSON.stringify(type)} is not supported: vigil reads Prometheus queries only`, [
      ...p,
      ms.type !== undefined ? 'type' : 'metricSourceRef',
    ]);
    return undefined;
  }
  const q = isRecord(ms.spec) ? ms.spec.query : undefined;
  if (typeof q !== 'string' || q.trim() === '') {
    r.error('IMP004', 'spec.query (PromQL) is required', [...p, 'spec']);
    return undefined;
  }
  return q.trim();
}

/** good|bad and total queries → ratio (selectors or sum(rate(sel[window])) pairs), latency (bucket/count pair) or raw. */
function ratioFrom(r: ObjectReport, good: string | undefined, bad: string | undefined, total: string, p: Path): SloSpec['indicator'] | undefined {
  const part = (good ?? bad)!;
  const lat = latencyFrom(good, total);
  if (lat) return lat;
  if (isSelector(part) && isSelector(total)) return { ratio: { ...(good ? { good: part } : { errors: part }), total } };
  const a = sumRateSelector(part);
  const t = sumRateSelector(total);
  if (a && t && a.by.length === 0 && t.by.length === 0) return { ratio: { ...(good ? { good: a.selector } : { errors: a.selector }), total: t.selector } };
  if (!hasWindowTemplate(part) || !hasWindowTemplate(total)) {
    r.error(
      'IMP010',
      'the queries are neither plain series selectors nor templated with {{.window}}: vigil cannot tell over which window to evaluate them',
      p,
      'write counter selectors (metric{...}), or full queries with [{{.window}}] ranges',
    );
    return undefined;
  }
  const g = toVigilWindow(part);
  const tt = toVigilWindow(total);
  return { raw: { errorRatio: good ? `1 - ((${g}) / (${tt}))` : `(${g}) / (${tt})` } };
}

/** A good query `H_bucket{…, le="X"}` with total `H_count{…}` (same matchers) is a latency SLI. */
function latencyFrom(good: string | undefined, total: string): SloSpec['indicator'] | undefined {
  if (!good) return undefined;
  const s = parseVectorSelector(good).selector;
  const t = parseVectorSelector(total).selector;
  if (!s || !t || !s.metric.endsWith('_bucket')) return undefined;
  const le = s.matchers.find((m) => m.name === 'le' && m.op === '=');
  const base = s.metric.slice(0, -'_bucket'.length);
  if (!le || !Number.isFinite(Number(le.value)) || t.metric !== `${base}_count`) return undefined;
  const histogram = formatSelector({ metric: base, matchers: s.matchers.filter((m) => m !== le) });
  if (formatSelector({ metric: base, matchers: t.matchers }) !== histogram) return undefined;
  return { latency: { histogram, threshold: Number(le.value) } };
}

function v1Indicator(
  r: ObjectReport,
  sloReport: ObjectReport,
  sli: Record<string, unknown>,
  at: Path,
  obj: Record<string, unknown>,
  op: Path,
  byKind: Map<string, Map<string, Obj>>,
): SloSpec['indicator'] | undefined {
  if (isRecord(sli.thresholdMetric)) {
    const q = prometheusQuery(r, sli.thresholdMetric.metricSource, [...at, 'thresholdMetric', 'metricSource'], byKind);
    return q ? thresholdIndicator(sloReport, q, obj, op) : undefined;
  }
  const rm = sli.ratioMetric;
  if (!isRecord(rm)) {
    r.error('IMP004', 'the SLI needs ratioMetric or thresholdMetric', at);
    return undefined;
  }
  const rp: Path = [...at, 'ratioMetric'];
  if (rm.raw !== undefined) {
    const q = prometheusQuery(r, isRecord(rm.raw) ? rm.raw.metricSource : undefined, [...rp, 'raw', 'metricSource'], byKind);
    if (!q) return undefined;
    const bool = /^avg_over_time\s*\(\s*(.+?)\s*\[\s*\{\{\s*\.?window\s*\}\}\s*\]\s*\)$/s.exec(q);
    if (rm.rawType === 'success' && bool && isSelector(bool[1]!)) return { boolGauge: bool[1]!.trim() };
    if (!hasWindowTemplate(q)) {
      r.error('IMP010', 'a raw ratio query must contain {{.window}} where the range goes', [...rp, 'raw']);
      return undefined;
    }
    if (rm.rawType !== 'success' && rm.rawType !== 'failure') {
      r.error('IMP004', `rawType must be success or failure, got ${JSON.stringify(rm.rawType)}`, [...rp, 'rawType']);
      return undefined;
    }
    return { raw: { errorRatio: rm.rawType === 'failure' ? toVigilWindow(q) : `1 - (${toVigilWindow(q)})` } };
  }
  const good =
    rm.good !== undefined ? prometheusQuery(r, isRecord(rm.good) ? rm.good.metricSource : undefined, [...rp, 'good', 'metricSource'], byKind) : undefined;
  const bad = rm.bad !== undefined ? prometheusQuery(r, isRecord(rm.bad) ? rm.bad.metricSource : undefined, [...rp, 'bad', 'metricSource'], byKind) : undefined;
  const total = prometheusQuery(r, isRecord(rm.total) ? rm.total.metricSource : undefined, [...rp, 'total', 'metricSource'], byKind);
  if ((rm.good === undefined) === (rm.bad === undefined)) r.error('IMP004', 'ratioMetric needs exactly one of good, bad', rp);
  if (rm.counter === false)
    r.warning('IMP028', 'counter: false (gauge queries) imported as counters: vigil applies rate() to ratio selectors', [...rp, 'counter'], undefined, true);
  if (r.failed || !total) return undefined;
  return ratioFrom(r, good, bad, total, rp);
}

function alphaIndicator(r: ObjectReport, ind: unknown, obj: Record<string, unknown>, op: Path): SloSpec['indicator'] | undefined {
  const alphaQuery = (m: unknown, p: Path): string | undefined => {
    if (!isRecord(m)) {
      r.error('IMP004', 'expected {source, queryType, query}', p);
      return undefined;
    }
    if (typeof m.source !== 'string' || !['prometheus', 'sloth'].includes(m.source.toLowerCase())) {
      r.error('IMP014', `source ${JSON.stringify(m.source)} is not supported: vigil reads Prometheus queries only`, [...p, 'source']);
      return undefined;
    }
    if (typeof m.query !== 'string') {
      r.error('IMP004', 'query is required', p);
      return undefined;
    }
    return m.query.trim();
  };
  if (isRecord(ind) && isRecord(ind.thresholdMetric)) {
    const q = alphaQuery(ind.thresholdMetric, ['spec', 'indicator', 'thresholdMetric']);
    return q ? thresholdIndicator(r, q, obj, op) : undefined;
  }
  const rm = obj.ratioMetrics ?? obj.ratioMetric;
  const rp: Path = [...op, obj.ratioMetrics !== undefined ? 'ratioMetrics' : 'ratioMetric'];
  if (!isRecord(rm)) {
    r.error('IMP004', 'the objective needs ratioMetrics (or the SLO an indicator.thresholdMetric)', op);
    return undefined;
  }
  const good = rm.good !== undefined ? alphaQuery(rm.good, [...rp, 'good']) : undefined;
  const bad = rm.bad !== undefined ? alphaQuery(rm.bad, [...rp, 'bad']) : undefined;
  const total = alphaQuery(rm.total, [...rp, 'total']);
  if ((rm.good === undefined) === (rm.bad === undefined)) r.error('IMP004', 'ratioMetrics needs exactly one of good, bad', rp);
  if (r.failed || !total) return undefined;
  return ratioFrom(r, good, bad, total, rp);
}

/** thresholdMetric: good when `query op value`, judged per minute over the window (a time-slice SLI). */
function thresholdIndicator(r: ObjectReport, q: string, obj: Record<string, unknown>, op: Path): SloSpec['indicator'] | undefined {
  const sign = typeof obj.op === 'string' ? OPS[obj.op] : undefined;
  if (!sign || typeof obj.value !== 'number') {
    r.error('IMP004', 'a thresholdMetric objective needs op (lt, lte, gt, gte) and a numeric value', op);
    return undefined;
  }
  if (hasWindowTemplate(q)) {
    r.error('IMP010', 'a thresholdMetric query is an instant value; {{.window}} has no meaning in it', op);
    return undefined;
  }
  r.warning(
    'IMP041',
    `thresholdMetric imported as a raw indicator: the share of minutes in the window where (${q}) ${sign} ${obj.value} does not hold`,
    [...op, 'op'],
    undefined,
    true,
  );
  return { raw: { errorRatio: `1 - avg_over_time(((${q}) ${sign} bool ${obj.value})[{{window}}:1m])` } };
}

/**
 * Alert policies: a burnrate condition whose lookback window and threshold equal one of vigil's
 * window pairs for this period sets that tier's severity; anything else is reported (IMP042)
 * because vigil alerts only on its multiwindow pairs.
 */
function importAlertPolicies(
  r: ObjectReport,
  policies: unknown,
  ann: Record<string, unknown>,
  byKind: Map<string, Map<string, Obj>>,
  period: string | undefined,
): AlertingSpec | undefined {
  const out: { -readonly [K in keyof AlertingSpec]: AlertingSpec[K] } = {};
  if (typeof ann[VIGIL_ANNOTATIONS.alertName] === 'string') out.name = alertName(r, ann[VIGIL_ANNOTATIONS.alertName] as string, ['metadata', 'annotations']);
  if (typeof ann[VIGIL_ANNOTATIONS.runbook] === 'string') out.runbook = ann[VIGIL_ANNOTATIONS.runbook] as string;
  const alertLabels = jsonAnnotation(r, ann, VIGIL_ANNOTATIONS.alertLabels);
  if (alertLabels && Object.keys(alertLabels).length) out.labels = alertLabels;
  const list = policies === undefined ? [] : Array.isArray(policies) ? policies : undefined;
  if (!list) {
    r.error('IMP004', 'alertPolicies must be a list', ['spec', 'alertPolicies']);
    return undefined;
  }
  const seconds = period ? parseDurationSeconds(period) : undefined;
  const pairs = seconds ? alertWindowsFor(seconds / 60, 0, { page: 'page', ticket: 'ticket' }) : undefined;
  const all = pairs ? [...pairs.windows, ...pairs.dropped] : [];
  const severities: { page?: string; ticket?: string } = {};
  list.forEach((item: unknown, i: number) => {
    const p: Path = ['spec', 'alertPolicies', i];
    let policy: Record<string, unknown> | undefined;
    if (isRecord(item) && typeof item.alertPolicyRef === 'string') {
      const ref = byKind.get('AlertPolicy')?.get(item.alertPolicyRef);
      if (!ref) {
        r.error('IMP011', `alertPolicyRef ${JSON.stringify(item.alertPolicyRef)}: no AlertPolicy of that name in the given files`, [...p, 'alertPolicyRef']);
        return;
      }
      policy = ref.value;
    } else if (isRecord(item)) policy = item;
    const spec = policy && isRecord(policy.spec) ? policy.spec : undefined;
    const conditions = spec && Array.isArray(spec.conditions) ? spec.conditions : [];
    if (spec && Array.isArray(spec.notificationTargets) && spec.notificationTargets.length > 0)
      r.warning(
        'IMP043',
        'notificationTargets are not imported: vigil routes alerts by team and severity in the routing policy (alerts/)',
        p,
        'declare the receivers in your AlertRouting file',
      );
    for (const c of conditions) {
      let cond: Record<string, unknown> | undefined;
      if (isRecord(c) && typeof c.conditionRef === 'string') cond = byKind.get('AlertCondition')?.get(c.conditionRef)?.value;
      else if (isRecord(c)) cond = c;
      const cspec = cond && isRecord(cond.spec) ? cond.spec : undefined;
      const cc = cspec && isRecord(cspec.condition) ? cspec.condition : undefined;
      if (!cspec || !cc) {
        r.warning(
          'IMP042',
          `alert policy condition ${isRecord(c) && typeof c.conditionRef === 'string' ? JSON.stringify(c.conditionRef) : ''} not found or has no condition; not imported`,
          p,
        );
        continue;
      }
      const lookback = typeof cc.lookbackWindow === 'string' ? parseDurationSeconds(cc.lookbackWindow) : undefined;
      const match = all.find(
        (w) =>
          lookback !== undefined && w.longMinutes * 60 === lookback && typeof cc.threshold === 'number' && Math.abs(w.factor - cc.threshold) < 1e-9 * w.factor,
      );
      const kind = typeof cc.kind === 'string' ? cc.kind : 'burnrate';
      if (kind === 'burnrate' && (cc.op === 'gt' || cc.op === 'gte') && match && typeof cspec.severity === 'string') {
        const prior = severities[match.tier];
        if (prior !== undefined && prior !== cspec.severity)
          r.warning('IMP042', `conditions of the ${match.tier} tier disagree on severity (${prior}, ${cspec.severity}); vigil keeps ${prior}`, p);
        else severities[match.tier] = cspec.severity;
        continue;
      }
      r.warning(
        'IMP042',
        `condition ${kind} ${String(cc.op)} ${String(cc.threshold)} over ${String(cc.lookbackWindow)} cannot be expressed: vigil alerts on its multiwindow burn-rate pairs (${all.map((w) => `${w.long}/${w.short} > ${Number(w.factor.toPrecision(6))}x`).join(', ')})`,
        p,
        'check vigil explain for the pairs the imported SLO alerts on',
      );
    }
  });
  const tiers = typeof ann[VIGIL_ANNOTATIONS.tiers] === 'string' ? (ann[VIGIL_ANNOTATIONS.tiers] as string).split(',') : undefined;
  for (const tier of ['page', 'ticket'] as const) {
    if (tiers && !tiers.includes(tier)) out[tier] = false;
    else if (severities[tier] !== undefined) out[tier] = { severity: severities[tier] };
  }
  return Object.keys(out).length ? out : undefined;
}
