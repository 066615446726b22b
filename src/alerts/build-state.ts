import type { BuildContext } from '../project/types.js';
import type { RuleGroup } from '../generate/prometheus/rule-types.js';
import type { AlertPackModel } from './model.js';

/**
 * What the alerts part hands to later parts of the same build (routing cross-checks, the
 * PrometheusRule part), keyed by the build's context so builds never share state.
 */
export interface AlertBuildState {
  readonly packs: readonly AlertPackModel[];
  /** Prometheus rule files the alerts part generated: output path, spec path, groups. */
  readonly ruleFiles: readonly { readonly name: string; readonly path: string; readonly specPath: string; readonly groups: readonly RuleGroup[] }[];
}

const states = new WeakMap<BuildContext, AlertBuildState>();

export function setAlertBuildState(ctx: BuildContext, state: AlertBuildState): void {
  states.set(ctx, state);
}

/** The alerts part's output for this build; empty when it has not run. */
export function alertBuildState(ctx: BuildContext): AlertBuildState {
  return states.get(ctx) ?? { packs: [], ruleFiles: [] };
}
