import type { DecisionEvent, DecisionRecord } from '../ports.js';
import { DecisionInterner } from '../app/intern-decisions.js';

type Approval = Extract<DecisionEvent, { type: 'approval' }>;
type Outcome = Extract<DecisionEvent, { type: 'outcome' }>;
type Resolved = Extract<DecisionEvent, { type: 'resolved' }>;

interface Folded {
  decision: DecisionRecord;
  /** `decision.at` in ms, parsed once. */
  atMs: number;
  approval?: Approval;
  outcome?: Outcome;
  resolved?: Resolved;
}

/**
 * Folds decision events per decision (the last approval / outcome / resolution wins, a repeated
 * decision id is ignored) and drops what retention lets go: decisions taken before `cutoffMs`,
 * unless their action still has to run (an `act`, or an approved decision, without an outcome).
 * Replaying the folded events gives the same state as replaying the retained originals.
 */
export class DecisionFold {
  private readonly byId = new Map<string, Folded>();
  /** A long log repeats labels, reasons and actions: the fold keeps one copy of each. */
  private readonly interner = new DecisionInterner();
  /** Decisions read that retention let go. */
  dropped = 0;

  constructor(private readonly cutoffMs: number) {}

  /** Memory stays bounded by what is retained: an old decision is kept only while its action may still have to run. */
  add(e: DecisionEvent): void {
    if (e.type === 'decision') {
      if (this.byId.has(e.id)) return;
      const atMs = Date.parse(e.at);
      if (atMs < this.cutoffMs && e.verdict !== 'act' && e.verdict !== 'await-approval') {
        this.dropped++;
        return;
      }
      this.byId.set(e.id, { decision: this.interner.decision(e), atMs });
      return;
    }
    const f = this.byId.get(e.id);
    // Events of a decision that retention dropped (or that was never readable) have nothing to attach to.
    if (!f) return;
    if (e.type === 'approval') f.approval = e;
    else if (e.type === 'outcome') f.outcome = e;
    else f.resolved = e;
    if (e.type === 'outcome' && !retained(f, this.cutoffMs)) {
      this.byId.delete(e.id);
      this.dropped++;
    }
  }

  /** Retained decisions, in log order. */
  get size(): number {
    let n = 0;
    for (const f of this.byId.values()) if (retained(f, this.cutoffMs)) n++;
    return n;
  }

  /** The retained events in log order, each decision followed by its later facts. */
  *events(): Generator<DecisionEvent> {
    for (const f of this.byId.values()) {
      if (!retained(f, this.cutoffMs)) continue;
      yield f.decision;
      if (f.approval) yield f.approval;
      if (f.outcome) yield f.outcome;
      if (f.resolved) yield f.resolved;
    }
  }
}

function retained(f: Folded, cutoffMs: number): boolean {
  if (f.atMs >= cutoffMs) return true;
  const mustRun = f.decision.verdict === 'act' || (f.decision.verdict === 'await-approval' && f.approval?.approved === true);
  return mustRun && !f.outcome;
}
