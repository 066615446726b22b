import { DataqueryBuilder as PromQueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { DataqueryBuilder as LokiQueryBuilder, LokiQueryType } from '@grafana/grafana-foundation-sdk/loki';

/**
 * Query factories. Each returns a fresh SDK builder (builders hand out shared objects, so one must
 * never be reused). The datasource carries only its type here: `dashboard()` fills in the uid of the
 * matching datasource variable once it knows which datasource types the dashboard uses.
 */

/** A PromQL range query; `legend` is Grafana's legend format, e.g. `{{Hostname}} GPU {{gpu}}`. */
export function prom(expr: string, legend?: string): PromQueryBuilder {
  const q = new PromQueryBuilder().expr(expr).range().datasource({ type: 'prometheus' });
  return legend === undefined ? q : q.legendFormat(legend);
}

/** A PromQL instant query in table format, for stat, gauge and table panels that show "now". */
export function promInstant(expr: string, legend?: string): PromQueryBuilder {
  const q = new PromQueryBuilder().expr(expr).instant().format(PromQueryFormat.Table).datasource({ type: 'prometheus' });
  return legend === undefined ? q : q.legendFormat(legend);
}

/** A LogQL query: a log stream for logs panels, or a metric query (range) for graphs. */
export function logql(expr: string, legend?: string): LokiQueryBuilder {
  const q = new LokiQueryBuilder().expr(expr).queryType(LokiQueryType.Range).datasource({ type: 'loki' });
  return legend === undefined ? q : q.legendFormat(legend);
}
