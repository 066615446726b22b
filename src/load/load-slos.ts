import path from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import { DEFAULT_PAGE_SEVERITY, DEFAULT_SLO_ALERT_NAME, DEFAULT_TICKET_SEVERITY, RESERVED_LABELS, sloId } from '../conventions.js';
import { parseDurationSeconds } from '../model/duration.js';
import { leSpellings } from '../model/le-values.js';
import { formatMinutes } from '../model/duration.js';
import { alertWindowsFor, baseWindowMinutes, intervalKeepsTilesExact } from '../model/slo-math.js';
import type { Indicator, SloModel, SloSourceMap, SourceRef } from '../model/types.js';
import { parsePromql, parseVectorSelector, type VectorSelector } from '../query/promql.js';
import { listSpecFiles, readSpecFiles } from './read-spec-files.js';
import { SLO_API_VERSIONS, SloFileSchema, type AlertingSpec, type SloFileSpec, type SloSpec } from './slo-schema.js';
import { requireApiVersion } from './api-version.js';
import { validateWithSchema } from './validate-schema.js';
import { withEnvironment, type EnvironmentLoad } from './env-overlay.js';
import { formatPath, type YamlSource } from './yaml-source.js';

type Path = (string | number)[];

const MIN_PERIOD_MINUTES = 1440;
/** A latency bound above an hour is a unit mistake (2000 meant as milliseconds in a seconds histogram). */
const MAX_LATENCY_SECONDS = 3600;
const MAX_PERIOD_MINUTES = 90 * 1440;

/** Loads every `slos/*.yaml` under `root` into SLO models; problems go to `diags`. */
export async function loadSlos(root: string, diags: Diagnostics, environment?: EnvironmentLoad): Promise<SloModel[]> {
  const files = await listSpecFiles(path.join(root, 'slos'));
  const models: SloModel[] = [];
  const byId = new Map<string, SloModel>();
  const byService = new Map<string, { file: string; line: number; column: number }>();
  // Read (and parse) every file concurrently so file I/O overlaps; results are used in file order.
  const sources = withEnvironment(await readSpecFiles(root, files, diags, 'slos'), 'slos', environment, diags);
  for (const source of sources) {
    if (!source) continue;
    const loaded = sloModelsFromSource(source, diags);
    if (!loaded) continue;
    const prior = byService.get(loaded.service.name);
    if (prior) {
      diags.error(
        'SLO020',
        `service ${JSON.stringify(loaded.service.name)} is already declared in ${prior.file}:${prior.line}:${prior.column}`,
        { file: source.file, ...loaded.service.at, path: 'service' },
        'one file per service: merge the two files or rename one service',
      );
    } else {
      byService.set(loaded.service.name, { file: source.file, ...loaded.service.at });
    }
    for (const m of loaded.models) {
      const other = byId.get(m.id);
      if (other) {
        diags.error(
          'SLO019',
          `SLO id ${JSON.stringify(m.id)} is also defined at ${other.source.file}:${other.source.line}:${other.source.column}`,
          { file: m.source.file, line: m.source.line, column: m.source.column },
          'SLO ids (<service>-<name>) must be unique across all files',
        );
        continue;
      }
      byId.set(m.id, m);
      models.push(m);
    }
  }
  return models.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Validates one parsed SLO file and converts it to models. Returns undefined when the file has
 * errors (every error is reported first).
 */
export function sloModelsFromSource(
  source: YamlSource,
  diags: Diagnostics,
): { service: { name: string; at: { line: number; column: number } }; models: SloModel[] } | undefined {
  const at = (p: Path, key = false) => {
    const pos = key ? source.keyPositionOf(p) : source.positionOf(p);
    return { file: pos.file ?? source.file, line: pos.line, column: pos.column, path: formatPath(p) || '(document)' };
  };
  const doc = source.value;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    diags.error('SLO005', 'an SLO file must be a mapping with apiVersion, kind, service and slos', at([]));
    return undefined;
  }
  const raw = doc as Record<string, unknown>;
  if (
    !requireApiVersion(source, diags, {
      code: 'SLO001',
      versions: SLO_API_VERSIONS,
      expected: `one of ${SLO_API_VERSIONS.join(', ')}`,
      hint: 'start the file with apiVersion: vigil/v1',
    })
  )
    return undefined;
  if (raw.kind !== 'ServiceLevelObjectives') {
    diags.error(
      'SLO002',
      `kind must be ServiceLevelObjectives, got ${raw.kind === undefined ? 'nothing' : JSON.stringify(raw.kind)}`,
      raw.kind === undefined ? at([]) : at(['kind']),
    );
    return undefined;
  }
  const before = diags.errors.length;
  const errorPaths: string[] = [];
  validateWithSchema(SloFileSchema, source, diags, { unknownKey: 'SLO003', missingKey: 'SLO004', wrongType: 'SLO005', badValue: 'SLO006' }, errorPaths);
  // Schema errors outside individual SLOs make the file unusable; inside one SLO, the other SLOs
  // are still checked so that one run reports every problem.
  if (errorPaths.some((p) => !/^\/slos\/\d+(\/|$)/.test(p))) return undefined;
  const brokenSlos = new Set(errorPaths.map((p) => Number(p.split('/')[2])));
  const spec = doc as SloFileSpec;

  const ext = /\.(ya?ml|ts)$/.exec(source.file)?.[0] ?? '.yaml';
  const base = path.basename(source.file, ext);
  if (base !== spec.service)
    diags.warning(
      'SLO024',
      `file name ${path.basename(source.file)} does not match service ${JSON.stringify(spec.service)}`,
      at(['service']),
      `name the file slos/${spec.service}${ext} (one file per service)`,
    );

  const periodMinutes = checkPeriod(spec, diags, at);
  checkEvaluationInterval(spec, periodMinutes, diags, at);
  checkLabels(spec.labels, ['labels'], diags, at);
  checkAlerting(spec.alerting, ['alerting'], diags, at);

  const names = new Map<string, number>();
  const models: SloModel[] = [];
  spec.slos.forEach((slo, i) => {
    const p: Path = ['slos', i];
    if (brokenSlos.has(i)) return;
    const prior = names.get(slo.name);
    if (prior !== undefined) {
      const pos = source.positionOf(['slos', prior, 'name']);
      diags.error(
        'SLO018',
        `SLO name ${JSON.stringify(slo.name)} is already used by slos[${prior}] at line ${pos.line}`,
        at([...p, 'name']),
        'names must be unique within a service',
      );
      return;
    }
    names.set(slo.name, i);
    const model = toModel(spec, slo, p, periodMinutes, source, diags, at);
    if (model) models.push(model);
  });
  if (diags.errors.length > before) return undefined;
  const svcPos = source.positionOf(['service']);
  return { service: { name: spec.service, at: { line: svcPos.line, column: svcPos.column } }, models };
}

