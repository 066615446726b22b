import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDurationSeconds } from '../../../runtime/duration.js';
import { groupsNeeded, rulesNeeded, type ParsedRuleGroup } from './rule-dependencies.js';

/** One promtool test file to run, and a rough cost: evaluation steps × rule groups loaded. */
export interface TestFile {
  readonly file: string;
  readonly cost: number;
}

interface PromtoolTestGroup {
  readonly input_series?: readonly { series: string }[];
  readonly alert_rule_test?: readonly { eval_time: string; alertname?: string }[];
  readonly promql_expr_test?: readonly { eval_time: string; expr?: string }[];
}

interface PromtoolTestFile {
  readonly rule_files?: readonly string[];
  readonly evaluation_interval?: string;
  readonly group_eval_order?: readonly string[];
  readonly tests?: readonly PromtoolTestGroup[];
  readonly [key: string]: unknown;
}

function readData(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    // Generated SLO tests are JSON under a comment header; JSON.parse is much faster than YAML.
    return JSON.parse(text.replace(/^#.*$/gm, ''));
  } catch {
    return parseYaml(text);
  }
}

function lastEvalMinutes(t: PromtoolTestGroup): number {
  const times = [...(t.alert_rule_test ?? []), ...(t.promql_expr_test ?? [])].map((c) => parseDurationSeconds(c.eval_time) ?? 0);
  return Math.max(1, ...times) / 60;
}

/**
 * Splits rendered promtool test files so that each test group loads only the rule groups it
 * needs (groupsNeeded): promtool evaluates every loaded group at every step, so a test of one SLO
 * in a file of N SLOs costs N times what it must. Test groups needing the same rule groups share
 * one file in `workDir`; their rule file holds those groups exactly as rendered (same order, every
 * field). A file that cannot be split safely (several or missing rule files, a group_eval_order,
 * input series without a metric name) runs as it is.
 */
export function splitTestFiles(testFiles: readonly string[], workDir: string): TestFile[] {
  fs.mkdirSync(workDir, { recursive: true });
  const out: TestFile[] = [];
  const ruleCache = new Map<string, ParsedRuleGroup[] | undefined>();
  const rulesOf = (file: string) => {
    if (!ruleCache.has(file)) {
      let groups: ParsedRuleGroup[] | undefined;
      try {
        groups = (readData(file) as { groups?: ParsedRuleGroup[] }).groups;
      } catch {
        groups = undefined;
      }
      ruleCache.set(file, Array.isArray(groups) ? groups : undefined);
    }
    return ruleCache.get(file);
  };
  for (const file of testFiles) {
    const asIs = (groups = 1, tests: readonly PromtoolTestGroup[] = []) =>
      out.push({ file, cost: groups * tests.reduce((sum, t) => sum + lastEvalMinutes(t), 0) || 1 });
    let data: PromtoolTestFile;
    try {
      data = readData(file) as PromtoolTestFile;
    } catch {
      asIs();
      continue;
    }
    const tests = data.tests ?? [];
    if (data.rule_files?.length !== 1 || data.group_eval_order) {
      asIs(1, tests);
      continue;
    }
    const ruleFile = path.resolve(path.dirname(file), data.rule_files[0]!);
    const groups = rulesOf(ruleFile);
    const inputs = tests.map((t) => (t.input_series ?? []).map((s) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s.series)?.[0]));
    if (!groups || inputs.some((names) => names.some((n) => n === undefined))) {
      asIs(groups?.length ?? 1, tests);
      continue;
    }
    const buckets = new Map<string, { needed: number[]; tests: PromtoolTestGroup[] }>();
    const all = groups.map((_, i) => i);
    tests.forEach((t, i) => {
      // A test without input series is an empty world itself: it runs with every group.
      const needed = inputs[i]!.length === 0 ? all : groupsNeeded(groups, new Set(inputs[i] as string[]));
      const key = needed.join(',');
      const b = buckets.get(key);
      if (b) b.tests.push(t);
      else buckets.set(key, { needed, tests: [t] });
    });
    const base = path.basename(file).replace(/\.(ya?ml|json)$/, '');
    let k = 0;
    for (const { needed, tests: part } of buckets.values()) {
      const rules = path.join(workDir, `${base}.${k}.rules.json`);
      // Within the groups, only the rules the tests can observe (SLOIndicatorBroken's scenarios
      // read the base windows, not the 30d tiles or the burn-rate alerts).
      const kept = needed.map((i) => groups[i]!);
      const alertNames = new Set(part.flatMap((t) => (t.alert_rule_test ?? []).map((a) => a.alertname ?? '')));
      const exprs = part.flatMap((t) => (t.promql_expr_test ?? []).map((e) => e.expr ?? ''));
      fs.writeFileSync(rules, JSON.stringify({ groups: rulesNeeded(kept, alertNames, exprs) ?? kept }));
      const testFile = path.join(workDir, `${base}.${k}.test.json`);
      fs.writeFileSync(testFile, JSON.stringify({ ...data, rule_files: [rules], tests: part }));
      out.push({ file: testFile, cost: Math.max(1, needed.length) * part.reduce((sum, t) => sum + lastEvalMinutes(t), 0) });
      k++;
    }
    if ([...buckets.values()].some((b) => b.needed.length < groups.length)) out.push(emptyWorld(base, workDir, data, ruleFile, groups.length));
  }
  return out;
}

