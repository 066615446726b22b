import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProject, checkProject } from '../../src/build/build-project.js';
import { checkRendered } from '../../src/cli/commands/test/check-rendered.js';
import { groupsNeeded, rulesNeeded } from '../../src/cli/commands/test/rule-dependencies.js';
import { ruleGroupShape, sloOwnNames } from '../../src/generate/promtool-tests/rule-shape.js';
import { planShapeProofs } from '../../src/generate/promtool-tests/shape-proofs.js';
import { generateSloRuleGroup } from '../../src/generate/prometheus/slo-rules.js';
import { writeArtifacts } from '../../src/write/write-artifacts.js';

/** One service file with one ratio SLO; `extra` lines go under the SLO. */
function service(name: string, opts: { period?: string; objective?: string; job?: string; extra?: string[]; labels?: string } = {}): string {
  return [
    'apiVersion: vigil/v1',
    'kind: ServiceLevelObjectives',
    `service: ${name}`,
    `labels: ${opts.labels ?? `{ team: team-${name} }`}`,
    `period: ${opts.period ?? '30d'}`,
    'slos:',
    '  - name: errors',
    `    objective: ${opts.objective ?? '99.9'}`,
    '    indicator:',
    '      ratio:',
    `        errors: http_requests_total{job="${opts.job ?? `${name}-api`}", code=~"5.."}`,
    `        total: http_requests_total{job="${opts.job ?? `${name}-api`}"}`,
    ...(opts.extra ?? []),
    '',
  ].join('\n');
}

function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-shapes-'));
  fs.mkdirSync(path.join(root, 'slos'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, 'slos', `${name}.yaml`), text);
  return root;
}

async function proofsOf(files: Record<string, string>): Promise<Record<string, string>> {
  const { model, diagnostics } = await checkProject(project(files));
  expect(diagnostics.hasErrors, JSON.stringify(diagnostics.sorted())).toBe(false);
  return Object.fromEntries([...planShapeProofs(model.slos)].map(([id, prover]) => [id, prover.id]));
}

/** Renders `files`, lets `edit` change the rendered tree, then runs every check of `vigil test` over it. */
async function renderEditCheck(files: Record<string, string>, edit: (out: string) => void) {
  const root = project(files);
  const result = await buildProject(root);
  expect(result.diagnostics.hasErrors).toBe(false);
  const out = path.join(root, 'build');
  await writeArtifacts(out, result.artifacts);
  edit(out);
  return checkRendered(out, result.model.slos, { jobs: 2, fullProofs: false, split: true, workDir: path.join(root, 'split') });
}

function editFile(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  expect(next, `no ${String(from)} in ${file}`).not.toBe(text);
  fs.writeFileSync(file, next);
}

