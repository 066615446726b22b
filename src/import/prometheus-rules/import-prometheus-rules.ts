import { Document } from 'yaml';
import type { AlertGroupSpec, AlertPackSpec, AlertSpec } from '../../alerts/schema.js';
import { EXPORTER_METRICS } from '../../../exporters/gpu/metric-catalog.js';
import { registerStackMetrics } from '../../alerts/register-metrics.js';
import { Diagnostics } from '../../diagnostics.js';
import { MetricCatalog } from '../../model/metric-catalog.js';
import { formatPath, parseYamlSource, type YamlSource } from '../../load/yaml-source.js';
import { metricNamesIn } from '../../query/promql.js';
import { isDuration } from '../../runtime/duration.js';
import { convertAlert, scalarText, valueAt } from './convert-alert.js';
import type { FindingStatus, ImportFinding } from './findings.js';
import { extractThresholdParams } from './threshold-params.js';

/** One input rule file: its name as given (used in findings and comments) and its text. */
export interface RuleFileInput {
  readonly name: string;
  readonly text: string;
}

/** A file to write, its path relative to the project root. */
export interface ImportedFile {
  readonly path: string;
  readonly text: string;
}

export interface ImportResult {
  /** AlertPacks, their ExternalMetrics declarations and plain recording-rule files. */
  readonly packs: readonly ImportedFile[];
  readonly findings: readonly ImportFinding[];
  /** Rules counted by their worst finding (file-level failures count as one rule each). */
  readonly summary: Readonly<Record<FindingStatus, number>>;
}

export interface ImportOptions {
  /** Folder for the AlertPacks and ExternalMetrics files (default `alerts`). */
  readonly alertsDir?: string;
  /** Folder for recording rules, which AlertPacks cannot hold (default `rules`). */
  readonly rulesDir?: string;
}

const GROUP_KEYS = new Set(['name', 'interval', 'rules']);
const KEBAB = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const RANK: Record<FindingStatus, number> = { imported: 0, 'needs-attention': 1, 'not-importable': 2 };

/**
 * Imports Prometheus rule files (plain `groups:` files or PrometheusRule objects) as vigil
 * AlertPacks, one pack per input file (pure). Alerting rules become pack alerts with a generated
 * test skeleton; threshold literals used by two or more alerts become `${params}`; labels that
 * every alert shares become pack labels; recording rules, which AlertPacks cannot hold, are kept
 * as a plain Prometheus rule file under `rulesDir`; the metrics the rules read are declared in an
 * ExternalMetrics file so that `vigil check` accepts them.
 */
export function importPrometheusRules(files: readonly RuleFileInput[], options: ImportOptions = {}): ImportResult {
  const alertsDir = options.alertsDir ?? 'alerts';
  const rulesDir = options.rulesDir ?? 'rules';
  const findings: ImportFinding[] = [];
  const packs: ImportedFile[] = [];
  const packNames = new Set<string>();
  for (const file of files) {
    const diags = new Diagnostics();
    const source = parseYamlSource(file.name, file.text, diags);
    if (!source) {
      for (const d of diags.errors) findings.push({ status: 'not-importable', code: d.code, message: d.message, file: d.file, line: d.line, column: d.column });
      continue;
    }
    let name = packName(file.name);
    for (let n = 2; packNames.has(name); n++) name = `${packName(file.name)}-${n}`;
    packNames.add(name);
    packs.push(...importFile(source, name, { alertsDir, rulesDir }, findings));
  }
  return { packs, findings, summary: summarize(findings) };
}

