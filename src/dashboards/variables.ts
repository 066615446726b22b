import { CustomVariableBuilder, QueryVariableBuilder, TextBoxVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * Template variable factories. Query variables refresh on time-range change (dashboard-linter's
 * template-on-time-change-reload-rule) and carry only their datasource type; `dashboard()` points
 * them at the matching datasource variable.
 */

/** Options of a label-values variable. */
export interface LabelVariableOptions {
  /** Series selector to read the label from, e.g. `DCGM_FI_DEV_GPU_UTIL{cluster=~"$cluster"}`. */
  readonly selector: string;
  /** Label to list; default the variable name. */
  readonly label?: string;
  /** Shown in the variable picker; default the variable name. */
  readonly title?: string;
  /** Multi-select with an "All" option (default true). */
  readonly multi?: boolean;
  /**
   * Regex sent for "All". Default `.*` so series without the label still match (a single-cluster
   * Prometheus has no `cluster` label); `.+` for job/instance (dashboard-linter's convention).
   */
  readonly allValue?: string;
  readonly description?: string;
}

/** A Prometheus `label_values(selector, label)` variable. */
export function labelVariable(name: string, o: LabelVariableOptions): QueryVariableBuilder {
  const query = `label_values(${o.selector}, ${o.label ?? name})`;
  const multi = o.multi ?? true;
  const v = new QueryVariableBuilder(name)
    .label(o.title ?? name)
    .datasource({ type: 'prometheus' })
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.NaturalAsc)
    .multi(multi)
    .includeAll(multi);
  if (multi) v.allValue(o.allValue ?? '.*');
  if (o.description) v.description(o.description);
  return v;
}

/** A Loki `label_values(label)` variable (stream labels only). */
export function lokiLabelVariable(
  name: string,
  o: { readonly label?: string; readonly title?: string; readonly description?: string } = {},
): QueryVariableBuilder {
  const query = `label_values(${o.label ?? name})`;
  const v = new QueryVariableBuilder(name)
    .label(o.title ?? name)
    .datasource({ type: 'loki' })
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.NaturalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
  if (o.description) v.description(o.description);
  return v;
}

/** A fixed list of values; the first is selected. */
export function customVariable(
  name: string,
  values: readonly string[],
  o: { readonly title?: string; readonly description?: string } = {},
): CustomVariableBuilder {
  const v = new CustomVariableBuilder(name)
    .label(o.title ?? name)
    .values(values.map((x) => x.replaceAll(',', '\\,')).join(','))
    .current({ selected: true, text: values[0] ?? '', value: values[0] ?? '' })
    .options(values.map((x, i) => ({ selected: i === 0, text: x, value: x })));
  if (o.description) v.description(o.description);
  return v;
}

/** A free-text variable, e.g. a correlation id pasted from a log line or an error report. */
export function textVariable(
  name: string,
  o: { readonly title?: string; readonly description?: string; readonly value?: string } = {},
): TextBoxVariableBuilder {
  const v = new TextBoxVariableBuilder(name).label(o.title ?? name).defaultValue(o.value ?? '');
  if (o.description) v.description(o.description);
  return v;
}

/** The `cluster` variable of a dashboard whose series come from `metric`. */
export function clusterVariable(metric: string): QueryVariableBuilder {
  return labelVariable('cluster', { selector: metric, description: 'Kubernetes cluster (external label `cluster`); All also matches series without it.' });
}
