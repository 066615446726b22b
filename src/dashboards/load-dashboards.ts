import fs from 'node:fs';
import path from 'node:path';
import { dashboardUid } from '../conventions.js';
import type { Diagnostics } from '../diagnostics.js';
import type { DashboardExport, DashboardInput, DashboardJson, DashboardValue } from './types.js';
import { errorPosition, importTsModule } from '../load/import-module.js';
import { typecheckModules } from '../load/typecheck-modules.js';

/** One dashboard a module produced, before finalizing. */
export interface LoadedDashboard {
  readonly dashboard: DashboardJson;
  /** Spec path relative to the root, e.g. `dashboards/gpu-fleet.ts`. */
  readonly file: string;
  /** Default uid from the file name. */
  readonly defaultUid: string;
  /** Index within a module that exports several (uids must then be explicit). */
  readonly index: number;
  readonly count: number;
}

/** The dashboard modules under `dir`: `*.ts` files, not tests or declarations, sorted. */
export function listDashboardModules(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !f.startsWith('_'))
    .sort();
}

function isBuilder(v: unknown): v is { build(): unknown } {
  return typeof v === 'object' && v !== null && typeof (v as { build?: unknown }).build === 'function';
}

function toDashboard(v: DashboardValue): DashboardJson | undefined {
  const built = isBuilder(v) ? v.build() : v;
  if (typeof built !== 'object' || built === null || Array.isArray(built)) return undefined;
  return JSON.parse(JSON.stringify(built)) as DashboardJson;
}

/**
 * Outside an ESM package (`"type": "module"`), tsx compiles a module to CommonJS and the import
 * yields `{ default: module.exports }`: take the inner default then.
 */
function unwrapCommonJs(v: DashboardExport): DashboardExport {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isBuilder(v) && !('panels' in v) && 'default' in v)
    return (v as { default: DashboardExport }).default;
  return v;
}

/**
 * Imports every `dashboards/*.ts` through tsx (no build step) and evaluates its default export.
 * A module that fails to compile, throws, or exports something else is a diagnostic at the
 * failing line; the other modules still load.
 */
export async function loadDashboards(root: string, input: DashboardInput, diags: Diagnostics, dirName = 'dashboards'): Promise<LoadedDashboard[]> {
  const dir = path.join(root, dirName);
  const files = listDashboardModules(dir);
  if (files.length === 0) return [];
  // A module with type errors is reported (DASH033) and not run: its output would be wrong anyway.
  const mistyped = await typecheckModules(
    root,
    files.map((f) => `${dirName}/${f}`),
    diags,
    { code: 'DASH033', hint: "the module does not match the dashboard helpers' types; fix the call at this position", cache: 'dashboards-typecheck' },
  );
  const out: LoadedDashboard[] = [];
  for (const f of files) {
    const abs = path.join(dir, f);
    const rel = `${dirName}/${f}`;
    if (mistyped.has(rel)) continue;
    const base = f.replace(/\.ts$/, '');
    let exported: DashboardExport;
    try {
      const mod = (await importTsModule(abs)) as { default?: DashboardExport };
      if (mod.default === undefined) {
        diags.error('DASH031', 'module has no default export; export default a dashboard, a list of dashboards, or a function returning them', { file: rel });
        continue;
      }
      exported = unwrapCommonJs(mod.default);
    } catch (err) {
      const at = errorPosition(err, abs);
      diags.error('DASH030', `cannot load dashboard module: ${at.message}`, { file: rel, line: at.line, column: at.column });
      continue;
    }
    let values: readonly DashboardValue[];
    try {
      const v = typeof exported === 'function' ? exported(input) : exported;
      values = Array.isArray(v) ? (v as readonly DashboardValue[]) : [v as DashboardValue];
    } catch (err) {
      const at = errorPosition(err, abs);
      diags.error('DASH030', `dashboard module threw while building: ${at.message}`, { file: rel, line: at.line, column: at.column });
      continue;
    }
    values.forEach((v, index) => {
      const dashboard = toDashboard(v);
      if (!dashboard) {
        diags.error('DASH031', `default export item ${index} is not a dashboard (a DashboardBuilder or dashboard JSON)`, { file: rel });
        return;
      }
      out.push({ dashboard, file: rel, defaultUid: dashboardUid(base), index, count: values.length });
    });
  }
  return out;
}