type At = (p: Path, key?: boolean) => { file: string; line: number; column: number; path: string };

function checkPeriod(spec: SloFileSpec, diags: Diagnostics, at: At): number {
  if (spec.period === undefined) return 30 * 1440;
  const seconds = parseDurationSeconds(spec.period) ?? 0;
  const minutes = seconds / 60;
  if (!Number.isInteger(minutes) || minutes < MIN_PERIOD_MINUTES || minutes > MAX_PERIOD_MINUTES) {
    diags.error(
      'SLO008',
      `period must be a whole number of minutes between 1d and 90d, got ${JSON.stringify(spec.period)}`,
      at(['period']),
      'use e.g. 30d, 28d or 4w',
    );
    return 30 * 1440;
  }
  return minutes;
}

/** SLO030: the file's evaluation interval must divide the base window, else the tiles are not exact. */
function checkEvaluationInterval(spec: SloFileSpec, periodMinutes: number, diags: Diagnostics, at: At): void {
  if (spec.evaluationInterval === undefined) return;
  const seconds = parseDurationSeconds(spec.evaluationInterval) ?? 0;
  if (intervalKeepsTilesExact(seconds, periodMinutes)) return;
  const base = formatMinutes(baseWindowMinutes(periodMinutes));
  diags.error(
    'SLO030',
    `evaluationInterval ${spec.evaluationInterval} does not divide the ${base} base window of period ${spec.period ?? '30d'}: the windows would not tile exactly`,
    at(['evaluationInterval']),
    `use a whole number of seconds that divides ${base}, e.g. ${base === '1m' ? '30s or 1m' : '30s, 1m or 5m'}`,
  );
}

