import type { SloModel } from '../../model/types.js';
import { generateSloRuleGroup } from '../prometheus/slo-rules.js';
import { ruleGroupShape, sloOwnNames, type RuleGroupLike } from './rule-shape.js';
import { groupLabelSets, planSeries } from './synthetic-series.js';

/** SLO id → the SLO of the same rule shape whose generated tests run the full scenarios. */
export type ShapeProofs = ReadonlyMap<string, SloModel>;

/**
 * The shape of one SLO's generated rule group (see ruleGroupShape), with what else decides its
 * scenarios: the indicator kind and how many groups the tests can make. Undefined for an SLO
 * that gets no generated tests (raw indicator, or nothing satisfies its selectors).
 */
export function sloShape(slo: SloModel): string | undefined {
  if (slo.indicator.kind === 'raw' || !planSeries(slo, 1).ok) return undefined;
  const groups = groupLabelSets(slo).length;
  if (groups === 0) return undefined;
  return JSON.stringify([slo.indicator.kind, groups, ruleGroupShape(generateSloRuleGroup(slo), sloOwnNames(slo), slo.alertName)]);
}

/**
 * Which SLOs share a full proof (pure, deterministic): the first SLO of each shape, in project
 * order, runs the full scenarios; every later SLO of that shape runs one short scenario of its
 * own (generateSloTests). Services holding a raw SLO are left out entirely: their scenarios may
 * lose cases to it (SLO029), so none of them proves a shape for another service.
 */
export function planShapeProofs(slos: readonly SloModel[]): ShapeProofs {
  const rawServices = new Set(slos.filter((s) => s.indicator.kind === 'raw').map((s) => s.service));
  const first = new Map<string, SloModel>();
  const proofs = new Map<string, SloModel>();
  for (const slo of slos) {
    if (rawServices.has(slo.service)) continue;
    const shape = sloShape(slo);
    if (shape === undefined) continue;
    const prover = first.get(shape);
    if (prover) proofs.set(slo.id, prover);
    else first.set(shape, slo);
  }
  return proofs;
}

/**
 * Why `slo`'s rule group, as rendered (`groupOf` reads it back from the rule file), does not have
 * the shape of `prover`'s, whose full proof it relies on; undefined when it does. Run over the
 * files promtool tests, so a rule edited after rendering cannot keep the proof of another SLO.
 */
export function shapeMismatch(slo: SloModel, prover: SloModel, groupOf: (slo: SloModel) => RuleGroupLike | undefined): string | undefined {
  const mine = groupOf(slo);
  const theirs = groupOf(prover);
  if (!mine || !theirs) return `rule group of ${mine ? prover.id : slo.id} not found in its rule file`;
  const a = ruleGroupShape(mine, sloOwnNames(slo), slo.alertName);
  const b = ruleGroupShape(theirs, sloOwnNames(prover), prover.alertName);
  if (a === b) return undefined;
  const ra = (JSON.parse(a) as { rules: unknown[] }).rules;
  const rb = (JSON.parse(b) as { rules: unknown[] }).rules;
  const i = ra.findIndex((r, k) => JSON.stringify(r) !== JSON.stringify(rb[k]));
  const rule = mine.rules[i] as { record?: string; alert?: string } | undefined;
  const where =
    i < 0
      ? ra.length !== rb.length
        ? `it has ${ra.length} rules, ${prover.id} ${rb.length}`
        : 'the group fields differ'
      : `rule ${i + 1} (${rule?.record ?? rule?.alert ?? '?'}) differs`;
  return `${slo.id}: its rule group no longer has the shape of ${prover.id}'s, whose full proof it relies on: ${where} beyond the SLO's own names`;
}
