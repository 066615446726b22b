import { GRID_COLUMNS, type GridCursor } from '../../dashboards/index.js';
import { panelQueryType } from './compare-dashboards.js';
import { diffPatch, isEmptyPatch, isObject, omit } from './diff-patch.js';
import type { ImportFinding } from './finding.js';
import { importTargets } from './import-targets.js';
import { array, call, evaluate, object, value, type ModuleExpr } from './module-expr.js';

/** Panel types with a vigil helper of the same name. */
const HELPER_TYPES = new Set(['timeseries', 'stat', 'gauge', 'table', 'logs']);
/** AngularJS panels: off by default since Grafana 11, gone in 12. */
const ANGULAR_TYPES = new Set(['graph', 'singlestat', 'grafana-singlestat-panel', 'table-old', 'grafana-piechart-panel', 'grafana-worldmap-panel']);
/** Width and height each helper uses when not told (see panels.ts). */
const DEFAULT_SIZE: Record<string, readonly [number, number]> = { timeseries: [12, 8], stat: [6, 4], gauge: [6, 6], table: [24, 8], logs: [24, 12] };
/** Keys the layout and `dashboard()` own, or Grafana fills. */
const OWNED = ['id', 'pluginVersion', 'gridPos'];

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `[color, value]` steps when the thresholds are the plain absolute kind the helpers build. */
function steps(t: unknown): [string, number | null][] | undefined {
  if (!isObject(t) || t.mode !== 'absolute' || !Array.isArray(t.steps)) return undefined;
  const out: [string, number | null][] = [];
  for (const s of t.steps) {
    if (!isObject(s) || typeof s.color !== 'string' || !(s.value === null || typeof s.value === 'number')) return undefined;
    out.push([s.color, s.value]);
  }
  return out;
}

/** The options object of the panel helper, from what the panel JSON says. */
function helperOptions(p: Record<string, unknown>, type: string, queries: ModuleExpr[]): ModuleExpr {
  const fc = isObject(p.fieldConfig) && isObject(p.fieldConfig.defaults) ? p.fieldConfig.defaults : {};
  const custom = isObject(fc.custom) ? fc.custom : {};
  const options = isObject(p.options) ? p.options : {};
  const legend = isObject(options.legend) ? options.legend : {};
  const gp = isObject(p.gridPos) ? p.gridPos : {};
  const w = num(gp.w);
  const links = Array.isArray(p.links) && p.links.length > 0 && p.links.every((l) => isObject(l) && typeof l.title === 'string' && typeof l.url === 'string');
  const plain = type !== 'logs';
  const th = plain ? steps(fc.thresholds) : undefined;
  const v = (x: unknown) => (x === undefined ? undefined : value(x));
  return object([
    ['description', value(str(p.description) ?? '')],
    ['unit', plain ? v(str(fc.unit)) : undefined],
    ['span', w !== undefined && w >= 1 && w <= GRID_COLUMNS && w !== DEFAULT_SIZE[type]?.[0] ? value(w) : undefined],
    ['height', num(gp.h) !== DEFAULT_SIZE[type]?.[1] ? v(num(gp.h)) : undefined],
    ['thresholds', th ? value(th) : undefined],
    ['min', plain ? v(num(fc.min)) : undefined],
    ['max', plain ? v(num(fc.max)) : undefined],
    ['decimals', plain ? v(num(fc.decimals)) : undefined],
    ['links', links ? value((p.links as { title: string; url: string }[]).map((l) => ({ title: l.title, url: l.url }))) : undefined],
    ['legendCalcs', type === 'timeseries' && legend.displayMode === 'table' && Array.isArray(legend.calcs) ? value(legend.calcs) : undefined],
    ['stack', type === 'timeseries' && isObject(custom.stacking) && custom.stacking.mode === 'normal' ? value(true) : undefined],
    ['thresholdLines', type === 'timeseries' && isObject(custom.thresholdsStyle) && custom.thresholdsStyle.mode === 'dashed' ? value(true) : undefined],
    ['graph', type === 'stat' && options.graphMode === 'area' ? value(true) : undefined],
    ['queries', array(queries)],
  ]);
}

