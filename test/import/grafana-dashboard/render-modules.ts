import fs from 'node:fs';
import path from 'node:path';
import { finalizeDashboard } from '../../../src/dashboards/finalize-dashboard.js';
import { loadDashboards } from '../../../src/dashboards/load-dashboards.js';
import type { DashboardJson } from '../../../src/dashboards/types.js';
import { Diagnostics, formatDiagnostic } from '../../../src/diagnostics.js';

export const REPO = path.resolve(import.meta.dirname, '../../..');

/** What a module in `<repo>/.import-roundtrip-*\/dashboards/` imports the helpers from (the repo's own). */
export const IMPORT_FROM = '../../src/dashboards/index.js';

/**
 * Renders generated modules the way `vigil render` does: written into a project folder inside this
 * repository, type-checked (tsc) and run (tsx) by the dashboard loader, then finalized.
 * Returns each module's dashboards by module name, and every diagnostic the loader gave.
 */
export async function renderModules(modules: ReadonlyMap<string, string>): Promise<{ dashboards: Map<string, DashboardJson>; diagnostics: string[] }> {
  const root = fs.mkdtempSync(path.join(REPO, '.import-roundtrip-'));
  try {
    fs.mkdirSync(path.join(root, 'dashboards'));
    for (const [name, text] of modules) fs.writeFileSync(path.join(root, 'dashboards', `${name}.ts`), text);
    const diags = new Diagnostics();
    const loaded = await loadDashboards(root, { slos: [], env: undefined }, diags);
    const dashboards = new Map<string, DashboardJson>();
    for (const l of loaded) dashboards.set(path.basename(l.file, '.ts'), finalizeDashboard(l.dashboard, { uid: l.defaultUid, specPath: l.file }));
    return { dashboards, diagnostics: diags.sorted().map(formatDiagnostic) };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