describe('shape proofs', () => {
  it('lets an SLO whose rule group differs only in its own names and labels share the full proof of the first of its shape', async () => {
    expect(
      await proofsOf({
        a: service('a'),
        b: service('b', { job: 'other-job', labels: '{ owner: x }' }),
      }),
    ).toEqual({ 'b-errors': 'a-errors' });
  });

  it('does not share a proof between SLOs whose period, objective or groupBy arity differ', async () => {
    expect(
      await proofsOf({
        a: service('a'),
        b: service('b', { period: '28d' }),
        c: service('c', { objective: '99.5' }),
        d: service('d', { extra: ['    groupBy: [model]'] }),
        e: service('e', { extra: ['    groupBy: [model, region]'] }),
        // The control: same shape as a, so the others differ only by what they vary.
        f: service('f'),
      }),
    ).toEqual({ 'f-errors': 'a-errors' });
  });

  it('still shares when one own value is part of another (a label value "0" inside the id svc-0-errors)', async () => {
    expect(await proofsOf({ 'svc-0': service('svc-0', { labels: '{ tier: "0" }' }), 'svc-4': service('svc-4', { labels: '{ tier: "1" }' }) })).toEqual({
      'svc-4-errors': 'svc-0-errors',
    });
  });

  it('renames own values by position only: a label value "1" never stands for the 1 inside a number', async () => {
    const { model } = await checkProject(project({ a: service('a', { labels: '{ tier: "1" }' }), b: service('b', { labels: '{ tier: "2" }' }) }));
    const [a, b] = model.slos;
    const shape = (s: typeof a) => ruleGroupShape(generateSloRuleGroup(s!), sloOwnNames(s!), s!.alertName);
    expect(shape(a)).toBe(shape(b));
    expect(shape(a)).toContain('14.4');
    // The same group with one number changed no longer has the shape.
    const group = generateSloRuleGroup(a!);
    const edited = { ...group, rules: group.rules.map((r) => ('alert' in r ? { ...r, expr: r.expr.replace('14.4', '14.5') } : r)) };
    expect(ruleGroupShape(edited, sloOwnNames(a!), a!.alertName)).not.toBe(shape(a));
  });

  it('passes every check on a fresh render where one SLO relies on another SLO of its shape', async () => {
    const results = await renderEditCheck({ a: service('a'), b: service('b') }, () => {});
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['rule shapes (1 SLO(s) rely on the full proof of another SLO of the same shape)', 'passed'],
      ['promtool check rules (2 file(s))', 'passed'],
      ['promtool test rules (2 file(s))', 'passed'],
    ]);
  }, 120_000);

  it('catches a hand-edited threshold in the rule file of an SLO that relies on a shared proof', async () => {
    // A page threshold of 0.4x (both windows) fires on healthy traffic at half the budget rate: both the shape
    // check and the SLO's own short promtool scenario see it.
    const results = await renderEditCheck({ a: service('a'), b: service('b') }, (out) =>
      editFile(path.join(out, 'prometheus/rules/b.slo.rules.yaml'), /> 14\.4\b/g, '> 0.4'),
    );
    const byCheck = Object.fromEntries(results.map((r) => [r.check.replace(/ \(.*/, ''), r]));
    expect(byCheck['rule shapes']!.status).toBe('failed');
    expect(byCheck['rule shapes']!.output).toMatch(/b-errors: its rule group no longer has the shape of a-errors's.*rule \d+ \(ErrorBudgetBurn\) differs/);
    expect(byCheck['promtool test rules']!.status).toBe('failed');
    expect(byCheck['promtool test rules']!.output).toMatch(/FAILED:[\s\S]*alertname="ErrorBudgetBurn".*slo="b-errors"/);
  }, 120_000);

  it('catches an edit that only the shape check can see (a threshold raised from 14.4 to 14.5)', async () => {
    const results = await renderEditCheck({ a: service('a'), b: service('b') }, (out) =>
      editFile(path.join(out, 'prometheus/rules/b.slo.rules.yaml'), /> 14\.4\b/g, '> 14.5'),
    );
    expect(results.find((r) => r.check.startsWith('rule shapes'))!.status).toBe('failed');
  }, 120_000);

  it('catches a broken rule of the SLO that carries the full proof with its full scenarios', async () => {
    const results = await renderEditCheck({ a: service('a'), b: service('b') }, (out) =>
      editFile(path.join(out, 'prometheus/rules/a.slo.rules.yaml'), /> 14\.4\b/g, '> 0.4'),
    );
    const tests = results.find((r) => r.check.startsWith('promtool test rules'))!;
    expect(tests.status).toBe('failed');
    expect(tests.output).toMatch(/FAILED:[\s\S]*alertname="ErrorBudgetBurn".*slo="a-errors"/);
  }, 120_000);
});

