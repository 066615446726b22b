import type { Severity } from './schema.js';

/** Where a spec node sits, for diagnostics. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One promtool unit-test case of an alert, parameters already substituted. */
export interface AlertTestCase {
  readonly name: string;
  /** Sample spacing (promtool 2.42 has no default: always set). */
  readonly interval: string;
  readonly series: readonly { readonly series: string; readonly values: string }[];
  readonly at: string;
  /** Expected firing alerts: the expression's output labels and, when templates read it, its value. */
  readonly fires: readonly { readonly labels: Readonly<Record<string, string>>; readonly value?: number }[];
  readonly source: SourceRef;
}

/** One alert rule, parameters substituted, labels merged (pack labels, alert labels, severity). */
export interface AlertModel {
  readonly pack: string;
  readonly group: string;
  readonly datasource: 'prometheus' | 'loki';
  readonly name: string;
  readonly expr: string;
  readonly for?: string;
  readonly severity: Severity;
  /** Rule labels as written to the rule file (templates unexpanded), `severity` included. */
  readonly labels: Readonly<Record<string, string>>;
  /** summary, description, runbook_url (when set), then extra annotations. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly tests: readonly AlertTestCase[];
  readonly source: SourceRef;
  /** Where each vector selector of `expr` was written, by its offset in `expr` (PromQL alerts that parse). */
  readonly selectorSources?: readonly { readonly offset: number; readonly source: SourceRef }[];
}

export interface AlertGroupModel {
  readonly name: string;
  readonly datasource: 'prometheus' | 'loki';
  readonly interval?: string;
  readonly alerts: readonly AlertModel[];
}

/** One alert pack file: its groups and the parameter values it was rendered with. */
export interface AlertPackModel {
  readonly name: string;
  readonly file: string;
  readonly groups: readonly AlertGroupModel[];
  readonly params: Readonly<Record<string, string | number>>;
}
