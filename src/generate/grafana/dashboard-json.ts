import { outputPaths } from '../../conventions.js';
import type { DashboardJson } from '../../dashboards/types.js';
import type { JsonDocument } from '../document.js';

/** A dashboard's JSON file: 2-space indent, key order as built (deterministic), no header (Grafana reads it). */
export function generateDashboardJson(d: DashboardJson): JsonDocument {
  return { path: outputPaths.dashboard(d.uid ?? ''), format: 'json', source: undefined, indent: 2, value: d };
}