function importFile(source: YamlSource, name: string, dirs: { alertsDir: string; rulesDir: string }, findings: ImportFinding[]): ImportedFile[] {
  const root = source.value as Record<string, unknown> | null;
  const base: (string | number)[] = root && typeof root === 'object' && root.kind === 'PrometheusRule' ? ['spec', 'groups'] : ['groups'];
  const groupsValue = valueAt(root, base);
  if (!Array.isArray(groupsValue)) {
    findings.push({
      status: 'not-importable',
      code: 'IPR001',
      message: `expected a Prometheus rule file (top-level groups:) or a PrometheusRule (spec.groups:); found no ${base.join('.')} list`,
      file: source.file,
      ...source.positionOf([]),
    });
    return [];
  }
  const alertGroups: { name: string; interval?: string; alerts: AlertSpec[] }[] = [];
  const recordGroups: Record<string, unknown>[] = [];
  const recorded = new Set<string>();
  const groupNames = new Set<string>();
  const note = (status: FindingStatus, code: string, message: string, path: (string | number)[], rule?: string, rulePath?: (string | number)[]) =>
    findings.push({
      status,
      code,
      message,
      file: source.file,
      ...source.positionOf(path),
      ...(rule ? { rule } : {}),
      ...(rulePath ? { rulePath: formatPath(rulePath) } : {}),
    });

  groupsValue.forEach((g: unknown, gi) => {
    const gPath = [...base, gi];
    const group = (g ?? {}) as Record<string, unknown>;
    const original = scalarText(group.name) ?? `group-${gi + 1}`;
    if (!Array.isArray(group.rules)) {
      note('not-importable', 'IPR003', `group ${JSON.stringify(original)} has no rules: list`, gPath, undefined, gPath);
      return;
    }
    const rules = group.rules as Record<string, unknown>[];
    const alerts: AlertSpec[] = [];
    const records: unknown[] = [];
    rules.forEach((r, ri) => {
      const rPath = [...gPath, 'rules', ri];
      if (r && typeof r === 'object' && 'record' in r) {
        records.push(r);
        recorded.add(scalarText(r.record) ?? '');
        note(
          'imported',
          'IPR002',
          `recording rule kept in ${dirs.rulesDir}/${name}.recording.rules.yaml (AlertPacks hold alert rules only)`,
          [...rPath, 'record'],
          `${original}/${scalarText(r.record) ?? ''}`,
          rPath,
        );
        return;
      }
      if (!r || typeof r !== 'object' || !('alert' in r)) {
        note('not-importable', 'IPR003', 'a rule needs alert: or record:', rPath, undefined, rPath);
        return;
      }
      const converted = convertAlert(source, rPath, original);
      findings.push(...converted.findings);
      if (converted.spec) alerts.push(converted.spec);
    });
    if (records.length > 0) recordGroups.push({ ...group, rules: records });
    if (alerts.length === 0) return;
    for (const key of Object.keys(group)) {
      if (!GROUP_KEYS.has(key))
        note(
          'needs-attention',
          'IPR027',
          `group key ${JSON.stringify(key)} has no AlertPack equivalent and was not imported; set it on the rendered group by hand`,
          [...gPath, key],
        );
    }
    let groupName = KEBAB.test(original) && original.length <= 63 ? original : kebab(original);
    for (let n = 2; groupNames.has(groupName); n++) groupName = `${kebab(original)}-${n}`;
    groupNames.add(groupName);
    if (groupName !== original)
      note('needs-attention', 'IPR026', `group ${JSON.stringify(original)} renamed ${JSON.stringify(groupName)} (AlertPack group names are kebab-case)`, [
        ...gPath,
        'name',
      ]);
    const interval = scalarText(group.interval);
    if (interval !== undefined && !isDuration(interval))
      note('needs-attention', 'IPR027', `interval ${JSON.stringify(interval)} is not a duration; not imported`, [...gPath, 'interval']);
    alertGroups.push({ name: groupName, ...(interval !== undefined && isDuration(interval) ? { interval } : {}), alerts });
  });

  const out: ImportedFile[] = [];
  const allAlerts = alertGroups.flatMap((g) => g.alerts);
  if (allAlerts.length > 0) {
    out.push({ path: `${dirs.alertsDir}/${name}.yaml`, text: renderPack(source.file, name, alertGroups) });
    const known = knownMetrics();
    const metrics = [...new Set(allAlerts.flatMap((a) => metricNamesIn(a.expr)))].filter((m) => recorded.has(m) || !known.has(m)).sort();
    if (metrics.length > 0) out.push({ path: `${dirs.alertsDir}/${name}-metrics.yaml`, text: renderExternalMetrics(source.file, metrics, recorded) });
  }
  if (recordGroups.length > 0) {
    out.push({ path: `${dirs.rulesDir}/${name}.recording.rules.yaml`, text: renderRecordingRules(source.file, recordGroups) });
    note(
      'needs-attention',
      'IPR004',
      `recording rules are written to ${dirs.rulesDir}/${name}.recording.rules.yaml, a plain Prometheus rule file that vigil render does not read: deploy it next to build/prometheus/rules/`,
      base,
    );
  }
  return out;
}

