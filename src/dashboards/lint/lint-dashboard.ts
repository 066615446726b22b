import type { Finding } from './finding.js';
import { expandMacros, logqlError, logqlFixedRanges, promqlError, promqlMetrics, promqlRangeProblems } from './expressions.js';
import { lintGrid } from './grid.js';
import { isValidUnit } from './units.js';

/** What lint needs from the project: which metric names something produces. */
export interface LintContext {
  knowsMetric(name: string): boolean;
}

/** Loose views of the dashboard JSON: lint reads what the author built, typed or not. */
interface AnyTarget {
  refId?: unknown;
  expr?: unknown;
  hide?: unknown;
  datasource?: { type?: unknown; uid?: unknown } | null;
}
interface AnyPanel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  description?: unknown;
  collapsed?: unknown;
  datasource?: { type?: unknown; uid?: unknown } | null;
  gridPos?: { x?: number; y?: number; w?: number; h?: number };
  targets?: AnyTarget[];
  panels?: AnyPanel[];
  fieldConfig?: { defaults?: { unit?: unknown; mappings?: unknown[] } };
}
interface AnyVariable {
  name?: unknown;
  type?: unknown;
  label?: unknown;
  query?: unknown;
  refresh?: unknown;
  multi?: unknown;
  allValue?: unknown;
  datasource?: { type?: unknown; uid?: unknown } | null;
}
interface AnyDashboard {
  uid?: unknown;
  title?: unknown;
  editable?: unknown;
  panels?: AnyPanel[];
  templating?: { list?: AnyVariable[] };
}

const UID = /^[a-zA-Z0-9_-]{1,40}$/;
const TEMPLATED = /^\$\{?\w+\}?$/;
/** Panel types that show query results and so follow the title/description/unit/datasource rules. */
const DATA_PANELS = new Set(['stat', 'singlestat', 'graph', 'table', 'timeseries', 'gauge', 'bargauge']);
/** Panel types that need no targets. */
const NO_TARGET_PANELS = new Set(['row', 'text', 'dashlist', 'news', 'alertlist', 'annolist']);

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Lints one rendered dashboard: mixtool's Grafana checks (title, uid), the dashboard-linter rules
 * that apply to vigil's dashboards, and vigil's own (ids, refIds, grid, known metrics). Pure: reads
 * the JSON and `ctx` only.
 */
export function lintDashboard(input: unknown, ctx: LintContext): Finding[] {
  const d = (input ?? {}) as AnyDashboard;
  const out: Finding[] = [];
  const add = (f: Finding) => out.push(f);

  const title = str(d.title);
  if (title.trim() === '') add({ severity: 'error', code: 'DASH001', rule: 'dashboard-title', message: 'dashboard has no title' });
  else if (title.length > 5000)
    add({ severity: 'error', code: 'DASH001', rule: 'dashboard-title', message: `title is ${title.length} characters; Grafana allows 5000` });
  if (typeof d.uid !== 'string' || d.uid === '')
    add({ severity: 'error', code: 'DASH002', rule: 'dashboard-uid', message: 'dashboard has no uid; set one so links and apply by uid work' });
  else if (!UID.test(d.uid))
    add({ severity: 'error', code: 'DASH002', rule: 'dashboard-uid', message: `uid ${JSON.stringify(d.uid)} must be 1-40 characters of [a-zA-Z0-9_-]` });
  if (d.editable !== false)
    add({
      severity: 'warning',
      code: 'DASH003',
      rule: 'uneditable-dashboard',
      message: 'dashboard is editable; generated dashboards must be read-only (edits are lost on the next apply)',
    });

  const variables = d.templating?.list ?? [];
  out.push(...lintVariables(variables, ctx));
  const dsVariables = new Set(variables.filter((v) => v.type === 'datasource').map((v) => str(v.name)));
  const varNames = new Set(variables.map((v) => str(v.name)));

  const top = d.panels ?? [];
  const all: AnyPanel[] = [];
  for (const p of top) {
    all.push(p);
    if (p.type === 'row') {
      if (p.collapsed !== true && (p.panels ?? []).length > 0)
        add({
          severity: 'error',
          code: 'DASH017',
          rule: 'expanded-row-nested-panels',
          panel: str(p.title),
          message: 'an expanded row holds nested panels; Grafana ignores them (put them after the row, or collapse it)',
        });
      all.push(...(p.panels ?? []));
    }
  }

  const ids = new Map<number, string>();
  for (const p of all) {
    const t = str(p.title);
    if (typeof p.id !== 'number' || !Number.isInteger(p.id) || p.id < 1)
      add({ severity: 'error', code: 'DASH014', rule: 'panel-id', panel: t, message: 'panel has no id (a positive integer)' });
    else if (ids.has(p.id))
      add({ severity: 'error', code: 'DASH014', rule: 'panel-id', panel: t, message: `panel id ${p.id} is also used by ${JSON.stringify(ids.get(p.id))}` });
    else ids.set(p.id, t);
  }

  out.push(
    ...lintGrid([
      top.map((p) => ({ title: str(p.title), ...(p.gridPos ? { gridPos: p.gridPos } : {}) })),
      ...top
        .filter((p) => p.type === 'row' && p.collapsed === true)
        .map((r) => (r.panels ?? []).map((p) => ({ title: str(p.title), ...(p.gridPos ? { gridPos: p.gridPos } : {}) }))),
    ]),
  );

  for (const p of all) {
    if (p.type === 'row') continue;
    out.push(...lintPanel(p, { dsVariables, hasJob: varNames.has('job'), hasInstance: varNames.has('instance') }, ctx));
  }
  return out;
}

