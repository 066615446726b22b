import type { SloModel } from '../../model/types.js';
import { generateSloRuleGroup } from '../prometheus/slo-rules.js';
import { ruleGroupShape, sloOwnNames } from './rule-shape.js';
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
