import { randomBytes } from 'node:crypto';
import type { Policy } from '../policy/load-policy.js';
import {
  noopLogger,
  noopMetrics,
  type ActionFactory,
  type ActionOutcome,
  type AlertView,
  type Clock,
  type DecisionEvent,
  type DecisionLog,
  type DecisionRecord,
  type Logger,
  type TriggerMetrics,
} from '../ports.js';
import { alertKey, decideRollback } from './decide-rollback.js';
import { DecisionState, type DecisionView } from './decision-state.js';
import { executeRollback } from './execute-rollback.js';

/** Dependencies of the trigger; logger, metrics, clock and ids default to no-ops / real ones. */
export interface TriggerDeps {
  readonly policy: Policy;
  readonly log: DecisionLog;
  readonly actions: ActionFactory;
  readonly logger?: Logger;
  readonly metrics?: TriggerMetrics;
  readonly clock?: Clock;
  readonly newId?: () => string;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** How long decisions are remembered in memory (ms); default forever. The log keeps its own retention. */
  readonly retentionMs?: number;
  /** Resume unfinished actions in `start()` (default true); with leader election the leader calls `resumePending()` instead. */
  readonly resumeOnStart?: boolean;
}

/** What happened to one alert of a delivery. */
export interface AlertResult {
  readonly fingerprint: string;
  readonly result: 'decided' | 'duplicate' | 'resolved' | 'ignored-resolved';
  readonly decisionId?: string;
  readonly verdict?: DecisionRecord['verdict'];
}

/** Thrown when a decision could not be made durable: the caller answers 503 so Alertmanager retries. */
export class StorageError extends Error {}

/** Sortable, unique decision id: time in base36 plus randomness. */
export function newDecisionId(now: number = Date.now()): string {
  return `d-${now.toString(36)}-${randomBytes(5).toString('hex')}`;
}

/**
 * The rollback trigger's application core: turns alerts into durable decisions and decisions
 * into actions. One instance per state dir; `start()` rebuilds state from the log and resumes
 * decisions that were committed but never finished.
 */
export class RollbackTrigger {
  readonly state: DecisionState;
  private readonly logger: Logger;
  private readonly metrics: TriggerMetrics;
  private readonly clock: Clock;
  private readonly newId: () => string;
  private readonly running = new Map<string, Promise<void>>();
  /** Writes not yet on disk; a duplicate delivery waits for the original's write. */
  private readonly unsynced = new Map<string, Promise<void>>();
  private readonly stop = new AbortController();

  constructor(private readonly deps: TriggerDeps) {
    this.state = new DecisionState(deps.retentionMs);
    this.logger = deps.logger ?? noopLogger;
    this.metrics = deps.metrics ?? noopMetrics;
    this.clock = deps.clock ?? Date.now;
    this.newId = deps.newId ?? (() => newDecisionId(this.clock()));
  }

  /** Rebuilds state from the log and resumes committed actions without an outcome. */
  async start(): Promise<void> {
    const events = await this.deps.log.readAll();
    for (const e of events) this.state.apply(e);
    const resume = this.deps.resumeOnStart !== false;
    const pending = this.state.pendingExecution();
    this.logger.info({ decisions: this.state.size, resuming: resume ? pending.length : 0 }, 'decision log loaded');
    if (resume) for (const v of pending) this.launch(v);
  }

  /** Launches committed actions without an outcome (a replica that just became leader). */
  resumePending(): void {
    for (const v of this.state.pendingExecution()) this.launch(v);
  }

  /** Decides about one alert; resolves once the decision is durable (the action runs after). */
  async handleAlert(alert: AlertView, correlationId: string): Promise<AlertResult> {
    if (alert.status === 'resolved') return this.resolve(alert, correlationId);
    const d = decideRollback(alert, this.deps.policy, this.state, this.clock(), { id: this.newId(), correlationId });
    if (d.kind === 'duplicate') {
      this.metrics.duplicate();
      const pending = this.unsynced.get(d.id);
      if (pending) await pending.catch(() => undefined);
      if (!this.state.get(d.id)) throw new StorageError('the original delivery of this alert could not be stored');
      return { fingerprint: alert.fingerprint, result: 'duplicate', decisionId: d.id, verdict: this.state.get(d.id)!.decision.verdict };
    }
    const record = d.record;
    await this.commit(record);
    this.metrics.decision(record.verdict);
    this.logger
      .child({ correlationId, decisionId: record.id })
      .info({ verdict: record.verdict, rule: record.rule, target: record.target, slo: alert.labels.slo, reason: record.reason }, 'rollback decision');
    if (record.verdict === 'act') this.launch(this.state.get(record.id)!);
    return { fingerprint: alert.fingerprint, result: 'decided', decisionId: record.id, verdict: record.verdict };
  }

