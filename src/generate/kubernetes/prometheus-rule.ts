import { generatedHeader, prometheusRuleName } from '../../conventions.js';
import { renderYaml } from '../../render/yaml.js';
import type { RuleGroup } from '../prometheus/rule-types.js';
import { renderRuleGroups } from '../prometheus/render-rule-file.js';

/** Namespace the PrometheusRule objects go to unless a caller says otherwise. */
export const DEFAULT_RULE_NAMESPACE = 'monitoring';

/**
 * A prometheus-operator `PrometheusRule` holding the groups of one rule file (pure). The groups
 * are the same objects the rule file is rendered from, so both outputs always agree.
 */
export function renderPrometheusRule(fileName: string, specPath: string, groups: readonly RuleGroup[], options: { namespace?: string } = {}): string {
  const doc = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: prometheusRuleName(fileName),
      namespace: options.namespace ?? DEFAULT_RULE_NAMESPACE,
      labels: { 'app.kubernetes.io/managed-by': 'vigil', 'app.kubernetes.io/part-of': 'vigil' },
      annotations: { 'vigil.dev/source': specPath },
    },
  };
  // The groups use the rule-file emitter (same YAML, much faster on large projects).
  const groupsText = groups.length > 0 ? `  groups:\n${renderRuleGroups(groups, '  ')}` : '  groups: []\n';
  return `${generatedHeader(specPath)}\n${renderYaml(doc)}spec:\n${groupsText}`;
}