/**
 * One panel as a helper call (`timeseries`, `stat`, …) with a `raw()` patch for the JSON the
 * helper does not produce, or as `verbatim()` JSON for panel types without a helper. `cursor` is
 * the layout's flow: a panel it would not place where the source has it gets a fixed `gridPos`.
 */
export function importPanel(p: Record<string, unknown>, path: string, cursor: GridCursor, findings: ImportFinding[]): ModuleExpr {
  const type = typeof p.type === 'string' ? p.type : '';
  const title = typeof p.title === 'string' ? p.title : '';
  const gp = isObject(p.gridPos) ? p.gridPos : {};
  const w = num(gp.w) ?? 12;
  const h = num(gp.h) ?? 8;
  const flow = cursor.clone().place(w, h);
  const pinned = num(gp.x) !== undefined && num(gp.y) !== undefined && (flow.x !== gp.x || flow.y !== gp.y);
  cursor.place(w, h, pinned ? { x: gp.x as number, y: gp.y as number } : undefined);
  const gridPatch = pinned ? { gridPos: { x: gp.x, y: gp.y, w, h } } : {};

  const targets = Array.isArray(p.targets) ? p.targets : [];
  const queryType = panelQueryType(p);
  const queries = importTargets(targets, queryType, path, findings);
  const panelUid = isObject(p.datasource) ? p.datasource.uid : undefined;
  if (targets.length > 0 && typeof panelUid === 'string' && panelUid !== '' && !/^\$|^\[\[|^-- (Mixed|Dashboard) --$/.test(panelUid))
    findings.push({
      status: 'needs-attention',
      path: `${path}.datasource`,
      reason: `fixed datasource uid ${JSON.stringify(panelUid)} replaced by the dashboard's ${queryType} datasource variable`,
    });
  // dashboard() sets the datasource of panels with queries; others keep theirs verbatim.
  const owned = targets.length > 0 ? [...OWNED, 'targets', 'datasource'] : OWNED;

  if (isObject(p.libraryPanel))
    findings.push({
      status: 'not-importable',
      path,
      reason: `library panel ${JSON.stringify(p.libraryPanel.name ?? p.libraryPanel.uid)}: its model lives in Grafana's library; kept verbatim as a reference`,
    });
  if (!HELPER_TYPES.has(type)) {
    if (ANGULAR_TYPES.has(type))
      findings.push({
        status: 'needs-attention',
        path,
        reason: `AngularJS panel type ${type} (off since Grafana 11, gone in 12); kept verbatim, convert it to timeseries/stat/table`,
      });
    else if (!isObject(p.libraryPanel))
      findings.push({ status: 'imported', path, reason: `verbatim(): no vigil helper for panel type ${JSON.stringify(type)}` });
    const json: Record<string, unknown> = { ...omit(p, owned), gridPos: pinned ? gridPatch.gridPos : { w, h } };
    if (targets.length > 0) json.targets = queries.map((q) => JSON.parse(JSON.stringify((evaluate(q) as { build(): unknown }).build())) as unknown);
    return call('verbatim', value(json));
  }

  const base = call(type as 'timeseries', value(title), helperOptions(p, type, queries));
  const built = JSON.parse(JSON.stringify((evaluate(base) as { build(): unknown }).build())) as Record<string, unknown>;
  const builtGrid = isObject(built.gridPos) ? built.gridPos : {};
  const patch = { ...diffPatch(omit(built, owned), omit(p, owned)), ...gridPatch };
  if (!pinned && (builtGrid.w !== w || builtGrid.h !== h)) Object.assign(patch, { gridPos: { w, h } });
  findings.push({
    status: 'imported',
    path,
    reason: `${type}(${JSON.stringify(title)})${isEmptyPatch(patch) ? '' : ` + raw(${Object.keys(patch).join(', ')})`}`,
  });
  return isEmptyPatch(patch) ? base : call('raw', base, value(patch));
}
