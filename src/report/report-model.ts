/**
 * The report as plain data: `report.json` is this value, and every number a page shows is read
 * from it (documented in docs/report.md; fields are only ever added).
 */

/** Version of report.json's layout. */
export const REPORT_FORMAT_VERSION = 1;

/** What a period's figures say about an SLO. */
export type SloStatus = 'met' | 'at-risk' | 'breached' | 'no-traffic' | 'no-data';

/** Share of the budget left below which a met SLO is `at-risk`. */
export const AT_RISK_BUDGET_REMAINING = 0.25;

/** A point of a chart: unix seconds and a value (null: no data in that bucket). */
export type ChartPoint = readonly [t: number, value: number | null];

/** One groupBy member's share of an SLO's period. */
export interface MemberFigures {
  /** The member's groupBy labels, e.g. `{ model: "llama-3-70b" }`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly errors: number;
  readonly total: number;
  /** errors / total; null without traffic. */
  readonly errorRatio: number | null;
  /** Share of the SLO's whole error budget this member spent: errors / (budget × all events). */
  readonly budgetSpent: number | null;
}

/** A stretch during which an SLO alert fired. */
export interface FiringBand {
  readonly severity: string;
  /** The tier the severity belongs to (`other`: an alert of this SLO with neither tier's severity). */
  readonly tier: 'page' | 'ticket' | 'other';
  readonly fromSeconds: number;
  readonly toSeconds: number;
}

/** Everything the report says about one SLO. */
export interface SloReport {
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly description: string;
  readonly indicator: 'ratio' | 'latency' | 'boolGauge' | 'raw';
  /** Objective in percent, as written (99.9). */
  readonly objectivePercent: number;
  /** The SLO's rolling period as written (`30d`). */
  readonly period: string;
  readonly groupBy: readonly string[];
  /** The SLA line the SLO measures, when its spec declares one. */
  readonly sla: { readonly text: string; readonly objectivePercent: number; readonly met: boolean | null } | null;
  /** How much of the report's range has samples (any member's total at a base-window step). */
  readonly coverage: { readonly seconds: number; readonly rangeSeconds: number; readonly ratio: number };
  /** Events over the covered part (raw indicators: null, their ratio is averaged over time). */
  readonly events: { readonly errors: number; readonly total: number } | null;
  /** Share of good events (raw: of good time) over the covered part; null without data or traffic. */
  readonly attainment: number | null;
  /** 1 − error ratio / error budget over the covered part (negative: overspent); null without data or traffic. */
  readonly errorBudgetRemaining: number | null;
  readonly status: SloStatus;
  /** Alerts that fired in the range, and the stretches they fired (merged over window pairs). */
  readonly alerts: { readonly pageSeconds: number; readonly ticketSeconds: number; readonly bands: readonly FiringBand[] };
  /** Members of a grouped SLO by budget spent, most first (at most 10). */
  readonly worstMembers: readonly MemberFigures[];
  readonly charts: {
    /** Seconds per chart point. */
    readonly bucketSeconds: number;
    /** Budget remaining at the end of each bucket, counting from the start of the range. */
    readonly budgetRemaining: readonly ChartPoint[];
    /** Burn rate within each bucket (error ratio / budget). */
    readonly burnRate: readonly ChartPoint[];
  };
  /** Latency SLOs: the objective's percentile of the raw histogram over time. */
  readonly latency: {
    readonly quantile: number;
    readonly thresholdSeconds: number;
    readonly stepSeconds: number;
    readonly points: readonly ChartPoint[];
    /** Highest value of `points`; null when none has data. */
    readonly max: number | null;
    /** Points with a value, and of those the ones above the threshold. */
    readonly pointsWithData: number;
    readonly pointsAboveThreshold: number;
  } | null;
}

/** The whole report. */
export interface Report {
  readonly formatVersion: number;
  readonly generatedBy: string;
  readonly prometheusUrl: string;
  readonly environment: string | null;
  readonly fromSeconds: number;
  readonly toSeconds: number;
  readonly services: readonly { readonly name: string; readonly page: string; readonly slos: readonly SloReport[] }[];
  /** Prometheus requests made to build the report. */
  readonly requests: number;
}
