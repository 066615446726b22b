import { outputPaths, prometheusRuleName } from '../../conventions.js';
import type { RuleGroup } from '../../model/rule-group.js';
import type { RuleFileDocument } from '../document.js';

/** Namespace the PrometheusRule objects go to unless a caller says otherwise. */
export const DEFAULT_RULE_NAMESPACE = 'monitoring';

/**
 * A prometheus-operator `PrometheusRule` holding the groups of one rule file (pure). The groups
 * are the same objects the rule file is made of, so both outputs always agree.
 */
export function generatePrometheusRule(
  fileName: string,
  specPath: string,
  groups: readonly RuleGroup[],
  options: { namespace?: string; labels?: Readonly<Record<string, string>> } = {},
): RuleFileDocument {
  const resource = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: prometheusRuleName(fileName),
      namespace: options.namespace ?? DEFAULT_RULE_NAMESPACE,
      // The configured labels (what the Prometheus ruleSelector matches) come first; vigil's own last.
      labels: { ...options.labels, 'app.kubernetes.io/managed-by': 'vigil', 'app.kubernetes.io/part-of': 'vigil' },
      annotations: { 'vigil.dev/source': specPath },
    },
  };
  return { path: outputPaths.prometheusRuleCrd(fileName), format: 'rules', source: specPath, resource, groups };
}
