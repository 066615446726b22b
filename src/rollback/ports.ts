/**
 * Ports of the rollback trigger: the small interfaces its use cases depend on. Adapters
 * (Kubernetes, flagd, MLflow, webhook, file store, prom-client, pino) implement them.
 */

/** What one action reported: it changed something, found it already done, or failed. */
export type ActionOutcome =
  | { readonly status: 'success'; readonly detail: string }
  | { readonly status: 'already-done'; readonly detail: string }
  | { readonly status: 'failed'; readonly detail: string; /** worth another attempt (network, 5xx, 409, 429) */ readonly retryable: boolean };

/** Context handed to an action: who asked and why, for logs and audit fields at the far end. */
export interface ActionContext {
  readonly decisionId: string;
  readonly correlationId: string;
  /** A one-line reason, e.g. `ErrorBudgetBurn slo=doc-api-availability 1h/5m`. */
  readonly reason: string;
  /** What the decision is about, for actions that tell another system (the webhook body). */
  readonly subject?: ActionSubject;
  /** With leader election: the lease this replica held, checked right before the action (see `Fence`). */
  readonly fencing?: FencingToken;
  readonly signal?: AbortSignal;
}

/** The lease generation an action runs under; receivers may reject generations older than one they saw. */
export interface FencingToken {
  readonly holder: string;
  /** The Lease's `spec.leaseTransitions` when this replica acquired it. */
  readonly generation: number;
}

/** Fence says, right before an action, whether this replica still holds the lease it acquired. */
export interface Fence {
  /** The token to act under, or undefined when this replica must not act. */
  check(signal?: AbortSignal): Promise<FencingToken | undefined>;
}

/** Marks a request a standby forwarded to the leader (or a standby's replication read): never forwarded again. */
export const FORWARDED_HEADER = 'x-vigil-forwarded-by';

/** A coordination.k8s.io/v1 Lease, as far as leader election reads and writes it. */
export interface LeaseObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly resourceVersion?: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: {
    readonly holderIdentity?: string;
    readonly leaseDurationSeconds?: number;
    /** MicroTime: RFC 3339 with 6 fractional digits. */
    readonly acquireTime?: string;
    readonly renewTime?: string;
    readonly leaseTransitions?: number;
  };
}

/** LeaseStore reads and writes one Lease with optimistic concurrency (`conflict`: resourceVersion was stale). */
export interface LeaseStore {
  /** The lease, or undefined when it does not exist. */
  get(signal?: AbortSignal): Promise<LeaseObject | undefined>;
  create(lease: LeaseObject, signal?: AbortSignal): Promise<LeaseObject | 'conflict'>;
  /** Replaces the lease; `lease.metadata.resourceVersion` must be the one last read. */
  update(lease: LeaseObject, signal?: AbortSignal): Promise<LeaseObject | 'conflict'>;
}

/** The release a decision rolls back, as far as the alert and the policy name it. */
export interface ActionSubject {
  readonly service?: string;
  readonly slo?: string;
  readonly environment?: string;
  /** The policy target's name, e.g. `doc-api-canary`. */
  readonly target?: string;
  readonly rule?: string;
  readonly alert: { readonly fingerprint: string; readonly startsAt: string; readonly labels: Readonly<Record<string, string>> };
}

/** RollbackAction knows how to undo one release; it must be safe to call twice. */
export interface RollbackAction {
  /** Kind of action, e.g. `argo-abort`, for logs and metrics. */
  readonly kind: string;
  /** A stable name of the thing it changes, e.g. `argo:docs/doc-api`; cooldowns are kept per target. */
  readonly target: string;
  execute(ctx: ActionContext): Promise<ActionOutcome>;
}

/** Builds actions from a resolved policy target (parameters already templated from alert labels). */
export interface ActionFactory {
  create(spec: ResolvedActionSpec): RollbackAction;
}

/** A policy action with `{{label}}` templates filled in from one alert. */
export type ResolvedActionSpec =
  | { readonly kind: 'argoRollout'; readonly namespace: string; readonly name: string; readonly operation: 'abort' | 'undo' }
  | { readonly kind: 'flagdFlag'; readonly file: string; readonly flag: string; readonly variant: string }
  | { readonly kind: 'mlflowAlias'; readonly model: string; readonly alias: string }
  | { readonly kind: 'webhook'; readonly url: string };

/** Why a decision was taken; `act` and `approved` run the action. */
export type Verdict = 'act' | 'dry-run' | 'await-approval' | 'skip-cooldown' | 'skip-rate-limit' | 'no-rule';

/** One alert as the trigger sees it (from Alertmanager or synthesized by the Prometheus poller). */
export interface AlertView {
  readonly fingerprint: string;
  readonly startsAt: string;
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly source: 'alertmanager' | 'prometheus-poll';
}

/** The durable record of one decision, as written before anything is done about it. */
export interface DecisionRecord {
  readonly type: 'decision';
  readonly id: string;
  /** Idempotency key: `fingerprint|startsAt`. */
  readonly key: string;
  readonly at: string;
  readonly correlationId: string;
  readonly verdict: Verdict;
  readonly reason: string;
  readonly alert: {
    readonly fingerprint: string;
    readonly startsAt: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly source: AlertView['source'];
  };
  readonly environment?: string;
  readonly rule?: string;
  readonly targetName?: string;
  /** Cooldown / rate-limit key of the changed object, `RollbackAction.target`. */
  readonly target?: string;
  readonly action?: ResolvedActionSpec;
}

/** Later facts about a decision, appended to the same log. */
export type DecisionEvent =
  | DecisionRecord
  | { readonly type: 'approval'; readonly id: string; readonly at: string; readonly approved: boolean; readonly by: string; readonly correlationId: string }
  | {
      readonly type: 'outcome';
      readonly id: string;
      readonly at: string;
      readonly status: ActionOutcome['status'];
      readonly detail: string;
      readonly attempts: number;
    }
  | { readonly type: 'resolved'; readonly id: string; readonly at: string };

/** DecisionLog stores decision events durably, in order; `append` resolves once they are on disk. */
export interface DecisionLog {
  /** Every event written so far (read once at start-up to rebuild state). */
  readAll(): Promise<DecisionEvent[]>;
  append(event: DecisionEvent): Promise<void>;
  close(): Promise<void>;
}

/** Structured logger (pino-compatible subset); adapters never receive secrets to log. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** Counters and timings the trigger reports; a no-op recorder is the default. */
export interface TriggerMetrics {
  webhookRequest(status: number): void;
  decision(verdict: Verdict): void;
  duplicate(): void;
  actionOutcome(kind: string, status: ActionOutcome['status']): void;
  actionSeconds(kind: string, seconds: number): void;
  pollResult(result: 'breach' | 'ok' | 'no-data' | 'error'): void;
}

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;

export const noopLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return noopLogger;
  },
};

export const noopMetrics: TriggerMetrics = {
  webhookRequest() {},
  decision() {},
  duplicate() {},
  actionOutcome() {},
  actionSeconds() {},
  pollResult() {},
};
