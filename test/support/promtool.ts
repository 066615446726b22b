import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Diagnostics } from '../../src/diagnostics.js';
import { sloModelsFromSource } from '../../src/load/load-slos.js';
import { parseYamlSource } from '../../src/load/yaml-source.js';
import type { RuleGroup } from '../../src/model/rule-group.js';
import type { SloModel } from '../../src/model/types.js';
import { renderRuleFile } from '../../src/render/rule-groups.js';

const execFileAsync = promisify(execFile);

/** The SLO models of one SLO file's text; throws with the diagnostics when it has errors. */
export function slosOf(text: string, file = 'slos/api.yaml'): SloModel[] {
  const diags = new Diagnostics();
  const loaded = sloModelsFromSource(parseYamlSource(file, text, diags)!, diags);
  const errors = diags.items.filter((d) => d.severity === 'error');
  if (!loaded || errors.length > 0) throw new Error(`${file}: ${JSON.stringify(errors)}`);
  return loaded.models;
}

/**
 * Runs `promtool test rules` on `tests` (a unit-test document, JSON is valid YAML) against the rule
 * groups, in a fresh temp dir; returns promtool's exit code and output (killed after 290 s, so a test
 * that times out leaves no promtool behind).
 */
export async function promtoolTest(groups: readonly RuleGroup[], tests: object): Promise<{ code: number; output: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-promtool-'));
  try {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), renderRuleFile('slos/api.yaml', groups));
    fs.writeFileSync(path.join(dir, 'test.yaml'), JSON.stringify({ rule_files: ['rules.yaml'], ...tests }, null, 1));
    try {
      const { stdout, stderr } = await execFileAsync('/usr/bin/promtool', ['test', 'rules', 'test.yaml'], { cwd: dir, maxBuffer: 64 << 20, timeout: 290_000 });
      return { code: 0, output: stdout + stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
