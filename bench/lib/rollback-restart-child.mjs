// Child of bench/rollback-restart.ts, compiled flavour: the same start-up as rollback-restart-child.ts
// but on the built JavaScript (dist/, what the package and the image ship), run by plain node.
// argv: stateDir retentionMs. Prints one JSON line.
import { FileDecisionLog } from '../../dist/src/rollback/adapters/file-decision-log.js';
import { RollbackTrigger } from '../../dist/src/rollback/app/rollback-trigger.js';
import { Diagnostics } from '../../dist/src/diagnostics.js';
import { compilePolicy } from '../../dist/src/rollback/policy/load-policy.js';
import { parseYamlSource } from '../../dist/src/load/yaml-source.js';
const [stateDir, retention] = process.argv.slice(2);
const diags = new Diagnostics();
const policy = compilePolicy(
  parseYamlSource(
    'bench.yaml',
    'apiVersion: vigil/v1\nkind: RollbackPolicy\ndefaults: { dryRun: true }\ntargets:\n  t: { flagdFlag: { file: /f.json, flag: "mv-{{model}}", variant: stable } }\nrules:\n  - name: r\n    match: { severity: critical }\n    target: t\n',
    diags,
  ),
  diags,
);
const rssBefore = process.memoryUsage().rss;
const t0 = process.hrtime.bigint();
const log = await FileDecisionLog.open(stateDir, { retentionMs: Number(retention) });
const trigger = new RollbackTrigger({
  policy,
  log,
  retentionMs: Number(retention),
  actions: { create: () => ({ kind: 'x', target: 'x', execute: () => Promise.resolve({ status: 'success', detail: '' }) }) },
});
await trigger.start();
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
// What stays: garbage of the scan collected (the child runs with --expose-gc).
globalThis.gc?.();
const rss = process.memoryUsage().rss;
const heap = process.memoryUsage().heapUsed;
// Peak RSS of the whole start-up (the scan and the compaction included), in bytes.
const maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ ms, rss, heap, maxRss, rssBefore, decisions: trigger.state.size, compactions: log.compactions, opened: log.opened })}\n`,
);
await log.close();
