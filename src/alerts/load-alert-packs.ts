import type { Diagnostics } from '../diagnostics.js';
import { parseDurationSeconds } from '../model/duration.js';
import type { MetricCatalog } from '../model/metric-catalog.js';
import { requireApiVersion } from '../load/api-version.js';
import { validateWithSchema } from '../load/validate-schema.js';
import { formatPath, type YamlSource } from '../load/yaml-source.js';
import { metricNamesIn, parsePromql, parseVectorSelector, selectorUses } from '../query/promql.js';
import { parseLogql } from '../loki/parse-logql.js';
import type { AlertGroupModel, AlertModel, AlertPackModel, AlertTestCase } from './model.js';
import { paramsIn, substituteParams, type ParamValues } from './params.js';
import {
  ALERT_SCHEMA_CODES,
  AlertPackSchema,
  AlertParamsSchema,
  type AlertPackSpec,
  type AlertParamsSpec,
  type AlertSpec,
  type AlertTestSpec,
} from './schema.js';
import { parseTemplate, readsValue } from './template.js';

type Path = (string | number)[];

/** Labels a pack may not set: Prometheus or vigil own them. */
const RESERVED = new Set(['alertname', 'severity', '__name__']);

/** Functions whose presence means the expression already smooths over time (less flapping). */
const SMOOTHING = /\b(rate|irate|increase|delta|idelta|deriv|predict_linear|changes|resets|absent|absent_over_time|[a-z]+_over_time|time)\s*\(/;

/**
 * Parameter values of one pack for `env`: the pack's `params`, then its `environments.<env>`,
 * then AlertParams overlays (env-less first, then those for `env`). An override of a parameter
 * the pack does not declare is an error (it is almost always a typo).
 */
export function resolveParams(pack: YamlSource, overlays: readonly YamlSource[], env: string | undefined, diags: Diagnostics): ParamValues {
  const spec = pack.value as AlertPackSpec;
  const params: Record<string, string | number> = { ...(spec.params ?? {}) };
  const apply = (source: YamlSource, values: Record<string, string | number>, basePath: Path, report: boolean) => {
    for (const [k, v] of Object.entries(values)) {
      if (!(k in (spec.params ?? {}))) {
        if (!report) continue; // overlays are checked once, by validateOverlay
        const pos = source.keyPositionOf([...basePath, k]);
        diags.error(
          'ALR011',
          `parameter ${JSON.stringify(k)} is not declared by pack ${JSON.stringify(spec.name)}`,
          { file: source.file, ...pos, path: formatPath([...basePath, k]) },
          `declared parameters: ${Object.keys(spec.params ?? {}).join(', ') || '(none)'}`,
        );
        continue;
      }
      params[k] = v;
    }
  };
  // Every environment's overrides are checked, not only the selected one's.
  for (const [name, values] of Object.entries(spec.environments ?? {})) {
    if (name === env) apply(pack, values, ['environments', name], true);
    else apply(pack, Object.fromEntries(Object.entries(values).filter(([k]) => !(k in (spec.params ?? {})))), ['environments', name], true);
  }
  const ordered = [...overlays].sort((a, b) => Number((a.value as AlertParamsSpec).env !== undefined) - Number((b.value as AlertParamsSpec).env !== undefined));
  for (const o of ordered) {
    const ov = o.value as AlertParamsSpec;
    if (ov.env !== undefined && ov.env !== env) continue;
    const values = ov.packs[spec.name];
    if (values) apply(o, values, ['packs', spec.name], false);
  }
  return expandParamReferences(pack, params, diags);
}

/**
 * Params may be built from other params (`nodeSelector: job="${nodeJob}"`), so that one setting
 * (a job name from vigil.config.yaml, an environment override) reaches every selector built from
 * it. References are resolved after every override, in any order; an unknown name is ALR010 and a
 * cycle ALR014, both at the param's value.
 */
function expandParamReferences(pack: YamlSource, params: Record<string, string | number>, diags: Diagnostics): ParamValues {
  const out = { ...params };
  const at = (name: string) => ({ file: pack.file, ...pack.positionOf(['params', name]), path: `params.${name}` });
  const resolving = new Set<string>();
  const resolve = (name: string): string | number => {
    const value = out[name]!;
    if (typeof value !== 'string' || !value.includes('${')) return value;
    if (resolving.has(name)) {
      diags.error(
        'ALR014',
        `parameter ${name} refers to itself through ${[...resolving].join(' → ')}`,
        at(name),
        'a parameter may use others, but not in a cycle',
      );
      return value;
    }
    resolving.add(name);
    const s = substituteParams(
      value,
      Object.fromEntries(
        paramsIn(value)
          .filter((n) => n in out)
          .map((n) => [n, resolve(n)]),
      ),
    );
    resolving.delete(name);
    for (const u of s.unknown)
      diags.error('ALR010', `unknown parameter \${${u.name}} in the value of ${name}`, at(name), `declared parameters: ${Object.keys(out).join(', ')}`);
    out[name] = s.text;
    return s.text;
  };
  for (const name of Object.keys(out)) resolve(name);
  return out;
}

/**
 * Validates an AlertParams overlay file against the packs it tunes, whatever `--env` is: a
 * typo in a prod-only overlay must fail in CI, not on the day prod renders. False when unusable.
 */
export function validateOverlay(source: YamlSource, packParams: ReadonlyMap<string, readonly string[]>, diags: Diagnostics): boolean {
  if (!checkApiVersion(source, diags)) return false;
  if (!validateWithSchema(AlertParamsSchema, source, diags, ALERT_SCHEMA_CODES)) return false;
  let ok = true;
  for (const [name, values] of Object.entries((source.value as AlertParamsSpec).packs)) {
    const declared = packParams.get(name);
    if (!declared) {
      ok = false;
      diags.error(
        'ALR012',
        `no alert pack is named ${JSON.stringify(name)}`,
        { file: source.file, ...source.keyPositionOf(['packs', name]), path: `packs.${name}` },
        `packs: ${[...packParams.keys()].join(', ')}`,
      );
      continue;
    }
    for (const k of Object.keys(values)) {
      if (declared.includes(k)) continue;
      ok = false;
      diags.error(
        'ALR011',
        `parameter ${JSON.stringify(k)} is not declared by pack ${JSON.stringify(name)}`,
        { file: source.file, ...source.keyPositionOf(['packs', name, k]), path: `packs.${name}.${k}` },
        `declared parameters: ${declared.join(', ') || '(none)'}`,
      );
    }
  }
  return ok;
}

/** Checks `apiVersion` first, as every vigil spec does. */
export function checkApiVersion(source: YamlSource, diags: Diagnostics): boolean {
  return requireApiVersion(source, diags, { code: 'ALR001', hint: 'start the file with apiVersion: vigil/v1', missingPath: 'apiVersion' });
}

/** Schema-checks a pack file before its parameters are resolved. */
export function validatePackSchema(source: YamlSource, diags: Diagnostics): boolean {
  return checkApiVersion(source, diags) && validateWithSchema(AlertPackSchema, source, diags, ALERT_SCHEMA_CODES);
}

/**
 * Turns one schema-valid pack into its model with `params` substituted, reporting every problem:
 * unknown parameters, expression syntax, missing runbooks on pages, missing or malformed unit
 * tests, templates vigil cannot predict, metrics nothing produces, likely flapping.
 */
export function packModelFromSource(source: YamlSource, params: ParamValues, metrics: MetricCatalog, diags: Diagnostics): AlertPackModel | undefined {
  const spec = source.value as AlertPackSpec;
  const before = diags.errors.length;
  const at = (p: Path, key = false) => ({ file: source.file, ...(key ? source.keyPositionOf(p) : source.positionOf(p)), path: formatPath(p) });
  /** Substitutes params into the string at `p`, reporting unknown ones at their column. */
  const sub = (text: string, p: Path) => {
    const s = substituteParams(text, params);
    for (const u of s.unknown)
      diags.error(
        'ALR010',
        `unknown parameter \${${u.name}}`,
        { file: source.file, ...source.offsetPositionOf(p, u.offset), path: formatPath(p) },
        `declare it under params: (declared: ${Object.keys(params).join(', ') || 'none'})`,
      );
    return s;
  };
  const duration = (text: string | undefined, p: Path): string | undefined => {
    if (text === undefined) return undefined;
    const v = sub(text, p).text;
    if (parseDurationSeconds(v) === undefined) diags.error('ALR013', `${JSON.stringify(v)} is not a duration such as 5m or 1h`, at(p));
    return v;
  };
  const packLabels = mapValues(spec.labels ?? {}, (v, k) => sub(v, ['labels', k]).text);
  for (const k of Object.keys(packLabels)) checkLabelName(k, ['labels', k]);
  function checkLabelName(name: string, p: Path) {
    if (RESERVED.has(name))
      diags.error(
        'ALR022',
        `label ${JSON.stringify(name)} is set by vigil or Prometheus`,
        at(p, true),
        name === 'severity' ? 'use the severity: key' : undefined,
      );
    else if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) diags.error('ALR022', `${JSON.stringify(name)} is not a valid label name`, at(p, true));
  }

  const groups: AlertGroupModel[] = [];
  spec.groups.forEach((g, gi) => {
    const datasource = g.datasource ?? 'prometheus';
    const alerts: AlertModel[] = [];
    g.alerts.forEach((a, ai) => {
      const base: Path = ['groups', gi, 'alerts', ai];
      const model = alertModel(a, base, datasource, g.name);
      if (model) alerts.push(model);
    });
    const interval = duration(g.interval, ['groups', gi, 'interval']);
    groups.push({ name: g.name, datasource, ...(interval ? { interval } : {}), alerts });
  });

  function alertModel(a: AlertSpec, base: Path, datasource: 'prometheus' | 'loki', group: string): AlertModel | undefined {
    const exprSub = sub(a.expr, [...base, 'expr']);
    const expr = exprSub.text.trim() === exprSub.text ? exprSub.text : exprSub.text.replace(/\s+$/, '');
    let selectorSources: AlertModel['selectorSources'];
    if (exprSub.unknown.length === 0) {
      if (datasource === 'loki') {
        const r = parseLogql(expr);
        if (r.error)
          diags.error('ALR021', `LogQL: ${r.error.message}`, {
            file: source.file,
            ...source.offsetPositionOf([...base, 'expr'], exprSub.sourceOffset(r.error.offset)),
            path: formatPath([...base, 'expr']),
          });
        else if (!r.metric)
          diags.error('ALR021', 'the Loki ruler needs a metric query (e.g. sum(rate({...} [5m])) > 0), not a log query', at([...base, 'expr']));
      } else {
        const r = parsePromql(expr);
        if (r.error)
          diags.error('ALR020', `PromQL: ${r.error.message}`, {
            file: source.file,
            ...source.offsetPositionOf([...base, 'expr'], exprSub.sourceOffset(r.error.offset)),
            path: formatPath([...base, 'expr']),
          });
        else {
          checkMetrics(expr, (o) => exprSub.sourceOffset(o), [...base, 'expr']);
          selectorSources = selectorUses(expr).map((u) => ({
            offset: u.from,
            source: { file: source.file, ...source.offsetPositionOf([...base, 'expr'], exprSub.sourceOffset(u.from)) },
          }));
        }
      }
    }
    const forDuration = duration(a.for, [...base, 'for']);
    const labels: Record<string, string> = { ...packLabels };
    for (const [k, v] of Object.entries(a.labels ?? {})) {
      checkLabelName(k, [...base, 'labels', k]);
      labels[k] = sub(v, [...base, 'labels', k]).text;
    }
    labels.severity = a.severity;
    const annotations: Record<string, string> = {
      summary: sub(a.summary, [...base, 'summary']).text,
      description: sub(a.description, [...base, 'description']).text,
    };
    if (a.runbook_url !== undefined) annotations.runbook_url = sub(a.runbook_url, [...base, 'runbook_url']).text;
    for (const [k, v] of Object.entries(a.annotations ?? {})) {
      if (k in annotations) diags.error('ALR023', `annotation ${JSON.stringify(k)} has its own key; set it there`, at([...base, 'annotations', k], true));
      else annotations[k] = sub(v, [...base, 'annotations', k]).text;
    }
    // Templates: undefined variables are bugs; constructs vigil cannot predict break generated tests.
    const templated: [string, Path][] = [
      ...Object.entries(a.labels ?? {}).map(([k, v]) => [v, [...base, 'labels', k]] as [string, Path]),
      ...Object.entries(spec.labels ?? {}).map(([k, v]) => [v, ['labels', k]] as [string, Path]),
      [a.summary, [...base, 'summary']],
      [a.description, [...base, 'description']],
      ...Object.entries(a.annotations ?? {}).map(([k, v]) => [v, [...base, 'annotations', k]] as [string, Path]),
    ];
    for (const [text, p] of templated) {
      for (const problem of parseTemplate(text).problems)
        diags.error(problem.code, problem.message, { file: source.file, ...source.offsetPositionOf(p, problem.offset), path: formatPath(p) });
    }
    if (a.severity === 'critical' && !a.runbook_url)
      diags.error(
        'ALR030',
        `alert ${a.alert} pages (severity critical) but has no runbook_url`,
        at([...base, 'alert']),
        'add runbook_url: pointing at docs/runbooks/<alert>.md or your runbook site',
      );
    if (/\{\{/.test(a.summary))
      diags.warning('ALR081', 'summary should be a static sentence (mixin convention); put templated detail in description', at([...base, 'summary']));
    if (datasource === 'prometheus' && !forDuration && !SMOOTHING.test(expr)) {
      diags.warning(
        'ALR080',
        `alert ${a.alert} compares an instant value without for:, so it will flap on a noisy series`,
        at([...base, 'alert']),
        'add for: 5m (or smooth the expression with *_over_time)',
      );
    }
    const tests = testCases(a, base, datasource, annotations, labels);
    return {
      pack: spec.name,
      group,
      datasource,
      name: a.alert,
      expr,
      ...(forDuration ? { for: forDuration } : {}),
      severity: a.severity,
      labels,
      annotations,
      tests,
      source: { file: source.file, ...source.positionOf([...base, 'alert']) },
      ...(selectorSources ? { selectorSources } : {}),
    };
  }

  function checkMetrics(expr: string, toSource: (o: number) => number, p: Path) {
    for (const name of metricNamesIn(expr)) {
      if (metrics.has(name)) continue;
      const offset = expr.search(new RegExp(`(?<![A-Za-z0-9_:])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_:])`));
      diags.error(
        'ALR060',
        `metric ${name} is produced by nothing vigil knows (exporter, recording rules, node_exporter, Prometheus/Alertmanager, external list)`,
        { file: source.file, ...source.offsetPositionOf(p, toSource(Math.max(0, offset))), path: formatPath(p) },
        'declare it in alerts/external-metrics.yaml (kind ExternalMetrics) if another system produces it',
      );
    }
  }

  function testCases(a: AlertSpec, base: Path, datasource: string, annotations: Record<string, string>, labels: Record<string, string>): AlertTestCase[] {
    const specs = a.tests ?? [];
    if (datasource === 'loki') {
      if (specs.length > 0)
        diags.error(
          'ALR041',
          'Loki alerts cannot be unit-tested with promtool; remove tests: (the Loki rule file is checked against the ruler format instead)',
          at([...base, 'tests'], true),
        );
      return [];
    }
    const firing = specs.some((t) => t.fires.length > 0);
    const quiet = specs.some((t) => t.fires.length === 0);
    if (!firing || !quiet) {
      diags.error(
        'ALR040',
        `alert ${a.alert} needs unit tests: one case that fires it on a bad series and one that keeps it quiet on a healthy one${specs.length ? ` (missing: ${firing ? 'a quiet case with fires: []' : 'a firing case'})` : ''}`,
        at(a.tests ? [...base, 'tests'] : [...base, 'alert'], !!a.tests),
        'add tests: [{name, series, at, fires: [{labels: {...}}]}, {name, series, at, fires: []}]',
      );
    }
    const needsValue = Object.values(annotations).some(readsValue) || Object.values(labels).some(readsValue);
    return specs.map((t, ti) => testCase(t, [...base, 'tests', ti], needsValue));
  }

  function testCase(t: AlertTestSpec, p: Path, needsValue: boolean): AlertTestCase {
    const series = Object.entries(t.series).map(([sel, values]) => {
      const s = sub(sel, [...p, 'series', sel]).text;
      const r = parseVectorSelector(s);
      if (r.error) diags.error('ALR042', `test series ${JSON.stringify(s)}: ${r.error.message}`, at([...p, 'series', sel], true));
      if (typeof values === 'number')
        diags.error(
          'ALR044',
          `test values must be a string in promtool's expanding notation, got the number ${values}`,
          at([...p, 'series', sel]),
          'YAML reads 0x20 as the hexadecimal number 32: write "0+0x20" for 21 zeros, or quote the value',
        );
      const text = sub(String(values), [...p, 'series', sel]).text;
      const hex = /(?:^|\s)(0x[0-9a-fA-F]+)/.exec(text);
      if (hex)
        diags.error(
          'ALR044',
          `${JSON.stringify(hex[1])} reads as a hexadecimal number, not "0 repeated"`,
          at([...p, 'series', sel]),
          `write 0+${hex[1]} for zeros`,
        );
      return { series: s, values: text };
    });
    t.fires.forEach((f, fi) => {
      if (needsValue && f.value === undefined)
        diags.error('ALR043', 'the alert templates read $value, so this expected alert needs value: (the expression value at `at`)', at([...p, 'fires', fi]));
    });
    return {
      name: t.name,
      interval: duration(t.interval ?? '1m', [...p, 'interval']) ?? '1m',
      series,
      at: duration(t.at, [...p, 'at']) ?? t.at,
      fires: t.fires.map((f, fi) => ({
        labels: mapValues(f.labels ?? {}, (v, k) => sub(v, [...p, 'fires', fi, 'labels', k]).text),
        ...(f.value !== undefined ? { value: f.value } : {}),
      })),
      source: { file: source.file, ...source.positionOf(p) },
    };
  }

  if (diags.errors.length > before) return undefined;
  return { name: spec.name, file: source.file, groups, params };
}

function mapValues<T, U>(o: Readonly<Record<string, T>>, f: (v: T, k: string) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [k, v] of Object.entries(o)) out[k] = f(v, k);
  return out;
}
