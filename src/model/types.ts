import type { VectorSelector } from '../query/promql.js';

/** Where a spec element was written, for diagnostics raised after loading. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** What counts as a bad event, normalised from the four indicator forms of spec v1. */
export type Indicator =
  | { readonly kind: 'ratio'; readonly errors?: VectorSelector; readonly good?: VectorSelector; readonly total: VectorSelector }
  | {
      readonly kind: 'latency';
      /** The histogram's base metric name and matchers (no `_bucket`/`_count` suffix). */
      readonly histogram: VectorSelector;
      /** Threshold in the histogram's own unit (seconds for `_seconds` histograms). */
      readonly threshold: number;
      /** Every spelling of the threshold's `le` value that Prometheus clients write (`2`, `2.0`). */
      readonly leValues: readonly string[];
    }
  | { readonly kind: 'boolGauge'; readonly gauge: VectorSelector }
  | { readonly kind: 'raw'; readonly errorRatio: string };

/** One alert tier's settings; `false` disables it. */
export type TierSetting = false | { readonly severity: string };

/** A multiwindow burn-rate condition: fires when both windows burn faster than `factor`. */
export interface AlertWindow {
  readonly tier: 'page' | 'ticket';
  readonly severity: string;
  /** Window lengths in whole minutes. */
  readonly longMinutes: number;
  readonly shortMinutes: number;
  /** Prometheus durations of the windows, e.g. `1h` and `5m`. */
  readonly long: string;
  readonly short: string;
  /** Share of the period's error budget this pair spends before it fires (0.02 = 2%). */
  readonly budgetShare: number;
  /** Burn-rate factor: share × period / long window. */
  readonly factor: number;
  /** Error-ratio threshold: factor × error budget. Always below 1 (pairs that could never fire are dropped). */
  readonly threshold: number;
}

/** One SLO, fully resolved: the single intermediate model every generator reads. */
export interface SloModel {
  /** `<service>-<name>`. */
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly description: string;
  /** Objective as a ratio, e.g. 0.999. */
  readonly objective: number;
  /** Objective as written, in percent, e.g. 99.9. */
  readonly objectivePercent: number;
  /** 1 - objective. */
  readonly errorBudget: number;
  /** Period length in whole minutes (30d = 43200). */
  readonly periodMinutes: number;
  /** The period as a Prometheus duration, e.g. `30d`. */
  readonly period: string;
  /** The spec file's `labels`, added to every series and alert. */
  readonly labels: Readonly<Record<string, string>>;
  readonly groupBy: readonly string[];
  readonly indicator: Indicator;
  readonly alertName: string;
  readonly runbook: string | undefined;
  /** Runbook of the SLO's SLOIndicatorBroken alert when a runbook base URL is configured (else the repo-relative default). */
  readonly sliHealthRunbook?: string;
  /** Absolute URL of the SLO's dashboard when a Grafana URL is configured (else alerts link it Grafana-relative). */
  readonly dashboardUrl?: string;
  /** The SLA line this SLO measures (`sla:` in the spec), shown by `vigil report`. */
  readonly sla?: { readonly text: string; readonly objectivePercent: number };
  /** Extra alert labels from `alerting.labels`. */
  readonly alertLabels: Readonly<Record<string, string>>;
  /**
   * The rule group's evaluation interval (Prometheus duration) as the SLO file or vigil.config.yaml
   * sets it; undefined: DEFAULT_SLO_EVALUATION_INTERVAL. Always divides the base window.
   */
  readonly evaluationInterval?: string;
  /** Burn-rate pairs that are emitted, in table order. */
  readonly windows: readonly AlertWindow[];
  /** Pairs left out because their threshold would be ≥ 100% error ratio. */
  readonly droppedWindows: readonly AlertWindow[];
  readonly source: SourceRef;
  /** Where the indicator's parts and the groupBy entries were written (live checks point there); absent for SLOs built without a source. */
  readonly at?: SloSourceMap;
}

/**
 * Positions of an SLO's parts: each indicator field by its spec name (`errors`, `good`, `total`,
 * `histogram`, `threshold`, `boolGauge`, `errorRatio`) and each `groupBy` entry in order.
 */
export interface SloSourceMap {
  readonly indicator: Readonly<Partial<Record<'errors' | 'good' | 'total' | 'histogram' | 'threshold' | 'boolGauge' | 'errorRatio', SourceRef>>>;
  readonly groupBy: readonly SourceRef[];
}