/** Pack labels (shared by every alert), threshold params, then the YAML with a header that says where it came from. */
function renderPack(file: string, name: string, groups: { name: string; interval?: string; alerts: AlertSpec[] }[]): string {
  const alerts = groups.flatMap((g) => g.alerts);
  const shared = alerts.length < 2 ? {} : sharedLabels(alerts);
  const { params, exprs } = extractThresholdParams(alerts.map((a) => ({ name: a.alert, expr: a.expr })));
  let i = 0;
  const packGroups: AlertGroupSpec[] = groups.map((g) => ({
    name: g.name,
    ...(g.interval ? { interval: g.interval } : {}),
    alerts: g.alerts.map((a) => {
      const labels = Object.fromEntries(Object.entries(a.labels ?? {}).filter(([k]) => !(k in shared)));
      const { labels: _drop, ...rest } = a;
      void _drop;
      const expr = exprs[i++]!;
      const alert: AlertSpec = { ...rest, expr, ...(Object.keys(labels).length > 0 ? { labels } : {}) };
      return alert;
    }),
  }));
  // Key order as in the built-in packs: alert, expr, for, severity, labels, summary, description, runbook_url, annotations, tests.
  const ordered = packGroups.map((g) => ({ ...g, alerts: g.alerts.map(orderAlert) }));
  const spec: AlertPackSpec = {
    apiVersion: 'vigil/v1',
    kind: 'AlertPack',
    name,
    description: `Imported from ${file} by vigil import prometheus-rules.`,
    ...(Object.keys(shared).length > 0 ? { labels: shared } : {}),
    ...(params.length > 0 ? { params: Object.fromEntries(params.map((p) => [p.name, p.value])) } : {}),
    groups: ordered,
  };
  const doc = new Document(spec);
  doc.commentBefore = [
    ' yaml-language-server: $schema=../schemas/alert-pack.v1.json',
    ` Imported from ${file} by \`vigil import prometheus-rules\`. Review what the import reported.`,
    ' Tests named "imported skeleton: ..." were derived from the expression and pass as written;',
    ' tests named "TODO complete this imported skeleton: ..." need real series values and expected',
    ' labels before `vigil test` passes. "TODO:" annotations are placeholders for what the rule lacked.',
  ].join('\n');
  for (const p of params) {
    const pair = (doc.get('params', true) as { items: { key: { commentBefore?: string } }[] } | undefined)?.items.find(
      (it) => (it.key as unknown as { value: string }).value === p.name,
    );
    if (pair) pair.key.commentBefore = ` threshold shared by ${p.alerts.join(', ')}`;
  }
  return doc.toString({ lineWidth: 0 });
}

/** What vigil knows without declarations: its exporter and the monitoring stack (node_exporter, kube-state-metrics, ...). */
function knownMetrics(): MetricCatalog {
  const metrics = new MetricCatalog();
  for (const m of EXPORTER_METRICS) metrics.add(m.name, 'exporter');
  registerStackMetrics(metrics);
  return metrics;
}

function orderAlert(a: AlertSpec): AlertSpec {
  const keys = ['alert', 'expr', 'for', 'severity', 'labels', 'summary', 'description', 'runbook_url', 'annotations', 'tests'] as const;
  return Object.fromEntries(keys.filter((k) => a[k] !== undefined).map((k) => [k, a[k]])) as AlertSpec;
}

function sharedLabels(alerts: readonly AlertSpec[]): Record<string, string> {
  const first = alerts[0]?.labels ?? {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => !v.includes('{{') && alerts.every((a) => a.labels?.[k] === v)));
}

function renderExternalMetrics(file: string, metrics: readonly string[], recorded: ReadonlySet<string>): string {
  const doc = new Document({
    apiVersion: 'vigil/v1',
    kind: 'ExternalMetrics',
    metrics: metrics.map((m) => ({ name: m, source: recorded.has(m) ? 'recording-rule' : 'external', description: `read by alerts imported from ${file}` })),
  });
  doc.commentBefore = [
    ' yaml-language-server: $schema=../schemas/external-metrics.v1.json',
    ` Metrics read by the alerts imported from ${file}: vigil check fails on metrics it cannot trace to a`,
    ' producer. Replace "external" with the real source (exporter, kube-state-metrics, ...) or drop the',
    ' ones vigil already knows.',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

function renderRecordingRules(file: string, groups: readonly Record<string, unknown>[]): string {
  const doc = new Document({ groups });
  doc.commentBefore = [
    ` Recording rules imported from ${file}. AlertPacks hold alert rules only, so these stay a plain`,
    ' Prometheus rule file: vigil render does not read it; deploy it next to build/prometheus/rules/',
    ' (check it with promtool check rules).',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** The pack name for an input file: its base name without extensions like .rules.yaml, in kebab-case. */
export function packName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const stem = base.replace(/\.ya?ml$/i, '').replace(/\.(alerts\.rules|rules|alerts)$/i, '');
  return kebab(stem) || 'imported';
}

function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** Every rule counted once, by its worst finding; findings without a rule count on their own. */
function summarize(findings: readonly ImportFinding[]): Record<FindingStatus, number> {
  const worst = new Map<string, FindingStatus>();
  findings.forEach((f, i) => {
    if (f.code === 'IPR004' || f.code === 'IPR026' || f.code === 'IPR027') return; // about a file or group, not a rule
    const key = f.rulePath ? `${f.file}|${f.rulePath}` : `#${i}`;
    const prior = worst.get(key);
    if (!prior || RANK[f.status] > RANK[prior]) worst.set(key, f.status);
  });
  const out: Record<FindingStatus, number> = { imported: 0, 'needs-attention': 0, 'not-importable': 0 };
  for (const s of worst.values()) out[s]++;
  return out;
}
