import { generatedHeader } from '../../conventions.js';
import { renderYaml } from '../../render/yaml.js';
import type { RuleGroup } from './rule-types.js';

/** A Prometheus rule file's text: the generated-by header, then `groups:`. */
export function renderRuleFile(specPath: string, groups: readonly RuleGroup[]): string {
  return `${generatedHeader(specPath)}\n${renderYaml({ groups })}`;
}
