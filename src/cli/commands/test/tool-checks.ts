import fs from 'node:fs';
import path from 'node:path';

/** One invocation of a real tool over rendered output. */
export interface ToolCheck {
  readonly tool: string;
  readonly args: readonly string[];
  readonly describe: string;
}

function filesIn(dir: string, pattern: RegExp): string[] {
  try {
    return fs.readdirSync(dir).filter((n) => pattern.test(n)).sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/**
 * The tool checks of a rendered tree: promtool over rule files and unit tests, amtool over the
 * Alertmanager config. Each feature adds its own checks here.
 */
export function toolChecksFor(outDir: string): ToolCheck[] {
  const checks: ToolCheck[] = [];
  const rules = filesIn(path.join(outDir, 'prometheus/rules'), /\.ya?ml$/);
  if (rules.length > 0) checks.push({ tool: 'promtool', args: ['check', 'rules', ...rules], describe: `promtool check rules (${rules.length} file(s))` });
  const tests = filesIn(path.join(outDir, 'prometheus/tests'), /\.ya?ml$/);
  if (tests.length > 0) checks.push({ tool: 'promtool', args: ['test', 'rules', ...tests], describe: `promtool test rules (${tests.length} file(s))` });
  const am = path.join(outDir, 'alertmanager/alertmanager.yml');
  if (fs.existsSync(am)) checks.push({ tool: 'amtool', args: ['check-config', am], describe: 'amtool check-config' });
  return checks;
}
