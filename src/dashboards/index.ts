/**
 * The authoring API for `dashboards/*.ts`: a dashboard reads as rows of panels built with the
 * Grafana Foundation SDK plus vigil's conventions. Modules default-export a dashboard, a list, or a
 * function of `DashboardInput` (the project's SLOs) returning either.
 */
export { dashboard, toJson, datasourceVariableNames, type DashboardOptions } from './dashboard.js';
export { row, layoutRows, GRID_COLUMNS, GridCursor, type Row, type RowOptions, type GridPos } from './layout.js';
export { raw, verbatim, applyPatch, type RawPatch } from './raw.js';
export { timeseries, stat, gauge, table, logs, thresholds, panelLinks, type PanelOptions, type TimeseriesOptions, type Step } from './panels.js';
export { prom, promInstant, logql } from './queries.js';
export { labelVariable, lokiLabelVariable, customVariable, textVariable, clusterVariable, type LabelVariableOptions } from './variables.js';
export { sloDashboards } from './slo-dashboard.js';
/** Built-in dashboards, used by reference: a module in dashboards/ default-exports one. */
export { gpuFleetDashboard } from './builtin/gpu-fleet.js';
export { clusterHealthDashboard } from './builtin/cluster-health.js';
export { logsDashboard } from './builtin/logs.js';
export type { DashboardExport, DashboardInput, DashboardJson, DashboardValue, PanelJson } from './types.js';
export * as units from '@grafana/grafana-foundation-sdk/units';
