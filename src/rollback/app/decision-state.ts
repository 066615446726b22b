import type { DecisionEvent, DecisionRecord } from '../ports.js';
import { DecisionInterner } from './intern-decisions.js';

/** A decision with what happened to it since, as `GET /v1/decisions` shows it. */
export interface DecisionView {
  readonly decision: DecisionRecord;
  approval?: { readonly approved: boolean; readonly by: string; readonly at: string };
  outcome?: { readonly status: string; readonly detail: string; readonly attempts: number; readonly at: string };
  resolvedAt?: string;
}

/** How often (in decision time) decisions past retention are dropped from memory. */
const PRUNE_EVERY_MS = 60_000;

/**
 * In-memory index of the decision log, rebuilt from it at start-up. Updated synchronously
 * before the write is awaited, so concurrent deliveries of one alert see each other.
 * Bounded: decisions older than `retentionMs` are dropped (at most once a minute, measured by
 * the decisions' own times) unless their action still has to run, as the log's compaction does.
 */
export class DecisionState {
  private readonly views = new Map<string, DecisionView>();
  private readonly byKey = new Map<string, string>();
  /** Per target: times (ms) at which an action was committed (acted, dry-run, or waiting for approval). */
  private readonly actionsByTarget = new Map<string, { id: string; atMs: number }[]>();
  /** Decision ids in log order; `order[head]` onwards are live (the prefix was pruned). */
  private order: string[] = [];
  private head = 0;
  /** Decisions past retention kept because their action must still run (few), oldest first. */
  private held: string[] = [];
  private prunedAtMs = -Infinity;
  /** Shares labels, reasons, targets and actions between the decisions kept. */
  private readonly interner = new DecisionInterner();

  /** `retentionMs`: how long a decision is remembered (and a redelivery recognised); default forever. */
  constructor(private readonly retentionMs = Number.POSITIVE_INFINITY) {}

  apply(e: DecisionEvent): void {
    if (e.type === 'decision') {
      if (this.views.has(e.id)) return;
      const event = this.interner.decision(e);
      const atMs = Date.parse(event.at);
      if (Number.isFinite(this.retentionMs) && atMs - this.prunedAtMs >= PRUNE_EVERY_MS) this.prune(atMs - this.retentionMs, atMs);
      this.views.set(event.id, { decision: event });
      this.byKey.set(event.key, event.id);
      this.order.push(event.id);
      if (event.target && (event.verdict === 'act' || event.verdict === 'dry-run' || event.verdict === 'await-approval')) {
        const list = this.actionsByTarget.get(event.target) ?? [];
        list.push({ id: event.id, atMs: Date.parse(event.at) });
        this.actionsByTarget.set(event.target, list);
      }
      return;
    }
    const event = e;
    const view = this.views.get(event.id);
    if (!view) return;
    if (event.type === 'approval') {
      view.approval = { approved: event.approved, by: event.by, at: event.at };
      // A rejected approval frees the target: it never ran.
      if (!event.approved && view.decision.target) this.dropAction(view.decision.target, event.id);
    } else if (event.type === 'outcome') view.outcome = { status: event.status, detail: event.detail, attempts: event.attempts, at: event.at };
    else if (event.type === 'resolved') view.resolvedAt = event.at;
  }

  /** Undoes `apply` of a decision whose write failed. */
  forget(id: string): void {
    const view = this.views.get(id);
    if (!view) return;
    this.views.delete(id);
    this.byKey.delete(view.decision.key);
    const i = this.order.lastIndexOf(id);
    if (i >= this.head) this.order.splice(i, 1);
    this.held = this.held.filter((h) => h !== id);
    if (view.decision.target) this.dropAction(view.decision.target, id);
  }

  idForKey(key: string): string | undefined {
    return this.byKey.get(key);
  }

  get(id: string): DecisionView | undefined {
    return this.views.get(id);
  }

  /** Committed actions on `target` at or after `sinceMs`, oldest first. */
  actionsSince(target: string, sinceMs: number): number[] {
    return (this.actionsByTarget.get(target) ?? []).filter((a) => a.atMs >= sinceMs).map((a) => a.atMs);
  }

  /** Decisions whose action must run (act, or approved) and has no outcome yet. */
  pendingExecution(): DecisionView[] {
    return this.ids()
      .map((id) => this.views.get(id)!)
      .filter(mustRun);
  }

  /** Newest first. */
  list(limit: number): DecisionView[] {
    const out: DecisionView[] = [];
    const ids = this.order.length - this.head < limit ? this.ids() : this.order;
    for (let i = ids.length - 1; i >= 0 && out.length < limit; i--) out.push(this.views.get(ids[i]!)!);
    return out;
  }

  get size(): number {
    return this.views.size;
  }

  /**
   * Drops decisions taken before `cutoffMs` whose action need not run any more. Walks from the
   * oldest live decision and stops at the first recent one, so a prune costs what it drops.
   */
  prune(cutoffMs: number, nowMs = cutoffMs + this.retentionMs): void {
    this.prunedAtMs = nowMs;
    this.held = this.held.filter((id) => {
      const v = this.views.get(id);
      if (v && mustRun(v)) return true;
      if (v) this.drop(v);
      return false;
    });
    while (this.head < this.order.length) {
      const v = this.views.get(this.order[this.head]!);
      if (v && Date.parse(v.decision.at) >= cutoffMs) break;
      this.head++;
      if (!v) continue;
      if (mustRun(v)) this.held.push(v.decision.id);
      else this.drop(v);
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** Live decision ids, oldest first. */
  private ids(): string[] {
    return [...this.held, ...this.order.slice(this.head)];
  }

  private drop(v: DecisionView): void {
    const id = v.decision.id;
    this.views.delete(id);
    if (this.byKey.get(v.decision.key) === id) this.byKey.delete(v.decision.key);
    if (v.decision.target) this.dropAction(v.decision.target, id);
  }

  private dropAction(target: string, id: string): void {
    const list = this.actionsByTarget.get(target);
    if (!list) return;
    // Pruning drops the oldest first: the common case is the head of the list.
    if (list[0]?.id === id) {
      list.shift();
      if (list.length === 0) this.actionsByTarget.delete(target);
      return;
    }
    const next = list.filter((a) => a.id !== id);
    if (next.length) this.actionsByTarget.set(target, next);
    else this.actionsByTarget.delete(target);
  }
}

function mustRun(v: DecisionView): boolean {
  return !v.outcome && (v.decision.verdict === 'act' || (v.decision.verdict === 'await-approval' && v.approval?.approved === true));
}
