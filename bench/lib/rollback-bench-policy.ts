import path from 'node:path';
import { Diagnostics } from '../../src/diagnostics.js';
import { parseYamlSource } from '../../src/load/yaml-source.js';
import { compilePolicy, type Policy } from '../../src/rollback/policy/load-policy.js';

/** Bearer token of the trigger the rollback benches start. */
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

/**
 * The rollback benches' policy: one dry-run rule on critical alerts, a flagd target per model in
 * `dir`, cooldown 1m and 1,000 actions an hour, so every new alert is a durable decision and no
 * action runs.
 */
export function benchPolicy(dir: string): Policy {
  const diags = new Diagnostics();
  return compilePolicy(
    parseYamlSource(
      'bench.yaml',
      `apiVersion: vigil/v1\nkind: RollbackPolicy\ndefaults: { dryRun: true, cooldown: 1m, maxActionsPerHour: 1000 }\ntargets:\n  t: { flagdFlag: { file: ${JSON.stringify(path.join(dir, 'flags.json'))}, flag: "mv-{{model}}", variant: stable } }\nrules:\n  - name: r\n    match: { severity: critical }\n    target: t\n`,
      diags,
    )!,
    diags,
  )!;
}