function checkLabels(labels: Record<string, string> | undefined, p: Path, diags: Diagnostics, at: At): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || k.startsWith('__')) {
      diags.error(
        'SLO017',
        `${JSON.stringify(k)} is not a valid label name`,
        at([...p, k], true),
        'label names are letters, digits and "_", not starting with a digit or "__"',
      );
    } else if (RESERVED_LABELS.includes(k)) {
      diags.error(
        'SLO017',
        `label ${JSON.stringify(k)} is set by vigil and cannot be overridden`,
        at([...p, k], true),
        `reserved labels: ${RESERVED_LABELS.join(', ')}`,
      );
    } else if (v === '') {
      diags.error(
        'SLO017',
        `label ${JSON.stringify(k)} has an empty value`,
        at([...p, k]),
        'an empty value removes a label in Prometheus; give it a value or drop the key',
      );
    }
  }
}

function checkAlerting(a: AlertingSpec | undefined, p: Path, diags: Diagnostics, at: At): void {
  if (!a) return;
  checkLabels(a.labels, [...p, 'labels'], diags, at);
}

function toModel(file: SloFileSpec, slo: SloSpec, p: Path, periodMinutes: number, source: YamlSource, diags: Diagnostics, at: At): SloModel | undefined {
  const errorsBefore = diags.errors.length;
  if (!(slo.objective > 0 && slo.objective < 100)) {
    diags.error('SLO007', `objective must be above 0 and below 100 (percent), got ${slo.objective}`, at([...p, 'objective']), 'write 99.9 for 99.9%');
  }
  const groupBy = slo.groupBy ?? [];
  groupBy.forEach((g, i) => {
    if (RESERVED_LABELS.includes(g) || g.startsWith('__'))
      diags.error('SLO016', `cannot group by ${JSON.stringify(g)}: vigil sets that label itself`, at([...p, 'groupBy', i]));
    else if (file.labels && g in file.labels)
      diags.error(
        'SLO016',
        `cannot group by ${JSON.stringify(g)}: the file's labels already set it`,
        at([...p, 'groupBy', i]),
        'remove it from labels or from groupBy',
      );
  });
  checkAlerting(slo.alerting, [...p, 'alerting'], diags, at);
  const indicator = toIndicator(slo, [...p, 'indicator'], source, diags, at);

  const alerting = { ...file.alerting, ...slo.alerting, labels: { ...file.alerting?.labels, ...slo.alerting?.labels } };
  for (const k of Object.keys(alerting.labels)) {
    if (file.labels && k in file.labels)
      diags.error('SLO026', `alert label ${JSON.stringify(k)} is also in the file's labels`, at([...p, 'alerting', 'labels', k], true), 'set it in one place');
  }
  const tier = (t: unknown, dflt: string): string | false => (t === false ? false : ((t as { severity?: string } | undefined)?.severity ?? dflt));
  const page = tier(alerting.page, DEFAULT_PAGE_SEVERITY);
  const ticket = tier(alerting.ticket, DEFAULT_TICKET_SEVERITY);
  if (diags.errors.length > errorsBefore || !indicator) return undefined;

  const objective = slo.objective / 100;
  const errorBudget = roundRatio(1 - objective);
  const { windows, dropped } = alertWindowsFor(periodMinutes, errorBudget, { page, ticket });
  if (page === false && ticket === false) {
    diags.warning('SLO021', 'both alert tiers are disabled: this SLO records series but never alerts', at([...p, 'alerting']));
  }
  for (const w of dropped) {
    diags.warning(
      'SLO022',
      `the ${w.tier} pair ${w.long}/${w.short} needs a ${(w.threshold * 100).toFixed(1)}% error ratio (burn rate ${round3(w.factor)}x of a ${(errorBudget * 100).toPrecision(3)}% budget) and could never fire; it is left out`,
      at([...p, 'objective']),
      'raise the objective or accept fewer alert windows',
    );
  }
  const pos = source.positionOf([...p, 'name']);
  const periodText = file.period ?? '30d';
  return {
    id: sloId(file.service, slo.name),
    service: file.service,
    name: slo.name,
    description: slo.description ?? '',
    objective: roundRatio(objective),
    objectivePercent: slo.objective,
    errorBudget,
    periodMinutes,
    period: periodText,
    ...(file.evaluationInterval !== undefined ? { evaluationInterval: file.evaluationInterval } : {}),
    labels: { ...file.labels },
    groupBy,
    indicator,
    alertName: alerting.name ?? DEFAULT_SLO_ALERT_NAME,
    runbook: alerting.runbook,
    alertLabels: alerting.labels,
    ...(slo.sla ? { sla: { text: slo.sla.text, objectivePercent: slo.sla.objective ?? slo.objective } } : {}),
    windows,
    droppedWindows: dropped,
    source: { file: pos.file ?? source.file, line: pos.line, column: pos.column },
    at: sourceMapOf(slo, p, source),
  };
}

