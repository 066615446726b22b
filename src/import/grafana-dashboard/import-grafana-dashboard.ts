import { GridCursor } from '../../dashboards/index.js';
import { finalizeDashboard } from '../../dashboards/finalize-dashboard.js';
import { findingPath } from '../../dashboards/lint/finding.js';
import { lintDashboard } from '../../dashboards/lint/lint-dashboard.js';
import type { DashboardJson } from '../../dashboards/types.js';
import { compareDashboards, isVigilNavLink, stripVigilNote } from './compare-dashboards.js';
import { diffPatch, isEmptyPatch, isObject, jsonEqual, omit } from './diff-patch.js';
import type { ImportFinding } from './finding.js';
import { importPanel } from './import-panel.js';
import { importVariable } from './import-variable.js';
import { array, call, evaluate, helpersUsed, object, print, value, type ModuleExpr } from './module-expr.js';

/** Options of `importGrafanaDashboard`. */
export interface ImportDashboardOptions {
  /** Module specifier of the helpers; default `vigil-monitoring/dashboards`. */
  readonly importFrom?: string;
}

/** The result of importing one dashboard. */
export interface DashboardImport {
  /** The TypeScript module (a `dashboards/*.ts` file); undefined when nothing could be imported. */
  readonly moduleText: string | undefined;
  readonly findings: readonly ImportFinding[];
  /** What the module renders to (finalized as `vigil render` does), for checks. */
  readonly rendered: DashboardJson | undefined;
}

/** Top-level keys Grafana assigns or only exports carry (see IGNORED_IN_COMPARISON). */
const INSTANCE_KEYS = ['id', 'version', 'iteration', '__inputs', '__requires', '__elements'];
const VIGIL_TAGS = new Set(['vigil', 'managed-by-vigil']);

interface Group {
  readonly header: Record<string, unknown> | undefined;
  readonly path: string;
  readonly panels: { readonly panel: Record<string, unknown>; readonly path: string }[];
}

/** Panels grouped the way `row()` takes them: top-level panels above the first row, then each row with its own. */
function groupPanels(panels: readonly unknown[], findings: ImportFinding[]): Group[] {
  const groups: Group[] = [];
  let current: Group | undefined;
  panels.forEach((p, i) => {
    const path = `panels[${i}]`;
    if (!isObject(p)) {
      findings.push({ status: 'not-importable', path, reason: 'panel is not an object; left out' });
      return;
    }
    if (p.type === 'row') {
      const nested = p.collapsed === true && Array.isArray(p.panels) ? p.panels : [];
      current = { header: p, path, panels: [] };
      nested.forEach((n, j) => {
        if (isObject(n)) current!.panels.push({ panel: n, path: `${path}.panels[${j}]` });
        else findings.push({ status: 'not-importable', path: `${path}.panels[${j}]`, reason: 'panel is not an object; left out' });
      });
      groups.push(current);
      return;
    }
    if (!current) {
      current = { header: undefined, path, panels: [] };
      groups.push(current);
    }
    if (current.header?.collapsed === true) {
      // A panel after a collapsed row sits outside it; Grafana shows it at the top level.
      current = { header: undefined, path, panels: [] };
      groups.push(current);
    }
    current.panels.push({ panel: p, path });
  });
  return groups;
}

function importRow(g: Group, cursor: GridCursor, findings: ImportFinding[]): ModuleExpr {
  if (!g.header) {
    const panels = g.panels.map((p) => importPanel(p.panel, p.path, cursor, findings));
    return call('row', value(''), array(panels), object([['header', value(false)]]));
  }
  const h = g.header;
  const title = typeof h.title === 'string' ? h.title : '';
  const collapsed = h.collapsed === true;
  const gp = isObject(h.gridPos) ? h.gridPos : {};
  const flowY = cursor.clone().header().y;
  const patch: Record<string, unknown> = diffPatch({ type: 'row', title, collapsed }, omit(h, ['id', 'gridPos', 'panels']));
  const pinned = typeof gp.y === 'number' && gp.y !== flowY;
  if (pinned) patch.gridPos = { y: gp.y };
  cursor.header(pinned ? (gp.y as number) : undefined);
  const panels = g.panels.map((p) => importPanel(p.panel, p.path, cursor, findings));
  findings.push({
    status: 'imported',
    path: g.path,
    reason: `row(${JSON.stringify(title)})${isEmptyPatch(patch) ? '' : ` + raw(${Object.keys(patch).join(', ')})`}`,
  });
  const rowOptions = object([
    ['collapsed', collapsed ? value(true) : undefined],
    ['raw', isEmptyPatch(patch) ? undefined : value(patch)],
  ]);
  return rowOptions.kind === 'object' && rowOptions.entries.length === 0
    ? call('row', value(title), array(panels))
    : call('row', value(title), array(panels), rowOptions);
}

/** The link `dashboard({ links })` makes from a title and url. */
function helperLink(title: string, url: string): unknown {
  const d = evaluate(
    call(
      'dashboard',
      object([
        ['title', value('')],
        ['description', value('')],
        ['rows', array([])],
        ['links', value([{ title, url }])],
      ]),
    ),
  ) as { links: unknown[] };
  return d.links[1];
}

function moduleHeader(sourceName: string, title: string): string {
  const one = (s: string) => s.replace(/[\r\n]+/g, ' ');
  return [
    `// Imported by \`vigil import grafana-dashboard\` from ${one(sourceName)} (Grafana dashboard ${JSON.stringify(one(title))}).`,
    '// raw(helper, {...}) and verbatim({...}) are the escape hatch: Grafana JSON that the helpers do not express,',
    '// kept as it was (a key set to undefined is removed). Move settings into helper options as you tidy up.',
  ].join('\n');
}