/** Evaluation interval of the empty-world test (minutes): with no input series every rule's result is constant. */
const EMPTY_WORLD_STEP = 5;

/**
 * What makes leaving groups out sound: a group left out of a test reads none of its inputs, so it
 * behaves there as with no series at all. This test loads every group of the file with no series
 * and asserts that none of the alert names the file's tests check fires, up to their last
 * evaluation time; a group that fired would have been missed by the split tests.
 */
function emptyWorld(base: string, workDir: string, data: PromtoolTestFile, ruleFile: string, groups: number): TestFile {
  const tests = data.tests ?? [];
  const names = [...new Set(tests.flatMap((t) => (t.alert_rule_test ?? []).map((a) => (a as { alertname?: string }).alertname ?? '')))].filter(Boolean).sort();
  const last = Math.ceil(Math.max(...tests.map(lastEvalMinutes)) / EMPTY_WORLD_STEP) * EMPTY_WORLD_STEP;
  const file = path.join(workDir, `${base}.empty-world.test.json`);
  const test = {
    name: `${base}: with no input series, no group of ${path.basename(ruleFile)} raises ${names.join(', ')} (groups left out of split tests behave so there)`,
    interval: `${EMPTY_WORLD_STEP}m`,
    input_series: [],
    alert_rule_test: names.flatMap((alertname) => [EMPTY_WORLD_STEP, last].map((m) => ({ eval_time: `${m}m`, alertname, exp_alerts: [] }))),
  };
  fs.writeFileSync(file, JSON.stringify({ rule_files: [ruleFile], evaluation_interval: `${EMPTY_WORLD_STEP}m`, tests: [test] }));
  return { file, cost: (groups * last) / EMPTY_WORLD_STEP };
}

/**
 * Deals test files into at most `n` batches of similar cost (largest first, each to the cheapest
 * batch), so parallel promtool processes finish together and each pays its start-up once.
 */
export function batchByCost(files: readonly TestFile[], n: number): string[][] {
  const batches = Array.from({ length: Math.max(1, Math.min(n, files.length)) }, () => ({ cost: 0, files: [] as string[] }));
  for (const f of [...files].sort((a, b) => b.cost - a.cost || (a.file < b.file ? -1 : 1))) {
    const cheapest = batches.reduce((a, b) => (b.cost < a.cost ? b : a));
    cheapest.files.push(f.file);
    cheapest.cost += f.cost;
  }
  return batches.filter((b) => b.files.length > 0).map((b) => b.files.sort());
}
