import type { AlertSpec, Severity } from '../../alerts/schema.js';
import { SEVERITIES } from '../../alerts/schema.js';
import { parseTemplate, readsValue } from '../../alerts/template.js';
import { formatPath, type YamlSource } from '../../load/yaml-source.js';
import { parsePromql } from '../../query/promql.js';
import { isDuration } from '../../runtime/duration.js';
import type { FindingStatus, ImportFinding } from './findings.js';
import { testSkeleton } from './test-skeleton.js';

type Path = (string | number)[];

/** Keys of a Prometheus alerting rule that an AlertPack alert can hold. */
const ALERT_KEYS = new Set(['alert', 'expr', 'for', 'labels', 'annotations']);
/** Labels that Prometheus or vigil own. */
const RESERVED_LABELS = new Set(['alertname', '__name__']);
const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Placeholders for what an AlertPack requires and the rule lacked; each is reported. */
export const PLACEHOLDERS = {
  summary: 'TODO: one static sentence saying what is wrong (the imported rule had no summary).',
  description: 'TODO: what is wrong and what to look at first (the imported rule had no description).',
  runbook_url: 'TODO: a runbook URL (critical alerts page someone, and vigil requires one).',
} as const;

/** One alerting rule as an AlertPack alert, or the reasons it cannot be one. */
export interface ConvertedAlert {
  readonly spec?: AlertSpec;
  readonly findings: readonly ImportFinding[];
}

