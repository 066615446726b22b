/**
 * vigil-monitoring's authoring API: typed helpers for writing vigil specs in TypeScript (editor
 * completion and type checks on every key), and the types of every spec kind. The helpers return
 * their argument unchanged: a module in slos/ or alerts/ (or vigil.config.ts) default-exports
 * their result, and YAML files take the same shapes (JSON Schemas in schemas/). Dashboards:
 * `vigil-monitoring/dashboards`; LogQL builders: `vigil-monitoring/logql`.
 */
import type { AlertPackSpec, AlertParamsSpec, ExternalMetricsSpec } from './alerts/schema.js';
import type { ConfigSpec } from './load/config-schema.js';
import type { SloFileSpec } from './load/slo-schema.js';
import type { PolicyDocument } from './rollback/policy/schema.js';
import type { RoutingSpec } from './routing/schema.js';

export type { AlertPackSpec, AlertParamsSpec, ConfigSpec, ExternalMetricsSpec, PolicyDocument as RollbackPolicySpec, RoutingSpec, SloFileSpec };
export type { SloSpec, AlertingSpec } from './load/slo-schema.js';
export type { ModelsFile as ExporterModelsSpec } from '../exporters/gpu/models/models-schema.js';

/** One service's SLOs (`kind: ServiceLevelObjectives`, as in `slos/<service>.yaml`). */
export function defineSlos(spec: SloFileSpec): SloFileSpec {
  return spec;
}

/** An alert pack (`kind: AlertPack`, as in `alerts/<pack>.yaml`). */
export function defineAlertPack(spec: AlertPackSpec): AlertPackSpec {
  return spec;
}

/** The routing policy (`kind: AlertRouting`, as in `alerts/routing.yaml`). */
export function defineRouting(spec: RoutingSpec): RoutingSpec {
  return spec;
}

/** The project's configuration (`vigil.config.ts`, the TypeScript form of `vigil.config.yaml`). */
export function defineConfig(spec: ConfigSpec): ConfigSpec {
  return spec;
}
