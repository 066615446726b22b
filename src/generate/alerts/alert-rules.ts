import type { AlertGroupModel, AlertModel, AlertPackModel } from '../../alerts/model.js';
import type { AlertingRule, RuleGroup } from '../../model/rule-group.js';

/** One alert as a Prometheus/Loki alerting rule. */
export function toAlertingRule(a: AlertModel): AlertingRule {
  return { alert: a.name, expr: a.expr, ...(a.for ? { for: a.for } : {}), labels: a.labels, annotations: a.annotations };
}

function toGroup(g: AlertGroupModel): RuleGroup {
  return { name: g.name, ...(g.interval ? { interval: g.interval } : {}), rules: g.alerts.map(toAlertingRule) };
}

/**
 * A pack's rule groups split by datasource (pure): Prometheus groups go to the pack's
 * `*.alerts.rules.yaml`, Loki groups to the Loki ruler file. Either list may be empty.
 */
export function generateAlertRuleGroups(pack: AlertPackModel): { prometheus: RuleGroup[]; loki: RuleGroup[] } {
  return {
    prometheus: pack.groups.filter((g) => g.datasource === 'prometheus').map(toGroup),
    loki: pack.groups.filter((g) => g.datasource === 'loki').map(toGroup),
  };
}