function lintVariables(variables: readonly AnyVariable[], ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const ds = variables.filter((v) => v.type === 'datasource');
  if (ds.length === 0)
    out.push({
      severity: 'error',
      code: 'DASH004',
      rule: 'template-datasource-rule',
      message: 'dashboard has no datasource variable; add one so the dashboard works with any Prometheus/Loki',
    });
  for (const v of ds) {
    const name = str(v.name);
    const type = str(v.query);
    const title = type === 'prometheus' ? 'Prometheus' : type.charAt(0).toUpperCase() + type.slice(1);
    const wantName = ds.length === 1 ? 'datasource' : `${type}_datasource`;
    const wantLabel = ds.length === 1 ? ['Data source', `${title} data source`] : [`${title} data source`];
    if (name !== wantName)
      out.push({
        severity: 'error',
        code: 'DASH004',
        rule: 'template-datasource-rule',
        variable: name,
        message: `datasource variable should be named ${wantName}`,
      });
    else if (!wantLabel.includes(str(v.label)))
      out.push({
        severity: 'warning',
        code: 'DASH004',
        rule: 'template-datasource-rule',
        variable: name,
        message: `datasource variable should be labelled ${wantLabel.map((l) => JSON.stringify(l)).join(' or ')}`,
      });
  }
  for (const v of variables) {
    if (v.type !== 'query') continue;
    const name = str(v.name);
    if (v.refresh !== 2)
      out.push({
        severity: 'warning',
        code: 'DASH005',
        rule: 'template-on-time-change-reload-rule',
        variable: name,
        message: 'query variable should refresh on time range change (refresh: 2)',
      });
    const uid = str(v.datasource?.uid);
    if (!TEMPLATED.test(uid))
      out.push({
        severity: 'warning',
        code: 'DASH028',
        rule: 'templated-datasource-uid',
        variable: name,
        message: `variable reads datasource ${JSON.stringify(uid)}; use a datasource variable like \${datasource}`,
      });
    const q = typeof v.query === 'string' ? v.query : str((v.query as { query?: unknown } | undefined)?.query);
    if (str(v.datasource?.type) === 'prometheus' || v.datasource?.type === undefined) {
      const selector = /^\s*label_values\((.*),\s*[\w.]+\s*\)\s*$/s.exec(q)?.[1] ?? /^\s*query_result\((.*)\)\s*$/s.exec(q)?.[1];
      if (selector !== undefined) {
        const err = promqlError(selector);
        if (err)
          out.push({
            severity: 'error',
            code: 'DASH006',
            rule: 'template-label-promql-rule',
            variable: name,
            message: `invalid PromQL in ${JSON.stringify(q)}: ${err}`,
          });
        else
          for (const m of promqlMetrics(selector))
            if (!ctx.knowsMetric(m))
              out.push({
                severity: 'error',
                code: 'DASH027',
                rule: 'known-metric',
                variable: name,
                message: `metric ${m} is not produced by the exporter, a recording rule or a declared external source`,
              });
      } else if (!/^\s*label_values\(\s*[\w.]+\s*\)\s*$/.test(q) && !/^\s*label_names\(/.test(q)) {
        out.push({
          severity: 'error',
          code: 'DASH006',
          rule: 'template-label-promql-rule',
          variable: name,
          message: `unsupported variable query ${JSON.stringify(q)}; use label_values(selector, label) or query_result(expr)`,
        });
      }
    }
    if (name === 'job' || name === 'instance') {
      if (v.multi !== true || v.allValue !== '.+' || str(v.label) !== name)
        out.push({
          severity: 'warning',
          code: 'DASH007',
          rule: `template-${name}-rule`,
          variable: name,
          message: `$${name} should be multi-select, labelled ${name}, with allValue ".+"`,
        });
    }
  }
  return out;
}

function lintPanel(p: AnyPanel, dash: { dsVariables: Set<string>; hasJob: boolean; hasInstance: boolean }, ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const panel = str(p.title);
  const type = str(p.type);
  const targets = p.targets ?? [];
  if (DATA_PANELS.has(type)) {
    if (panel.trim() === '' || str(p.description).trim() === '')
      out.push({ severity: 'warning', code: 'DASH011', rule: 'panel-title-description-rule', panel, message: 'panel needs a title and a description' });
    const unit = p.fieldConfig?.defaults?.unit;
    const hasMappings = (p.fieldConfig?.defaults?.mappings ?? []).length > 0;
    if (!hasMappings && (typeof unit !== 'string' || !isValidUnit(unit)))
      out.push({
        severity: 'warning',
        code: 'DASH012',
        rule: 'panel-units-rule',
        panel,
        message: typeof unit === 'string' && unit !== '' ? `unknown unit ${JSON.stringify(unit)}` : 'panel sets no unit',
      });
    const ds = p.datasource;
    if (!ds || !TEMPLATED.test(str(ds.uid)) || !dash.dsVariables.has(str(ds.uid).replace(/^\$\{?|\}$/g, '')))
      out.push({
        severity: 'warning',
        code: 'DASH010',
        rule: 'panel-datasource-rule',
        panel,
        message: `panel datasource ${JSON.stringify(ds?.uid ?? null)} is not one of the dashboard's datasource variables`,
      });
  }
  if (!NO_TARGET_PANELS.has(type) && targets.length === 0)
    out.push({ severity: 'warning', code: 'DASH013', rule: 'panel-no-targets-rule', panel, message: 'panel has no targets' });

  const refIds = new Set<string>();
  for (const [i, t] of targets.entries()) {
    const refId = str(t.refId);
    const target = refId || `#${i + 1}`;
    if (refId === '') out.push({ severity: 'error', code: 'DASH026', rule: 'target-refid', panel, target, message: 'target has no refId' });
    else if (refIds.has(refId))
      out.push({ severity: 'error', code: 'DASH026', rule: 'target-refid', panel, target, message: `refId ${refId} is used twice in this panel` });
    refIds.add(refId);
    const dsType = str(t.datasource?.type ?? p.datasource?.type) || 'prometheus';
    const dsUid = str(t.datasource?.uid ?? p.datasource?.uid);
    if (dsUid !== '' && !TEMPLATED.test(dsUid))
      out.push({
        severity: 'warning',
        code: 'DASH028',
        rule: 'templated-datasource-uid',
        panel,
        target,
        message: `target reads datasource uid ${JSON.stringify(dsUid)}; use a datasource variable`,
      });
    const expr = str(t.expr);
    if (dsType === 'prometheus') out.push(...lintPromTarget(expr, { panel, target, ...dash }, ctx));
    else if (dsType === 'loki') out.push(...lintLokiTarget(expr, { panel, target }));
  }
  return out;
}

function lintPromTarget(expr: string, at: { panel: string; target: string; hasJob: boolean; hasInstance: boolean }, ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const { panel, target } = at;
  const err = promqlError(expr);
  if (err) return [{ severity: 'error', code: 'DASH020', rule: 'target-promql-rule', panel, target, message: `invalid PromQL: ${err}` }];
  for (const m of promqlMetrics(expr))
    if (!ctx.knowsMetric(m))
      out.push({
        severity: 'error',
        code: 'DASH027',
        rule: 'known-metric',
        panel,
        target,
        message: `metric ${m} is not produced by the exporter, a recording rule or a declared external source`,
      });
  const { rateInterval, counterNoRate } = promqlRangeProblems(expr);
  for (const r of rateInterval)
    out.push({ severity: 'warning', code: 'DASH023', rule: 'target-rate-interval-rule', panel, target, message: `${r} should use [$__rate_interval]` });
  for (const c of counterNoRate)
    out.push({
      severity: 'warning',
      code: 'DASH025',
      rule: 'target-counter-agg-rule',
      panel,
      target,
      message: `counter ${c} must be read through rate(), irate() or increase()`,
    });
  const expanded = expandMacros(expr);
  for (const [label, present] of [
    ['job', at.hasJob],
    ['instance', at.hasInstance],
  ] as const) {
    if (!present) continue;
    if (!new RegExp(`${label}\\s*=~\\s*"${label}"`).test(expanded))
      out.push({
        severity: 'warning',
        code: 'DASH024',
        rule: `target-${label}-rule`,
        panel,
        target,
        message: `the dashboard has a $${label} variable, but this query does not filter on ${label}=~"$${label}"`,
      });
  }
  return out;
}

function lintLokiTarget(expr: string, at: { panel: string; target: string }): Finding[] {
  const err = logqlError(expr);
  if (err) return [{ severity: 'error', code: 'DASH021', rule: 'target-logql-rule', ...at, message: `invalid LogQL: ${err}` }];
  return logqlFixedRanges(expr).map((r) => ({
    severity: 'warning' as const,
    code: 'DASH022',
    rule: 'target-logql-auto-rule',
    ...at,
    message: `log range [${r}] should be [$__auto]`,
  }));
}
