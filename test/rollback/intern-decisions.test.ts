import { describe, expect, it } from 'vitest';
import { DecisionInterner } from '../../src/rollback/app/intern-decisions.js';
import { DecisionState } from '../../src/rollback/app/decision-state.js';
import type { DecisionRecord } from '../../src/rollback/ports.js';

/** A record as JSON.parse returns it from the log: every string and object its own copy. */
function parsed(i: number, model: string): DecisionRecord {
  const at = new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString();
  const d: DecisionRecord = {
    type: 'decision',
    id: `d-${i}`,
    key: `fp${i}|${at}`,
    at,
    correlationId: `c-${i}`,
    verdict: 'dry-run',
    reason: `dry run: would serve variant stable of flag mv-${model}`,
    alert: { fingerprint: `fp${i}`, startsAt: at, labels: { alertname: 'ErrorBudgetBurn', severity: 'critical', model }, source: 'alertmanager' },
    rule: 'r',
    targetName: 't',
    target: `flagd:/f.json#mv-${model}`,
    action: { kind: 'flagdFlag', file: '/f.json', flag: `mv-${model}`, variant: 'stable' },
  };
  return JSON.parse(JSON.stringify(d)) as DecisionRecord;
}

describe('DecisionInterner', () => {
  it('returns records equal to the originals, field for field and in the log format', () => {
    const interner = new DecisionInterner();
    for (let i = 0; i < 20; i++) {
      const d = parsed(i, `m${i % 3}`);
      const out = interner.decision(d);
      expect(out).toEqual(d);
      expect(JSON.stringify(out)).toBe(JSON.stringify(d));
    }
  });

  it('keeps one copy of labels and action per distinct value, and shares the start time with the decision time', () => {
    const interner = new DecisionInterner();
    const a = interner.decision(parsed(1, 'm1'));
    const b = interner.decision(parsed(2, 'm1'));
    const c = interner.decision(parsed(3, 'm2'));
    expect(b.alert.labels).toBe(a.alert.labels);
    expect(b.action).toBe(a.action);
    expect(c.alert.labels).not.toBe(a.alert.labels);
    expect(c.alert.labels).toEqual({ alertname: 'ErrorBudgetBurn', severity: 'critical', model: 'm2' });
    expect(Object.is(a.alert.startsAt, a.at)).toBe(true);
  });

  it('leaves optional fields absent when the original has none', () => {
    const bare: Record<string, unknown> = { ...parsed(4, 'm1') };
    for (const k of ['rule', 'targetName', 'target', 'action']) delete bare[k];
    const out = new DecisionInterner().decision(bare as unknown as DecisionRecord);
    expect(out).toEqual(bare);
    expect(Object.keys(out).sort()).toEqual(Object.keys(bare).sort());
  });

  it('returns an interned record as it is, and starts over when its table is full', () => {
    const interner = new DecisionInterner(2);
    const a = interner.decision(parsed(1, 'm1'));
    expect(interner.decision(a)).toBe(a);
    // Three distinct label sets through a table of two: the first is forgotten, values stay right.
    interner.decision(parsed(2, 'm2'));
    interner.decision(parsed(3, 'm3'));
    const again = interner.decision(parsed(4, 'm1'));
    expect(again.alert.labels).toEqual(a.alert.labels);
    expect(again.alert.labels).not.toBe(a.alert.labels);
  });
});

describe('DecisionState with interned decisions', () => {
  it('indexes by id and key exactly as before, and shares labels between decisions', () => {
    const state = new DecisionState();
    for (let i = 0; i < 10; i++) state.apply(parsed(i, 'm1'));
    expect(state.size).toBe(10);
    expect(state.idForKey(parsed(7, 'm1').key)).toBe('d-7');
    expect(state.get('d-7')!.decision).toEqual(parsed(7, 'm1'));
    expect(state.get('d-7')!.decision.alert.labels).toBe(state.get('d-2')!.decision.alert.labels);
    expect(state.list(3).map((v) => v.decision.id)).toEqual(['d-9', 'd-8', 'd-7']);
  });
});
