import { Counter, Histogram, type Registry } from 'prom-client';
import type { TriggerMetrics } from '../ports.js';

/** TriggerMetrics on prom-client, registered on the given (never the global) registry. */
export function createPromMetrics(registry: Registry): TriggerMetrics {
  const requests = new Counter({
    name: 'vigil_rollback_webhook_requests_total',
    help: 'Alertmanager webhook requests by HTTP status.',
    labelNames: ['status'],
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'vigil_rollback_decisions_total',
    help: 'Rollback decisions by verdict.',
    labelNames: ['verdict'],
    registers: [registry],
  });
  const duplicates = new Counter({
    name: 'vigil_rollback_duplicate_alerts_total',
    help: 'Alert deliveries already decided (same fingerprint and startsAt).',
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'vigil_rollback_actions_total',
    help: 'Finished rollback actions by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'vigil_rollback_action_attempt_seconds',
    help: 'Duration of one rollback action attempt.',
    labelNames: ['kind'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const polls = new Counter({
    name: 'vigil_rollback_poll_results_total',
    help: 'Prometheus poll evaluations by result (breach, ok, no-data, error).',
    labelNames: ['result'],
    registers: [registry],
  });
  return {
    webhookRequest: (status) => requests.inc({ status: String(status) }),
    decision: (verdict) => decisions.inc({ verdict }),
    duplicate: () => duplicates.inc(),
    actionOutcome: (kind, outcome) => outcomes.inc({ kind, outcome }),
    actionSeconds: (kind, s) => seconds.observe({ kind }, s),
    pollResult: (result) => polls.inc({ result }),
  };
}