  /** Approves or rejects a decision waiting for approval. */
  async approve(
    id: string,
    approved: boolean,
    by: string,
    correlationId: string,
  ): Promise<{ status: 'ok' | 'not-found' | 'conflict'; reason?: string; view?: DecisionView }> {
    const view = this.state.get(id);
    if (!view) return { status: 'not-found', reason: `no decision ${id}` };
    if (view.decision.verdict !== 'await-approval')
      return { status: 'conflict', reason: `decision ${id} is ${view.decision.verdict}, not waiting for approval` };
    if (view.approval)
      return { status: 'conflict', reason: `decision ${id} was already ${view.approval.approved ? 'approved' : 'rejected'} by ${view.approval.by}` };
    if (view.resolvedAt) return { status: 'conflict', reason: `the alert of decision ${id} resolved at ${view.resolvedAt}; a resolved alert never acts` };
    const event: DecisionEvent = { type: 'approval', id, at: new Date(this.clock()).toISOString(), approved, by, correlationId };
    this.state.apply(event);
    await this.deps.log.append(event);
    this.logger.child({ correlationId, decisionId: id }).info({ approved, by }, 'rollback approval');
    if (approved) this.launch(view);
    return { status: 'ok', view };
  }

  /**
   * Standby: copies decisions of the leader (newest first, as `decisions()` lists them) that this
   * replica has not recorded, and their later facts, into its own log; nothing is acted on. After
   * a failover the new leader's cooldowns and idempotency keys include them, and `resumePending()`
   * finishes the actions the old leader committed (actions are idempotent; the decision id is the key).
   */
  async replicate(views: readonly DecisionView[]): Promise<number> {
    let written = 0;
    for (const v of [...views].reverse()) {
      const id = v.decision.id;
      const mine = this.state.get(id);
      // A decision of our own for the same alert wins: two records of one key would act twice.
      if (!mine && this.state.idForKey(v.decision.key) !== undefined) continue;
      const events: DecisionEvent[] = [];
      if (!mine) events.push(v.decision);
      if (v.approval && !mine?.approval)
        events.push({ type: 'approval', id, at: v.approval.at, approved: v.approval.approved, by: v.approval.by, correlationId: v.decision.correlationId });
      if (v.outcome && !mine?.outcome)
        events.push({
          type: 'outcome',
          id,
          at: v.outcome.at,
          status: v.outcome.status as ActionOutcome['status'],
          detail: v.outcome.detail,
          attempts: v.outcome.attempts,
        });
      if (v.resolvedAt && !mine?.resolvedAt) events.push({ type: 'resolved', id, at: v.resolvedAt });
      for (const e of events) {
        this.state.apply(e);
        await this.deps.log.append(e);
        written++;
      }
    }
    return written;
  }

  /** Newest decisions first, at most `limit`. */
  decisions(limit = 100): DecisionView[] {
    return this.state.list(limit);
  }

  /** Resolves when every running action has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** Stops retries (an unfinished action is resumed at the next start) and waits for actions. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.idle();
  }

  private async resolve(alert: AlertView, correlationId: string): Promise<AlertResult> {
    const id = this.state.idForKey(alertKey(alert));
    const view = id === undefined ? undefined : this.state.get(id);
    if (!view) return { fingerprint: alert.fingerprint, result: 'ignored-resolved' };
    if (view.resolvedAt) return { fingerprint: alert.fingerprint, result: 'duplicate', decisionId: view.decision.id, verdict: view.decision.verdict };
    const event: DecisionEvent = { type: 'resolved', id: view.decision.id, at: new Date(this.clock()).toISOString() };
    this.state.apply(event);
    await this.deps.log.append(event);
    this.logger.child({ correlationId, decisionId: view.decision.id }).info({}, 'alert resolved; incident record closed, nothing reversed');
    return { fingerprint: alert.fingerprint, result: 'resolved', decisionId: view.decision.id, verdict: view.decision.verdict };
  }

  private async commit(record: DecisionRecord): Promise<void> {
    this.state.apply(record);
    const write = this.deps.log.append(record);
    this.unsynced.set(record.id, write);
    try {
      await write;
    } catch (err) {
      this.state.forget(record.id);
      this.logger.error({ decisionId: record.id, err: err instanceof Error ? err.message : String(err) }, 'could not store decision');
      throw new StorageError('decision could not be stored');
    } finally {
      this.unsynced.delete(record.id);
    }
  }

  private launch(view: DecisionView): void {
    const id = view.decision.id;
    if (this.running.has(id) || this.stop.signal.aborted) return;
    const p = executeRollback(view, {
      policy: this.deps.policy,
      log: this.deps.log,
      state: this.state,
      actions: this.deps.actions,
      logger: this.logger,
      metrics: this.metrics,
      clock: this.clock,
      signal: this.stop.signal,
      ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
    })
      .then(() => undefined)
      .catch((err: unknown) =>
        this.logger.error(
          { decisionId: id, correlationId: view.decision.correlationId, err: err instanceof Error ? err.message : String(err) },
          'rollback execution failed',
        ),
      )
      .finally(() => this.running.delete(id));
    this.running.set(id, p);
  }
}