/** Where the SLO's indicator fields and groupBy entries sit in the file (for diagnostics raised after loading). */
function sourceMapOf(slo: SloSpec, p: Path, source: YamlSource): SloSourceMap {
  const ref = (q: Path): SourceRef => ({ file: source.file, ...source.positionOf(q) });
  const ind = slo.indicator;
  const ip = [...p, 'indicator'];
  const indicator: Partial<Record<keyof SloSourceMap['indicator'], SourceRef>> = {};
  for (const k of ['errors', 'good', 'total'] as const) if (ind.ratio?.[k] !== undefined) indicator[k] = ref([...ip, 'ratio', k]);
  if (ind.latency) {
    indicator.histogram = ref([...ip, 'latency', 'histogram']);
    indicator.threshold = ref([...ip, 'latency', 'threshold']);
  }
  if (ind.boolGauge !== undefined) indicator.boolGauge = ref([...ip, 'boolGauge']);
  if (ind.raw) indicator.errorRatio = ref([...ip, 'raw', 'errorRatio']);
  return { indicator, groupBy: (slo.groupBy ?? []).map((_, i) => ref([...p, 'groupBy', i])) };
}

/** Removes float noise like 0.0010000000000000009 from 1 - 0.999. */
function roundRatio(x: number): number {
  return Number(x.toPrecision(12));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function toIndicator(slo: SloSpec, p: Path, source: YamlSource, diags: Diagnostics, at: At): Indicator | undefined {
  const ind = slo.indicator;
  const kinds = (['ratio', 'latency', 'boolGauge', 'raw'] as const).filter((k) => ind[k] !== undefined);
  if (kinds.length !== 1) {
    diags.error(
      'SLO009',
      kinds.length === 0 ? 'indicator needs one of ratio, latency, boolGauge, raw' : `indicator has ${kinds.join(' and ')}; give exactly one`,
      kinds.length === 0 ? at(p) : at([...p, kinds[1]!], true),
    );
    return undefined;
  }
  const selector = (sp: Path, text: string): VectorSelector | undefined => {
    const r = parseVectorSelector(text);
    if (r.error) {
      const pos = source.offsetPositionOf(sp, r.error.offset);
      const syntax = !r.error.message.startsWith('expected a plain') && !r.error.message.startsWith('the selector');
      diags.error(
        syntax ? 'SLO011' : 'SLO012',
        r.error.message,
        { file: pos.file ?? source.file, line: pos.line, column: pos.column, path: formatPath(sp) },
        syntax
          ? 'write a PromQL series selector like http_requests_total{job="api", code=~"5.."}'
          : 'vigil applies rate() and sums itself: give only the counter selector, or use indicator.raw for a custom expression',
      );
      return undefined;
    }
    return r.selector;
  };
  if (ind.ratio) {
    const rp = [...p, 'ratio'];
    const r = ind.ratio;
    if ((r.errors === undefined) === (r.good === undefined)) {
      diags.error(
        'SLO010',
        r.errors === undefined ? 'ratio needs errors: or good: (besides total:)' : 'ratio has both errors: and good:; give one',
        r.errors === undefined ? at(rp) : at([...rp, 'good'], true),
      );
      return undefined;
    }
    const total = selector([...rp, 'total'], r.total);
    const errors = r.errors !== undefined ? selector([...rp, 'errors'], r.errors) : undefined;
    const good = r.good !== undefined ? selector([...rp, 'good'], r.good) : undefined;
    if (!total || (r.errors !== undefined && !errors) || (r.good !== undefined && !good)) return undefined;
    const part = errors ?? good!;
    if (sameSelector(part, total)) {
      diags.error(
        'SLO023',
        `${errors ? 'errors' : 'good'} selects exactly the same series as total, so the ratio is constant`,
        at([...rp, errors ? 'errors' : 'good']),
        'add a matcher that picks the failed (or good) requests, e.g. code=~"5.."',
      );
      return undefined;
    }
    return errors ? { kind: 'ratio', errors, total } : { kind: 'ratio', good: good!, total };
  }
  if (ind.latency) {
    const lp = [...p, 'latency'];
    const h = selector([...lp, 'histogram'], ind.latency.histogram);
    if (!h) return undefined;
    if (h.matchers.some((m) => m.name === 'le')) {
      diags.error('SLO027', 'the histogram selector must not match on le; vigil selects the threshold bucket itself', at([...lp, 'histogram']));
      return undefined;
    }
    const metric = h.metric.replace(/_(bucket|count|sum)$/, '');
    const inMillis = /_(milliseconds|ms)$/.test(metric);
    // A duration in any unit (decimals too), or a plain number in the histogram's own unit.
    const given = ind.latency.threshold;
    const plain = typeof given === 'number' ? given : /^[0-9.]+$/.test(given) ? Number(given) : undefined;
    const seconds =
      plain !== undefined ? (inMillis ? plain / 1000 : plain) : typeof given === 'string' ? (parseDurationSeconds(given, { decimals: true }) ?? 0) : 0;
    if (!(seconds > 0) || seconds > MAX_LATENCY_SECONDS) {
      diags.error(
        'SLO013',
        `threshold must be above 0 and at most 1h, got ${JSON.stringify(given)}${plain !== undefined ? ` (${inMillis ? 'milliseconds' : 'seconds'}, the histogram's unit)` : ''}`,
        at([...lp, 'threshold']),
        'the time one request may take, e.g. 2s, 0.5s or 250ms',
      );
      return undefined;
    }
    const threshold = inMillis ? Math.round(seconds * 1e6) / 1e3 : seconds;
    return { kind: 'latency', histogram: { metric, matchers: h.matchers }, threshold, leValues: leSpellings(threshold) };
  }
  if (ind.boolGauge !== undefined) {
    const g = selector([...p, 'boolGauge'], ind.boolGauge);
    return g ? { kind: 'boolGauge', gauge: g } : undefined;
  }
  const rawExpr = ind.raw!.errorRatio;
  const rawPath = [...p, 'raw', 'errorRatio'];
  if (!rawExpr.includes('{{window}}')) {
    diags.error(
      'SLO014',
      'errorRatio must contain {{window}} where the range goes, e.g. rate(x_failed[{{window}}])',
      at(rawPath),
      'vigil evaluates the expression once per alert window',
    );
    return undefined;
  }
  const substituted = rawExpr.replaceAll('{{window}}', '5m');
  const parsed = parsePromql(substituted);
  if (parsed.error) {
    // Map the offset back into the template (each {{window}} is 10 chars, "5m" is 2).
    let offset = parsed.error.offset;
    let idx = rawExpr.indexOf('{{window}}');
    let shift = 0;
    while (idx >= 0 && idx - shift < offset) {
      shift += 8;
      idx = rawExpr.indexOf('{{window}}', idx + 1);
    }
    offset += shift;
    const pos = source.offsetPositionOf(rawPath, offset);
    diags.error(
      'SLO015',
      parsed.error.message,
      { file: pos.file ?? source.file, line: pos.line, column: pos.column, path: formatPath(rawPath) },
      'errorRatio must be a PromQL expression once {{window}} is replaced by a duration',
    );
    return undefined;
  }
  return { kind: 'raw', errorRatio: rawExpr };
}

function sameSelector(a: VectorSelector, b: VectorSelector): boolean {
  const key = (s: VectorSelector) =>
    `${s.metric}{${s.matchers
      .map((m) => `${m.name}${m.op}${m.value}`)
      .sort()
      .join(',')}}`;
  return key(a) === key(b);
}
