import { withRetry } from '../../runtime/retry.js';
import type { ActionFactory, ActionOutcome, ActionSubject, Clock, DecisionLog, DecisionRecord, Logger, TriggerMetrics } from '../ports.js';
import type { Policy } from '../policy/load-policy.js';
import type { DecisionState, DecisionView } from './decision-state.js';

/** What `executeRollback` needs. */
export interface ExecuteDeps {
  readonly policy: Pick<Policy, 'retry'>;
  readonly log: DecisionLog;
  readonly state: DecisionState;
  readonly actions: ActionFactory;
  readonly logger: Logger;
  readonly metrics: TriggerMetrics;
  readonly clock: Clock;
  /** Waits `ms`; injected so tests do not sleep. Default: setTimeout. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
}

/**
 * Runs the action of a committed decision, retrying retryable failures with exponential
 * backoff (policy.retry: attempts, first/max backoff, total budget), and appends the outcome.
 * Actions are idempotent ("already done"), so resuming after a crash cannot act twice.
 */
export async function executeRollback(view: DecisionView, deps: ExecuteDeps): Promise<ActionOutcome> {
  const { decision } = view;
  if (!decision.action) throw new Error(`decision ${decision.id} has no action`);
  let action;
  try {
    action = deps.actions.create(decision.action);
  } catch (err) {
    // Misconfiguration (no kubeconfig, no secret): retrying cannot help; record it.
    const detail = err instanceof Error ? err.message : String(err);
    const event = { type: 'outcome' as const, id: decision.id, at: new Date(deps.clock()).toISOString(), status: 'failed' as const, detail, attempts: 0 };
    deps.state.apply(event);
    await deps.log.append(event);
    deps.metrics.actionOutcome(decision.action.kind, 'failed');
    deps.logger.error({ correlationId: decision.correlationId, decisionId: decision.id, detail }, 'rollback action cannot be built');
    return { status: 'failed', detail, retryable: false };
  }
  const log = deps.logger.child({ correlationId: decision.correlationId, decisionId: decision.id, action: action.kind, target: action.target });
  const { maxAttempts, initialBackoffMs, maxBackoffMs, budgetMs } = deps.policy.retry;
  let attempts = 0;
  // No jitter: one trigger acts on one target, and the audited schedule stays predictable.
  const outcome = await withRetry<ActionOutcome>(
    async () => {
      attempts++;
      const t0 = deps.clock();
      let result: ActionOutcome;
      try {
        result = await action.execute({
          decisionId: decision.id,
          correlationId: decision.correlationId,
          reason: decision.reason,
          subject: subjectOf(decision),
          ...(deps.signal ? { signal: deps.signal } : {}),
        });
      } catch (err) {
        // An adapter that throws is a bug or a network fault; treat as retryable, keep the message only.
        result = { status: 'failed', detail: err instanceof Error ? err.message : String(err), retryable: true };
      }
      deps.metrics.actionSeconds(action.kind, (deps.clock() - t0) / 1000);
      log.info({ attempt: attempts, status: result.status, detail: result.detail }, 'rollback action attempt');
      return result;
    },
    {
      retries: maxAttempts - 1,
      baseDelayMs: initialBackoffMs,
      maxDelayMs: maxBackoffMs,
      jitter: 'none',
      budgetMs,
      retryResult: (o) => o.status === 'failed' && o.retryable,
      now: deps.clock,
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    },
  );
  if (outcome.status === 'failed' && deps.signal?.aborted) {
    // Shutting down: leave the decision without an outcome so the next start resumes it.
    log.warn({ attempts }, 'stopped before the action succeeded; it resumes at the next start');
    return outcome;
  }
  deps.metrics.actionOutcome(action.kind, outcome.status);
  const event = {
    type: 'outcome' as const,
    id: decision.id,
    at: new Date(deps.clock()).toISOString(),
    status: outcome.status,
    detail: outcome.detail,
    attempts,
  };
  deps.state.apply(event);
  await deps.log.append(event);
  (outcome.status === 'failed' ? log.error.bind(log) : log.info.bind(log))(
    { status: outcome.status, attempts, detail: outcome.detail },
    'rollback action finished',
  );
  return outcome;
}

/** The decision's service, SLO, environment and target, from the alert's labels and the policy. */
function subjectOf(decision: DecisionRecord): ActionSubject {
  const { labels, fingerprint, startsAt } = decision.alert;
  return {
    ...(labels.service !== undefined ? { service: labels.service } : {}),
    ...(labels.slo !== undefined ? { slo: labels.slo } : {}),
    ...(decision.environment !== undefined ? { environment: decision.environment } : {}),
    ...(decision.targetName !== undefined ? { target: decision.targetName } : {}),
    ...(decision.rule !== undefined ? { rule: decision.rule } : {}),
    alert: { fingerprint, startsAt, labels },
  };
}
