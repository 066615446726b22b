/**
 * Annotations `vigil export openslo` writes for what OpenSLO has no field for, and
 * `vigil import openslo` reads back (the `openslo.com/` prefix is reserved, so vigil uses its own).
 */
export const VIGIL_ANNOTATIONS = {
  groupBy: 'vigil.dev/group-by',
  alertName: 'vigil.dev/alert-name',
  runbook: 'vigil.dev/runbook',
  labels: 'vigil.dev/labels',
  alertLabels: 'vigil.dev/alert-labels',
  tiers: 'vigil.dev/tiers',
  /** The SLO's SLA line as JSON: `{"text": "99.9% availability", "objective": 99.9}`. */
  sla: 'vigil.dev/sla',
} as const;
