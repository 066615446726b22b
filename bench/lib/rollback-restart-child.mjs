// Child of bench/rollback-restart.ts: one trigger start-up on a prepared state dir, measured in a
// fresh process so its RSS is the trigger's own. argv: stateDir retentionMs flavour, where flavour
// is `compiled` (the built JavaScript in dist/, what the package and the image ship, run by plain
// node) or `tsx` (the sources, run with tsx's loader). Prints one JSON line.
const [stateDir, retention, flavour] = process.argv.slice(2);
const base = flavour === 'tsx' ? '../../src' : '../../dist/src';
const { FileDecisionLog } = await import(`${base}/rollback/adapters/file-decision-log.js`);
const { RollbackTrigger } = await import(`${base}/rollback/app/rollback-trigger.js`);
const { Diagnostics } = await import(`${base}/diagnostics.js`);
const { compilePolicy } = await import(`${base}/rollback/policy/load-policy.js`);
const { parseYamlSource } = await import(`${base}/load/yaml-source.js`);
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
