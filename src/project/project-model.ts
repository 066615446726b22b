import type { AlertPackModel } from '../alerts/model.js';
import type { EnvOverride } from '../load/env-overlay.js';
import type { ProjectConfig } from '../load/load-config.js';
import type { DashboardJson } from '../dashboards/types.js';
import type { MetricCatalog } from '../model/metric-catalog.js';
import type { SloModel } from '../model/types.js';
import type { Policy } from '../rollback/policy/load-policy.js';
import type { RoutingModel } from '../routing/model.js';
import type { ModelsFile } from '../../exporters/gpu/models/models-schema.js';

/**
 * Everything a project declares, loaded once from its root and validated file by file: the one
 * input of every cross-kind validator and every generator. Plain data (the metric catalog aside,
 * which is only read once loading is done); positions are kept on every node a diagnostic can
 * name.
 */
export interface ProjectModel {
  /** `vigil.config.yaml` with its defaults applied. */
  readonly config: ProjectConfig;
  /** `--env NAME` when given (alert pack overlays and dashboards read it). */
  readonly env: string | undefined;
  /**
   * The declared environments, sorted: vigil.config.yaml `environments:`; without it (legacy), the
   * names alert packs' `environments:` and AlertParams `env:` use.
   */
  readonly environments: readonly string[];
  /** What `env` changed: every override its inline blocks, overlay files, pack parameters and config applied. */
  readonly overrides: readonly EnvOverride[];
  /** SLOs from slos/*.yaml, sorted by id. */
  readonly slos: readonly SloModel[];
  /** Alert packs from alerts/*.yaml with this environment's parameters applied, in file order. */
  readonly alertPacks: readonly AlertPackModel[];
  /** The routing policy (alerts/routing.yaml, incl. `rulePlacement:`); undefined when there is none. */
  readonly routing: RoutingModel | undefined;
  /** Metrics something in or around the project produces, which alert expressions may read. */
  readonly metrics: MetricCatalog;
  /** Dashboards built by dashboards/*.ts, finalized (uids, ids, refIds, ownership stamped). */
  readonly dashboards: readonly DashboardModel[];
  /** The GPU exporter's models file (`text` as written); `spec` undefined when the project has none (defaults apply). */
  readonly exporter: { readonly file: string | undefined; readonly spec: ModelsFile | undefined; readonly text?: string };
  /** Rollback policies (kind RollbackPolicy in alerts/), compiled against the SLOs. */
  readonly rollbackPolicies: readonly { readonly file: string; readonly policy: Policy }[];
}

/** One dashboard and where it came from. */
export interface DashboardModel {
  readonly dashboard: DashboardJson;
  /** Module path relative to the root, e.g. `dashboards/gpu-fleet.ts`. */
  readonly file: string;
  /** The module's source text, to place diagnostics at a panel's or variable's title. */
  readonly moduleSource: string;
}
