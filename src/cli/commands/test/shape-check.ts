import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { outputPaths, sloRuleGroupName } from '../../../conventions.js';
import { shapeMismatch, type ShapeProofs } from '../../../generate/promtool-tests/shape-proofs.js';
import type { RuleGroupLike } from '../../../generate/promtool-tests/rule-shape.js';
import type { SloModel } from '../../../model/types.js';

/**
 * Checks, on the rendered rule files, that every SLO whose tests rely on another SLO's full proof
 * still has that SLO's rule shape. Returns one line per SLO that does not.
 */
export function checkRenderedShapes(outDir: string, slos: readonly SloModel[], proofs: ShapeProofs): string[] {
  const files = new Map<string, RuleGroupLike[]>();
  const groupOf = (slo: SloModel) => {
    const file = path.join(outDir, outputPaths.sloRules(slo.service));
    if (!files.has(file)) {
      let groups: RuleGroupLike[] = [];
      try {
        groups = (parseYaml(fs.readFileSync(file, 'utf8')) as { groups?: RuleGroupLike[] } | null)?.groups ?? [];
      } catch {
        groups = [];
      }
      files.set(file, groups);
    }
    return files.get(file)!.find((g) => g.name === sloRuleGroupName(slo.id));
  };
  const problems: string[] = [];
  for (const slo of slos) {
    const prover = proofs.get(slo.id);
    if (!prover) continue;
    const why = shapeMismatch(slo, prover, groupOf);
    if (why) problems.push(`${outputPaths.sloRules(slo.service)}: ${why}`);
  }
  return problems;
}
