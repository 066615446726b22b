import { spawn } from 'node:child_process';
import { planShapeProofs } from '../../../generate/promtool-tests/shape-proofs.js';
import type { SloModel } from '../../../model/types.js';
import { checkRenderedShapes } from './shape-check.js';
import { toolChecksFor, type ToolCheck } from './tool-checks.js';
import { mapWithConcurrency } from '../../../runtime/map-with-concurrency.js';

/** The outcome of one check over a rendered tree. */
export interface CheckResult {
  readonly check: string;
  readonly status: 'passed' | 'failed' | 'missing-tool';
  readonly output: string;
}

function runTool(c: ToolCheck, cwd: string): Promise<{ code: number | null; output: string; missing: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(c.tool, [...c.args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => resolve({ code: null, output: err.message, missing: err.code === 'ENOENT' }));
    child.on('close', (code) => resolve({ code, output, missing: false }));
  });
}

/** Parts of one check (same `describe`) become one result: missing if any part's tool is, failed if any part failed. */
function combine(checks: readonly ToolCheck[], runs: Awaited<ReturnType<typeof runTool>>[]): (CheckResult & { tool: string })[] {
  const byCheck = new Map<string, CheckResult & { tool: string }>();
  checks.forEach((c, i) => {
    const r = runs[i]!;
    const status = r.missing ? 'missing-tool' : r.code === 0 ? 'passed' : 'failed';
    const output = r.output;
    const prev = byCheck.get(c.describe);
    if (!prev) return byCheck.set(c.describe, { check: c.describe, status, output, tool: c.tool });
    const worst = [prev.status, status].includes('missing-tool') ? 'missing-tool' : [prev.status, status].includes('failed') ? 'failed' : 'passed';
    byCheck.set(c.describe, { ...prev, status: worst, output: prev.output + output });
  });
  return [...byCheck.values()];
}

/**
 * Every check of `vigil test` over a rendered tree `out`: the rule shapes that shared proofs rely
 * on (unless `fullProofs`, where no SLO relies on another's), then the tools, `jobs` at a time.
 * With `split`, the unit tests are split under `workDir` (see splitTestFiles).
 */
export async function checkRendered(
  out: string,
  slos: readonly SloModel[],
  options: { jobs: number; fullProofs: boolean; split: boolean; workDir: string },
): Promise<(CheckResult & { tool: string })[]> {
  const results: (CheckResult & { tool: string })[] = [];
  const proofs = options.fullProofs ? new Map<string, SloModel>() : planShapeProofs(slos);
  if (proofs.size > 0) {
    const problems = checkRenderedShapes(out, slos, proofs);
    results.push({
      check: `rule shapes (${proofs.size} SLO(s) rely on the full proof of another SLO of the same shape)`,
      status: problems.length > 0 ? 'failed' : 'passed',
      output: problems.join('\n'),
      tool: 'vigil',
    });
  }
  const checks = toolChecksFor(out, options.split ? { jobs: options.jobs, workDir: options.workDir } : undefined);
  results.push(...combine(checks, await mapWithConcurrency(checks, options.jobs, (c) => runTool(c, out))));
  return results;
}