describe('split promtool tests', () => {
  const groups = [
    {
      name: 'g-a',
      rules: [
        { record: 'slo:x:rate5m', expr: 'sum(rate(a_total[5m]))', labels: { slo: 'a' } },
        { alert: 'Burn', expr: 'slo:x:rate5m{slo="a"} > 1' },
      ],
    },
    {
      name: 'g-b',
      rules: [
        { record: 'slo:x:rate5m', expr: 'sum(rate(b_total[5m]))', labels: { slo: 'b' } },
        { alert: 'Burn', expr: 'slo:x:rate5m{slo="b"} > 1' },
      ],
    },
    { name: 'g-const', rules: [{ record: 'c', expr: 'vector(1)' }] },
    { name: 'g-reads-b', rules: [{ alert: 'Other', expr: 'slo:x:rate5m{slo="b"} > 2' }] },
  ];

  it('loads the groups reading the inputs, what reads their output, and constant groups; nothing else', () => {
    expect(groupsNeeded(groups, new Set(['a_total']))).toEqual([0, 2]);
    expect(groupsNeeded(groups, new Set(['b_total']))).toEqual([1, 2, 3]);
  });

  it('loads every group for a selector without a metric name, which may read any series', () => {
    const any = { name: 'g-any', rules: [{ alert: 'Other', expr: '{job="x"} > 2' }] };
    expect(groupsNeeded([...groups, any], new Set(['a_total']))).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps, within the groups, only the rules the asserted alerts and expressions read, transitively and by label', () => {
    const g = [
      {
        name: 'g',
        interval: '1m',
        rules: [
          { record: 'slo:x:rate5m', expr: 'sum(rate(a_total[5m]))', labels: { slo: 'a' } },
          { record: 'slo:x:rate5m', expr: 'sum(rate(b_total[5m]))', labels: { slo: 'b' } },
          { record: 'slo:y:rate5m', expr: 'slo:x:rate5m{slo="a"} * 2', labels: { slo: 'a' } },
          { record: 'slo:z:rate30d', expr: 'slo:x:rate5m{slo="a"} offset 5m', labels: { slo: 'a' } },
          { alert: 'Broken', expr: 'slo:y:rate5m{slo="a"} > 1', for: '10m' },
          { alert: 'Burn', expr: 'slo:z:rate30d{slo="a"} > 1' },
        ],
      },
      { name: 'h', rules: [{ record: 'unrelated', expr: 'vector(1)' }] },
    ];
    const names = (out: ReturnType<typeof rulesNeeded>) => out?.map((x) => [x.name, x.rules.map((r) => r.record ?? r.alert)]);
    // Broken reads y, which reads the slo="a" x: not b's x, not z, not Burn, not group h (which keeps no rule and goes).
    expect(names(rulesNeeded(g, new Set(['Broken']), []))).toEqual([['g', ['slo:x:rate5m', 'slo:y:rate5m', 'Broken']]]);
    expect(rulesNeeded(g, new Set(['Broken']), [])![0]).toMatchObject({ interval: '1m' });
    // An asserted expression adds what it reads; an alert asserted absent keeps its rule (or the check would pass vacuously).
    expect(names(rulesNeeded(g, new Set(['Broken']), ['slo:z:rate30d{slo="a"}']))).toEqual([
      ['g', ['slo:x:rate5m', 'slo:y:rate5m', 'slo:z:rate30d', 'Broken']],
    ]);
    expect(names(rulesNeeded(g, new Set(['Burn']), []))).toEqual([['g', ['slo:x:rate5m', 'slo:z:rate30d', 'Burn']]]);
    // Cannot be told: a selector without a metric name, or ALERTS (any alerting rule writes it).
    expect(rulesNeeded(g, new Set(), ['{slo="a"}'])).toBeUndefined();
    expect(rulesNeeded(g, new Set(), ['ALERTS{alertname="Burn"}'])).toBeUndefined();
    const templated = [
      { name: 't', rules: [...g[0]!.rules, { alert: 'Q', expr: 'vector(1)', annotations: { summary: '{{ query "slo:z:rate30d" | first | value }}' } }] },
    ];
    expect(rulesNeeded(templated, new Set(['Q']), [])).toBeUndefined();
  });

  it('fails the run when a group left out of the split tests would fire with no inputs (the empty-world test)', async () => {
    const results = await renderEditCheck({ a: service('a') }, (out) => {
      const file = path.join(out, 'prometheus/rules/a.slo.rules.yaml');
      fs.appendFileSync(file, '- name: hand-added\n  rules:\n  - alert: ErrorBudgetBurn\n    expr: absent(nobody_exports_this)\n');
    });
    const tests = results.find((r) => r.check.startsWith('promtool test rules'))!;
    expect(tests.status).toBe('failed');
    expect(tests.output).toContain('with no input series, no group of a.slo.rules.yaml raises ErrorBudgetBurn');
  }, 120_000);
});
