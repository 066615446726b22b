/** A Prometheus recording rule as it appears in a rule file. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A Prometheus alerting rule as it appears in a rule file. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export type Rule = RecordingRule | AlertingRule;

/** A rule group; rules run in order at one evaluation timestamp. */
export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval; omitted = the Prometheus global evaluation_interval. */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}
