import fs from 'node:fs';
import path from 'node:path';
import { batchByCost, splitTestFiles } from './split-tests.js';

/** One invocation of a real tool over rendered output; invocations with the same `describe` are parts of one check. */
export interface ToolCheck {
  readonly tool: string;
  readonly args: readonly string[];
  readonly describe: string;
}

function filesIn(dir: string, pattern: RegExp): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => pattern.test(n))
      .sort()
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/**
 * The tool checks of a rendered tree: promtool over rule files and unit tests, amtool over the
 * Alertmanager config. Each feature adds its own checks here. The unit tests are split so that
 * each loads only the rule groups it needs (splitTestFiles, files under `workDir`) and dealt into
 * `jobs` promtool runs of similar cost, which the caller may run in parallel. Without `split`,
 * one promtool run takes every test file as rendered.
 */
export function toolChecksFor(outDir: string, split?: { jobs: number; workDir: string }): ToolCheck[] {
  const checks: ToolCheck[] = [];
  const rules = filesIn(path.join(outDir, 'prometheus/rules'), /\.ya?ml$/);
  if (rules.length > 0) checks.push({ tool: 'promtool', args: ['check', 'rules', ...rules], describe: `promtool check rules (${rules.length} file(s))` });
  const tests = filesIn(path.join(outDir, 'prometheus/tests'), /\.ya?ml$/);
  if (tests.length > 0) {
    const describe = `promtool test rules (${tests.length} file(s))`;
    const batches = split ? batchByCost(splitTestFiles(tests, split.workDir), split.jobs) : [tests];
    for (const batch of batches) checks.push({ tool: 'promtool', args: ['test', 'rules', ...batch], describe });
  }
  const am = path.join(outDir, 'alertmanager/alertmanager.yml');
  if (fs.existsSync(am)) checks.push({ tool: 'amtool', args: ['check-config', am], describe: 'amtool check-config' });
  checks.push(...routeTestChecks(outDir, am));
  return checks;
}

/**
 * One `amtool config routes test --verify.receivers=...` per case declared in the routing policy
 * (rendered to alertmanager/route-tests.json): amtool exits 1 unless the labels reach exactly
 * those receivers, in routing-tree order.
 */
function routeTestChecks(outDir: string, am: string): ToolCheck[] {
  const file = path.join(outDir, 'alertmanager/route-tests.json');
  if (!fs.existsSync(file) || !fs.existsSync(am)) return [];
  const { cases } = JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: { name: string; labels: Record<string, string>; receivers: string[] }[] };
  return cases.map((c) => ({
    tool: 'amtool',
    args: [
      'config',
      'routes',
      'test',
      `--config.file=${am}`,
      `--verify.receivers=${c.receivers.join(',')}`,
      ...Object.entries(c.labels).map(([k, v]) => `${k}=${v}`),
    ],
    describe: `amtool route test: ${c.name} → ${c.receivers.join(', ')}`,
  }));
}
