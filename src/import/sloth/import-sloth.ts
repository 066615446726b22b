import type { AlertingSpec, SloSpec } from '../../load/slo-schema.js';
import type { SourceObject } from '../documents.js';
import { ObjectReport } from '../outcome.js';
import type { Importer } from '../registry.js';
import { runSloImport } from '../slo-importer.js';
import { alertName, hasWindowTemplate, isRecord, kebabName, stringMap, sumRateSelector, toVigilWindow } from '../slo-shapes.js';
import type { ImportedSlo } from '../slo-specs.js';

/** Sloth's period when `--default-slo-period` is not given: its specs have no per-SLO window. */
export const SLOTH_DEFAULT_PERIOD = '30d';

/** Key spellings of Sloth's two formats: `prometheus/v1` is snake_case, the CRD camelCase. */
const KEYS = {
  file: {
    errorQuery: 'error_query',
    totalQuery: 'total_query',
    errorRatioQuery: 'error_ratio_query',
    pageAlert: 'page_alert',
    ticketAlert: 'ticket_alert',
    sloPlugins: 'slo_plugins',
  },
  crd: {
    errorQuery: 'errorQuery',
    totalQuery: 'totalQuery',
    errorRatioQuery: 'errorRatioQuery',
    pageAlert: 'pageAlert',
    ticketAlert: 'ticketAlert',
    sloPlugins: 'sloPlugins',
  },
} as const;

type Path = (string | number)[];

/** `vigil import sloth`: Sloth `prometheus/v1` files and `PrometheusServiceLevel` objects. */
export const slothImporter: Importer = {
  kind: 'sloth',
  summary: 'Sloth prometheus/v1 specs and PrometheusServiceLevel (sloth.slok.dev/v1) objects',
  extensions: ['.yaml', '.yml'],
  defaultOut: 'slos',
  importFiles: (files, options) => runSloImport('sloth', files, (objects) => importSlothObjects(objects, options?.period ?? SLOTH_DEFAULT_PERIOD)),
};

/** `period` is Sloth's `--default-slo-period` (its specs have no per-SLO window). */
export function importSlothObjects(objects: readonly SourceObject[], period = SLOTH_DEFAULT_PERIOD): { slos: ImportedSlo[]; reports: ObjectReport[] } {
  const slos: ImportedSlo[] = [];
  const reports: ObjectReport[] = [];
  for (const source of objects) {
    const v = source.value;
    if (isRecord(v) && v.version === 'prometheus/v1') {
      importGroup(source, v, [], KEYS.file, `Sloth prometheus/v1 service ${String(v.service)}`, slos, reports, period);
    } else if (isRecord(v) && v.apiVersion === 'sloth.slok.dev/v1' && v.kind === 'PrometheusServiceLevel') {
      const name = isRecord(v.metadata) ? String(v.metadata.name) : '?';
      if (!isRecord(v.spec)) {
        const r = new ObjectReport(source, `PrometheusServiceLevel ${name}`);
        r.error('IMP004', 'spec is missing', []);
        reports.push(r);
        continue;
      }
      importGroup(source, v.spec, ['spec'], KEYS.crd, `PrometheusServiceLevel ${name}`, slos, reports, period);
    } else {
      const r = new ObjectReport(source, 'document');
      const what = isRecord(v)
        ? v.apiVersion !== undefined
          ? `apiVersion ${JSON.stringify(v.apiVersion)} kind ${JSON.stringify(v.kind)}`
          : `version ${JSON.stringify(v.version)}`
        : 'not a mapping';
      r.error(
        'IMP002',
        `not a Sloth spec (${what})`,
        isRecord(v) && v.apiVersion !== undefined ? ['apiVersion'] : isRecord(v) ? ['version'] : [],
        'Sloth specs start with version: "prometheus/v1", or apiVersion: sloth.slok.dev/v1 with kind: PrometheusServiceLevel',
      );
      reports.push(r);
    }
  }
  return { slos, reports };
}