/**
 * Turns a Grafana dashboard's JSON (as exported, saved, or returned by `GET /api/dashboards/uid/…`)
 * into a TypeScript dashboard module built with vigil's helpers. Pure: no I/O. The module renders
 * to JSON equivalent to the input (see `compareDashboards`); every part that does not is a finding.
 */
export function importGrafanaDashboard(json: unknown, sourceName: string, o: ImportDashboardOptions = {}): DashboardImport {
  const findings: ImportFinding[] = [];
  const none = (path: string, reason: string): DashboardImport => ({
    moduleText: undefined,
    findings: [...findings, { status: 'not-importable', path, reason }],
    rendered: undefined,
  });
  const d = isObject(json) && isObject(json.dashboard) && isObject(json.meta) ? json.dashboard : json;
  if (!isObject(d)) return none('(dashboard)', 'not a Grafana dashboard: expected a JSON object');
  if (!Array.isArray(d.panels) && Array.isArray(d.rows))
    return none(
      'rows',
      `pre-schemaVersion-16 layout (rows[] with spans, schemaVersion ${String(d.schemaVersion)}): open and save it in Grafana 5+ first, which migrates it to panels[] with gridPos`,
    );
  if (d.panels !== undefined && !Array.isArray(d.panels)) return none('panels', 'not a Grafana dashboard: panels is not a list');
  if (typeof d.title !== 'string' || d.title === '') return none('title', 'dashboard has no title');
  if (Array.isArray(d.__inputs))
    d.__inputs.forEach((inp, i) => {
      if (isObject(inp) && inp.type === 'datasource')
        findings.push({
          status: 'imported',
          path: `__inputs[${i}]`,
          reason: `export input ${String(inp.name)} (${String(inp.pluginId)}) → vigil's datasource variable`,
        });
    });

  const cursor = new GridCursor();
  const rows = groupPanels(Array.isArray(d.panels) ? d.panels : [], findings).map((g) => importRow(g, cursor, findings));
  const list = isObject(d.templating) && Array.isArray(d.templating.list) ? d.templating.list : [];
  const variables = list.flatMap((v, i) => (isObject(v) ? (importVariable(v, `templating.list[${i}]`, findings) ?? []) : []));

  const links = (Array.isArray(d.links) ? d.links : []).filter((l) => !isVigilNavLink(l));
  const simpleLinks = links.every((l) => isObject(l) && typeof l.title === 'string' && typeof l.url === 'string' && jsonEqual(l, helperLink(l.title, l.url)));
  const tags = (Array.isArray(d.tags) ? d.tags : []).filter((t): t is string => typeof t === 'string' && !VIGIL_TAGS.has(t));
  const time = isObject(d.time) ? d.time : {};
  const options: (readonly [string, ModuleExpr | undefined])[] = [
    ['title', value(d.title)],
    ['uid', typeof d.uid === 'string' && d.uid !== '' ? value(d.uid) : undefined],
    ['description', value(stripVigilNote(d.description))],
    ['tags', tags.length > 0 ? value(tags) : undefined],
    ['from', typeof time.from === 'string' ? value(time.from) : undefined],
    ['refresh', typeof d.refresh === 'string' && d.refresh !== '' ? value(d.refresh) : undefined],
    [
      'links',
      simpleLinks && links.length > 0 ? value(links.map((l) => ({ title: (l as { title: string }).title, url: (l as { url: string }).url }))) : undefined,
    ],
  ];
  const owned = ['panels', 'templating', 'description', 'tags', ...(simpleLinks ? ['links'] : [])];
  const probe = evaluate(call('dashboard', object([...options, ['rows', array([])]]))) as Record<string, unknown>;
  const want = omit(d, [...INSTANCE_KEYS, ...owned]);
  if (!simpleLinks) want.links = links;
  const patch = diffPatch(omit(probe, owned), want);
  const expr = call(
    'dashboard',
    object([
      ...options,
      ['variables', variables.length > 0 ? array(variables) : undefined],
      ['rows', array(rows)],
      ['raw', isEmptyPatch(patch) ? undefined : value(patch)],
    ]),
  );
  if (!isEmptyPatch(patch))
    findings.push({ status: 'imported', path: '(dashboard)', reason: `dashboard settings kept in raw: ${Object.keys(patch).join(', ')}` });

  const names = [...helpersUsed(expr)].sort();
  const moduleText = `${moduleHeader(sourceName, d.title)}\nimport { ${names.join(', ')} } from '${o.importFrom ?? 'vigil-monitoring/dashboards'}';\n\nexport default ${print(expr, '', 'export default '.length, 1)};\n`;

  let rendered: DashboardJson | undefined;
  try {
    rendered = finalizeDashboard(evaluate(expr) as DashboardJson, {
      uid: typeof d.uid === 'string' && d.uid !== '' ? d.uid : 'imported',
      specPath: sourceName,
    });
  } catch (err) {
    findings.push({
      status: 'needs-attention',
      path: '(dashboard)',
      reason: `the module does not render: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
  if (rendered) {
    for (const diff of compareDashboards(d, rendered as unknown as Record<string, unknown>, 20))
      findings.push({
        status: 'needs-attention',
        path: diff.path,
        reason: `renders differently: source ${JSON.stringify(diff.expected) ?? 'absent'}, module ${JSON.stringify(diff.actual) ?? 'absent'}`,
      });
    for (const f of lintDashboard(rendered, { knowsMetric: () => true }))
      findings.push({ status: 'needs-attention', path: findingPath(d.title, f), reason: `lint ${f.code} ${f.rule}: ${f.message}` });
  }
  return { moduleText, findings, rendered };
}
