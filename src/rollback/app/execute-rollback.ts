import type { ActionFactory, ActionOutcome, Clock, DecisionLog, Logger, TriggerMetrics } from '../ports.js';
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
  const sleep = deps.sleep ?? defaultSleep;
  const started = deps.clock();
  let outcome: ActionOutcome = { status: 'failed', detail: 'not attempted', retryable: false };
  let attempts = 0;
  let backoff = initialBackoffMs;
  while (attempts < maxAttempts) {
    attempts++;
    const t0 = deps.clock();
    try {
      outcome = await action.execute({ decisionId: decision.id, correlationId: decision.correlationId, reason: decision.reason, ...(deps.signal ? { signal: deps.signal } : {}) });
    } catch (err) {
      // An adapter that throws is a bug or a network fault; treat as retryable, keep the message only.
      outcome = { status: 'failed', detail: err instanceof Error ? err.message : String(err), retryable: true };
    }
    deps.metrics.actionSeconds(action.kind, (deps.clock() - t0) / 1000);
    log.info({ attempt: attempts, status: outcome.status, detail: outcome.detail }, 'rollback action attempt');
    if (outcome.status !== 'failed' || !outcome.retryable || deps.signal?.aborted) break;
    const elapsed = deps.clock() - started;
    if (attempts >= maxAttempts || elapsed + backoff > budgetMs) break;
    await sleep(backoff, deps.signal);
    backoff = Math.min(backoff * 2, maxBackoffMs);
  }
  if (outcome.status === 'failed' && deps.signal?.aborted) {
    // Shutting down: leave the decision without an outcome so the next start resumes it.
    log.warn({ attempts }, 'stopped before the action succeeded; it resumes at the next start');
    return outcome;
  }
  deps.metrics.actionOutcome(action.kind, outcome.status);
  const event = { type: 'outcome' as const, id: decision.id, at: new Date(deps.clock()).toISOString(), status: outcome.status, detail: outcome.detail, attempts };
  deps.state.apply(event);
  await deps.log.append(event);
  (outcome.status === 'failed' ? log.error.bind(log) : log.info.bind(log))({ status: outcome.status, attempts, detail: outcome.detail }, 'rollback action finished');
  return outcome;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