function importGroup(
  source: SourceObject,
  g: Record<string, unknown>,
  base: Path,
  keys: (typeof KEYS)[keyof typeof KEYS],
  groupName: string,
  slos: ImportedSlo[],
  reports: ObjectReport[],
  period: string,
): void {
  const groupReport = new ObjectReport(source, groupName);
  if (typeof g.service !== 'string' || g.service === '') groupReport.error('IMP004', 'service is required', [...base, 'service']);
  if (!Array.isArray(g.slos) || g.slos.length === 0) groupReport.error('IMP004', 'slos must list at least one SLO', [...base, 'slos']);
  if (g[keys.sloPlugins] !== undefined)
    groupReport.error(
      'IMP012',
      `${keys.sloPlugins}: Sloth SLO plugins run Go code vigil cannot run`,
      [...base, keys.sloPlugins],
      'remove the plugin chain and express what it did in the spec',
      true,
    );
  const labels = stringMap(groupReport, g.labels, [...base, 'labels']) ?? {};
  if (groupReport.failed) {
    reports.push(groupReport);
    return;
  }
  const service = kebabName(groupReport, g.service as string, 'service', [...base, 'service']);
  (g.slos as unknown[]).forEach((raw, i) => {
    const p: Path = [...base, 'slos', i];
    const name = isRecord(raw) && typeof raw.name === 'string' ? raw.name : `#${i}`;
    const r = new ObjectReport(source, `Sloth SLO ${String(g.service)}/${name}`, p);
    r.diagnostics.push(...groupReport.diagnostics);
    reports.push(r);
    const slo = importSlo(r, raw, p, keys);
    if (!slo || r.failed) return;
    const at = source.positionOf(p);
    slos.push({ service, period, labels, slo, origin: `${source.file}:${at.line}:${at.column} (${r.object})`, report: r });
  });
}

const SLO_KEYS = new Set(['name', 'description', 'objective', 'labels', 'plugins', 'sli', 'alerting']);

function importSlo(r: ObjectReport, raw: unknown, p: Path, keys: (typeof KEYS)[keyof typeof KEYS]): SloSpec | undefined {
  if (!isRecord(raw)) {
    r.error('IMP004', 'an SLO must be a mapping', p);
    return undefined;
  }
  for (const k of Object.keys(raw))
    if (!SLO_KEYS.has(k)) r.error('IMP003', `unknown key ${JSON.stringify(k)} (Sloth ignores it silently; vigil will not guess)`, [...p, k], undefined, true);
  if (typeof raw.name !== 'string') r.error('IMP004', 'name is required', [...p, 'name']);
  const objective = raw.objective;
  if (typeof objective !== 'number') r.error('IMP004', 'objective must be a number (percent)', [...p, 'objective']);
  else if (!(objective > 0 && objective < 100))
    r.error(
      'IMP006',
      `objective must be above 0 and below 100 for vigil, got ${objective}`,
      [...p, 'objective'],
      '100% leaves no error budget: no burn-rate alert can be computed',
    );
  if (raw.plugins !== undefined) r.error('IMP012', 'plugins: Sloth SLO plugins run Go code vigil cannot run', [...p, 'plugins'], undefined, true);
  if (raw.labels !== undefined)
    r.warning('IMP022', 'SLO-level labels become alert labels only (vigil puts labels on recording rules per file)', [...p, 'labels'], undefined, true);
  const indicator = importSli(r, raw.sli, [...p, 'sli'], keys);
  const alerting = importAlerting(r, raw.alerting, [...p, 'alerting'], keys, stringMap(r, raw.labels, [...p, 'labels']));
  if (r.failed || !indicator) return undefined;
  const slo: SloSpec = {
    name: kebabName(r, raw.name as string, 'SLO name', [...p, 'name']),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    objective: objective as number,
    indicator,
    ...(alerting ? { alerting } : {}),
  };
  return slo;
}

