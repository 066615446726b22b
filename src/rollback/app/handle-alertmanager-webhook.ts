import type { WebhookPayload } from '../http/alertmanager-payload.js';
import type { AlertResult, RollbackTrigger } from './rollback-trigger.js';

/**
 * Handles one Alertmanager notification: every alert in it is decided (firing) or closed
 * (resolved) and made durable before this resolves. Resolved alerts never act.
 */
export async function handleAlertmanagerWebhook(trigger: RollbackTrigger, payload: WebhookPayload, correlationId: string): Promise<AlertResult[]> {
  return Promise.all(
    payload.alerts.map((a) =>
      trigger.handleAlert({ fingerprint: a.fingerprint, startsAt: a.startsAt, status: a.status, labels: a.labels, source: 'alertmanager' }, correlationId),
    ),
  );
}
