import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { SloModel } from '../model/types.js';

/** A dashboard as Grafana stores it (classic schema): the JSON a module's builders produce. */
export type DashboardJson = dashboard.Dashboard;

/** A panel or row of a classic dashboard. */
export type PanelJson = dashboard.Panel | dashboard.RowPanel;

/** What a dashboard module may read while building: the project's loaded model, never the file system. */
export interface DashboardInput {
  /** SLOs loaded from slos/. */
  readonly slos: readonly SloModel[];
  /** `--env NAME` when given. */
  readonly env: string | undefined;
  /** vigil.config.yaml `grafana.datasources` for this environment: data source type → uid (may be empty). */
  readonly datasources?: Readonly<Record<string, string>>;
}

/** One dashboard in any form a module may export: an SDK builder or its built JSON. */
export type DashboardValue = cog.Builder<DashboardJson> | DashboardJson;

/**
 * The default export of a `dashboards/*.ts` module: one dashboard, several, or a function of the
 * project's model returning either (the SLO dashboards are generated from `input.slos` this way).
 */
export type DashboardExport = DashboardValue | readonly DashboardValue[] | ((input: DashboardInput) => DashboardValue | readonly DashboardValue[]);