function importSli(r: ObjectReport, sli: unknown, p: Path, keys: (typeof KEYS)[keyof typeof KEYS]): SloSpec['indicator'] | undefined {
  if (!isRecord(sli)) {
    r.error('IMP004', 'sli is required', p);
    return undefined;
  }
  const kinds = ['events', 'raw', 'plugin'].filter((k) => sli[k] !== undefined);
  if (kinds.length !== 1) {
    r.error('IMP004', `sli needs exactly one of events, raw, plugin; got ${kinds.length ? kinds.join(', ') : 'none'}`, p);
    return undefined;
  }
  if (isRecord(sli.plugin)) {
    r.error(
      'IMP012',
      `SLI plugin ${JSON.stringify(sli.plugin.id)} cannot be imported: plugins are Go code that builds the query when Sloth runs`,
      [...p, 'plugin', 'id'],
      'run the plugin once and paste its error-ratio query as sli.raw',
    );
    return undefined;
  }
  if (isRecord(sli.raw)) {
    const q = sli.raw[keys.errorRatioQuery];
    if (typeof q !== 'string' || !hasWindowTemplate(q)) {
      r.error('IMP007', `raw.${keys.errorRatioQuery} must be a query containing {{.window}}`, [...p, 'raw', keys.errorRatioQuery]);
      return undefined;
    }
    return { raw: { errorRatio: toVigilWindow(q.trim()) } };
  }
  const events = sli.events;
  if (!isRecord(events)) {
    r.error('IMP004', 'events must be a mapping', [...p, 'events']);
    return undefined;
  }
  const err = events[keys.errorQuery];
  const total = events[keys.totalQuery];
  for (const [k, q] of [
    [keys.errorQuery, err],
    [keys.totalQuery, total],
  ] as const)
    if (typeof q !== 'string' || !hasWindowTemplate(q)) r.error('IMP007', `events.${k} must be a query containing {{.window}}`, [...p, 'events', k]);
  if (r.failed) return undefined;
  const e = sumRateSelector(err as string);
  const t = sumRateSelector(total as string);
  if (e && t && e.by.length === 0 && t.by.length === 0) return { ratio: { errors: e.selector, total: t.selector } };
  return { raw: { errorRatio: `(${toVigilWindow((err as string).trim())}) / (${toVigilWindow((total as string).trim())})` } };
}

function importAlerting(
  r: ObjectReport,
  a: unknown,
  p: Path,
  keys: (typeof KEYS)[keyof typeof KEYS],
  sloLabels: Record<string, string> | undefined,
): AlertingSpec | undefined {
  if (a === undefined) {
    // Sloth without alerting: both alerts are still generated by default but need a name it does
    // not have, so Sloth refuses; vigil's default name is used.
    return sloLabels && Object.keys(sloLabels).length ? { labels: sloLabels } : undefined;
  }
  if (!isRecord(a)) {
    r.error('IMP004', 'alerting must be a mapping', p);
    return undefined;
  }
  const out: { -readonly [K in keyof AlertingSpec]: AlertingSpec[K] } = {};
  if (typeof a.name === 'string') {
    const n = alertName(r, a.name, [...p, 'name']);
    if (n) out.name = n;
  }
  const labels = { ...sloLabels, ...stringMap(r, a.labels, [...p, 'labels']) };
  const annotations = stringMap(r, a.annotations, [...p, 'annotations']) ?? {};
  const runbook = annotations.runbook_url ?? annotations.runbook;
  if (runbook) out.runbook = runbook;
  const dropped = Object.keys(annotations).filter((k) => k !== 'runbook_url' && k !== 'runbook');
  if (dropped.length)
    r.warning(
      'IMP023',
      `annotations ${dropped.join(', ')} are not imported: vigil writes summary and description itself`,
      [...p, 'annotations'],
      'put lasting text in the SLO description',
      true,
    );
  for (const [tier, key] of [
    ['page', keys.pageAlert],
    ['ticket', keys.ticketAlert],
  ] as const) {
    const t = a[key];
    if (t === undefined) continue;
    if (!isRecord(t)) {
      r.error('IMP004', `${key} must be a mapping`, [...p, key]);
      continue;
    }
    if (t.disable === true) {
      out[tier] = false;
      continue;
    }
    const tl = stringMap(r, t.labels, [...p, key, 'labels']) ?? {};
    if (tl.severity) out[tier] = { severity: tl.severity };
    const extra = Object.keys(tl).filter((k) => k !== 'severity');
    const ta = Object.keys(stringMap(r, t.annotations, [...p, key, 'annotations']) ?? {});
    if (extra.length || ta.length)
      r.warning(
        'IMP024',
        `${key}: ${[...extra.map((k) => `label ${k}`), ...ta.map((k) => `annotation ${k}`)].join(', ')} not imported (vigil's tiers take a severity; labels are shared by both tiers)`,
        [...p, key],
        'move labels that both tiers share to alerting.labels',
        true,
      );
  }
  if (Object.keys(labels).length) out.labels = labels;
  return Object.keys(out).length ? out : undefined;
}