/** Converts the alerting rule at `path` of `source` (group `group`). */
export function convertAlert(source: YamlSource, path: Path, group: string): ConvertedAlert {
  const rule = source.value === undefined ? {} : (valueAt(source.value, path) as Record<string, unknown>);
  const name = scalarText(rule.alert) ?? '';
  const findings: ImportFinding[] = [];
  /** A character offset inside the value at `p`, the key (`'key'`) or the value itself. */
  const at = (p: Path, where?: number | 'key') =>
    where === 'key' ? source.keyPositionOf(p) : where === undefined ? source.positionOf(p) : source.offsetPositionOf(p, where);
  const add = (status: FindingStatus, code: string, message: string, p: Path = [...path, 'alert'], where?: number | 'key') =>
    findings.push({ status, code, message, file: source.file, ...at(p, where), rule: `${group}/${name}`, rulePath: formatPath(path) });

  for (const key of Object.keys(rule)) {
    if (ALERT_KEYS.has(key)) continue;
    if (key === 'keep_firing_for')
      add(
        'not-importable',
        'IPR011',
        'keep_firing_for has no AlertPack equivalent; dropping it would let the alert resolve sooner than it does today',
        [...path, key],
        'key',
      );
    else add('not-importable', 'IPR012', `rule key ${JSON.stringify(key)} is not part of a Prometheus alerting rule vigil can express`, [...path, key], 'key');
  }
  if (!ALERT_NAME.test(name) || name.length > 60)
    add('not-importable', 'IPR013', `alert name ${JSON.stringify(name)} is not CamelCase (at most 60 characters); renaming it would break routes and silences`);

  const expr = typeof rule.expr === 'string' || typeof rule.expr === 'number' ? String(rule.expr) : '';
  if (expr.trim() === '') add('not-importable', 'IPR014', 'the rule has no expr', [...path, 'expr']);
  else {
    const parsed = parsePromql(expr);
    if (parsed.error) add('not-importable', 'IPR014', `PromQL: ${parsed.error.message}`, [...path, 'expr'], parsed.error.offset);
    const param = expr.indexOf('${');
    if (param >= 0) add('not-importable', 'IPR015', 'the expression contains "${", which AlertPacks read as a parameter', [...path, 'expr'], param);
  }
  const forText = scalarText(rule.for);
  if (forText !== undefined && !isDuration(forText)) add('not-importable', 'IPR018', `for: ${JSON.stringify(forText)} is not a duration`, [...path, 'for']);

  const labels = stringMap(rule.labels);
  const annotations = stringMap(rule.annotations);
  for (const [k, v] of Object.entries(labels)) {
    if (RESERVED_LABELS.has(k)) add('not-importable', 'IPR017', `label ${JSON.stringify(k)} is owned by Prometheus`, [...path, 'labels', k], 'key');
    else if (!LABEL_NAME.test(k)) add('not-importable', 'IPR017', `${JSON.stringify(k)} is not a valid label name`, [...path, 'labels', k], 'key');
    checkTemplate(v, [...path, 'labels', k]);
  }
  for (const [k, v] of Object.entries(annotations)) checkTemplate(v, [...path, 'annotations', k]);
  function checkTemplate(text: string, p: Path) {
    for (const problem of parseTemplate(text).problems)
      add('not-importable', 'IPR016', `${problem.message} (vigil predicts annotations in generated tests and rejects templates it cannot)`, p, problem.offset);
  }
  if (findings.some((f) => f.status === 'not-importable')) return { findings };

  // Severity: the label becomes the severity key; anything vigil does not know stays visible as a label.
  let severity: Severity = 'warning';
  const original = labels.severity;
  delete labels.severity;
  if (original === undefined) add('needs-attention', 'IPR020', 'no severity label; imported as severity: warning', [...path, 'alert']);
  else if ((SEVERITIES as readonly string[]).includes(original)) severity = original as Severity;
  else if ((SEVERITIES as readonly string[]).includes(original.toLowerCase())) {
    severity = original.toLowerCase() as Severity;
    add('needs-attention', 'IPR021', `severity ${JSON.stringify(original)} imported as ${severity}; the rendered label is lower-case`, [
      ...path,
      'labels',
      'severity',
    ]);
  } else {
    labels.original_severity = original;
    add(
      'needs-attention',
      'IPR022',
      `severity ${JSON.stringify(original)} is not critical, warning or info; imported as warning with label original_severity: ${original} (routes matching the old value need updating)`,
      [...path, 'labels', 'severity'],
    );
  }

  const summary = annotations.summary;
  const description = annotations.description;
  const runbook = annotations.runbook_url;
  delete annotations.summary;
  delete annotations.description;
  delete annotations.runbook_url;
  if (summary === undefined) add('needs-attention', 'IPR023', 'no summary annotation; a TODO placeholder was written', [...path, 'annotations']);
  if (description === undefined) add('needs-attention', 'IPR024', 'no description annotation; a TODO placeholder was written', [...path, 'annotations']);
  if (severity === 'critical' && runbook === undefined)
    add('needs-attention', 'IPR025', 'critical alert without runbook_url; a TODO placeholder was written', [...path, 'annotations']);

  const needsValue = [...Object.values(labels), ...Object.values(annotations), summary ?? '', description ?? '', runbook ?? ''].some(readsValue);
  const skeleton = testSkeleton(expr, forText, needsValue);
  if (!skeleton.complete)
    add(
      'needs-attention',
      'IPR030',
      'the expression is not a single selector compared with a literal, so its test skeleton needs series values and expected labels (cases named "TODO complete this imported skeleton")',
      [...path, 'expr'],
    );

  const spec: AlertSpec = {
    alert: name,
    expr: expr.replace(/\s+$/, ''),
    ...(forText !== undefined ? { for: forText } : {}),
    severity,
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    summary: summary ?? PLACEHOLDERS.summary,
    description: description ?? PLACEHOLDERS.description,
    ...(runbook !== undefined ? { runbook_url: runbook } : severity === 'critical' ? { runbook_url: PLACEHOLDERS.runbook_url } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    tests: skeleton.tests,
  };
  if (!findings.some((f) => f.status === 'needs-attention')) add('imported', 'IPR000', 'imported with a passing test skeleton');
  return { spec, findings };
}

/** A YAML map of scalars as strings (Prometheus reads label and annotation values as strings). */
function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, scalarText(v) ?? JSON.stringify(v)]));
}

/** The text of a YAML scalar (strings, numbers, booleans); undefined for anything else. */
export function scalarText(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}
