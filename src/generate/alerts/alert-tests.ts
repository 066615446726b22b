import type { AlertModel, AlertPackModel } from '../../alerts/model.js';
import { expandTemplate } from '../../alerts/template.js';

/** Evaluation interval of generated alert tests (promtool's default, set explicitly). */
const EVALUATION_INTERVAL = '1m';

/**
 * Expected labels of a firing alert, as promtool compares them: the expression's output labels
 * overridden by the rule's labels (templates expanded; a label that expands to "" is dropped,
 * as Prometheus drops it).
 */
export function expectedLabels(a: AlertModel, exprLabels: Readonly<Record<string, string>>, value?: number): Record<string, string> {
  const out: Record<string, string> = { ...exprLabels };
  for (const [k, v] of Object.entries(a.labels)) {
    const expanded = expandTemplate(v, exprLabels, value);
    if (expanded === '') delete out[k];
    else out[k] = expanded;
  }
  return sortKeys(out);
}

/** Expected annotations of a firing alert, templates expanded with its labels and value. */
export function expectedAnnotations(a: AlertModel, exprLabels: Readonly<Record<string, string>>, value?: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.annotations)) out[k] = expandTemplate(v, exprLabels, value);
  return sortKeys(out);
}

/**
 * The promtool unit tests of one pack (pure): one test group per declared case, asserting
 * exactly the alerts of that name expected at `at` (none for a healthy case). Undefined when
 * the pack has no Prometheus alert with tests.
 */
export function generateAlertTests(pack: AlertPackModel, options: { ruleFile: string }): Record<string, unknown> | undefined {
  const tests: unknown[] = [];
  for (const g of pack.groups) {
    if (g.datasource !== 'prometheus') continue;
    for (const a of g.alerts) {
      for (const t of a.tests) {
        tests.push({
          name: `${a.name}: ${t.name}`,
          interval: t.interval,
          input_series: t.series.map((s) => ({ series: s.series, values: s.values })),
          alert_rule_test: [
            {
              eval_time: t.at,
              alertname: a.name,
              exp_alerts: t.fires.map((f) => ({
                exp_labels: expectedLabels(a, f.labels, f.value),
                exp_annotations: expectedAnnotations(a, f.labels, f.value),
              })),
            },
          ],
        });
      }
    }
  }
  if (tests.length === 0) return undefined;
  return { rule_files: [options.ruleFile], evaluation_interval: EVALUATION_INTERVAL, tests };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
