import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { Diagnostics } from '../../src/diagnostics.js';
import { routingModelFromSource } from '../../src/routing/load-routing.js';
import { checkPlacement } from '../../src/validate/rule-placement.js';
import type { RuleGroup } from '../../src/model/rule-group.js';
import { parseYamlSource } from '../../src/load/yaml-source.js';
import { REPO, tempProject, vigil } from './helpers.js';

type Groups = { name: string }[];
let out: string;

beforeAll(async () => {
  out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-crd-')), 'b');
  const r = await vigil(['render', '--root', REPO, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
});

describe('PrometheusRule objects', () => {
  it("exist for every Prometheus rule file (SLO and alert packs), hold exactly the same groups and sit in their team's namespace", () => {
    const ruleFiles = fs.readdirSync(path.join(out, 'prometheus/rules')).sort();
    expect(fs.readdirSync(path.join(out, 'kubernetes/prometheus-rules')).sort()).toEqual(ruleFiles);
    const namespaces: Record<string, string> = {};
    for (const f of ruleFiles) {
      const crd = parse(fs.readFileSync(path.join(out, 'kubernetes/prometheus-rules', f), 'utf8')) as {
        apiVersion: string;
        kind: string;
        metadata: { name: string; namespace: string };
        spec: { groups: unknown };
      };
      const rules = parse(fs.readFileSync(path.join(out, 'prometheus/rules', f), 'utf8')) as { groups: unknown };
      expect(crd.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(crd.kind).toBe('PrometheusRule');
      expect(crd.metadata.name).toMatch(/^vigil-[a-z0-9-]{1,57}$/);
      expect(crd.spec.groups, f).toEqual(rules.groups);
      namespaces[f] = crd.metadata.namespace;
    }
    // alerts/routing.yaml rulePlacement: ml-platform and llm-serving have their own namespaces, platform-infra the default.
    expect(namespaces).toEqual({
      'document-processing.slo.rules.yaml': 'ml-platform',
      'gpu-inference.slo.rules.yaml': 'ml-platform',
      'model-serving.alerts.rules.yaml': 'ml-platform',
      'llm-gateway.slo.rules.yaml': 'llm-serving',
      'gpu-nodes.slo.rules.yaml': 'monitoring',
      'gpu.alerts.rules.yaml': 'monitoring',
      'hosts.alerts.rules.yaml': 'monitoring',
      'monitoring.alerts.rules.yaml': 'monitoring',
    });
  });
});

describe('Mimir/Cortex ruler layout', () => {
  const mimirFiles = () =>
    fs
      .readdirSync(path.join(out, 'mimir/rules'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .sort();

  it('writes one rule file per tenant and namespace holding every group of the files placed there, each group once', () => {
    expect(mimirFiles()).toEqual(['ml/llm-serving.yaml', 'ml/ml-platform.yaml', 'platform/monitoring.yaml']);
    const groupsOf = (file: string) => (parse(fs.readFileSync(file, 'utf8')) as { groups: Groups }).groups;
    const expected = (names: string[]) => names.flatMap((n) => groupsOf(path.join(out, 'prometheus/rules', `${n}.yaml`)));
    expect(groupsOf(path.join(out, 'mimir/rules/ml/ml-platform.yaml'))).toEqual(
      expected(['document-processing.slo.rules', 'gpu-inference.slo.rules', 'model-serving.alerts.rules']),
    );
    expect(groupsOf(path.join(out, 'mimir/rules/ml/llm-serving.yaml'))).toEqual(expected(['llm-gateway.slo.rules']));
    expect(groupsOf(path.join(out, 'mimir/rules/platform/monitoring.yaml'))).toEqual(
      expected(['gpu-nodes.slo.rules', 'gpu.alerts.rules', 'hosts.alerts.rules', 'monitoring.alerts.rules']),
    );
  });

  it('writes files the real promtool check rules accepts (groups, expressions, unique group names per namespace)', () => {
    for (const f of mimirFiles()) {
      const r = spawnSync('promtool', ['check', 'rules', path.join(out, 'mimir/rules', f)], { encoding: 'utf8' });
      expect(r.status, `${f}\n${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
    }
  });

  it('is opt-in: without rulePlacement every PrometheusRule goes to monitoring and no Mimir tree is written', async () => {
    const root = tempProject();
    const r = await vigil(['render', '--root', root, '--out', path.join(root, 'build')]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(root, 'build/mimir'))).toBe(false);
    const crd = parse(fs.readFileSync(path.join(root, 'build/kubernetes/prometheus-rules/base.alerts.rules.yaml'), 'utf8')) as {
      metadata: { namespace: string };
    };
    expect(crd.metadata.namespace).toBe('monitoring');
  });
});

describe('rule placement', () => {
  // A valid routing policy whose teams a and b sit on lines 2-3, so rulePlacement: is on line 4.
  const policy = (section: string) => {
    const text = `apiVersion: vigil/v1\nteams: { a: { critical: [r] }, b: { critical: [r] } }\nkind: AlertRouting\nrulePlacement:\n${section}defaultReceiver: r\nreceivers: { r: { webhook: { url: http://127.0.0.1:1/ } } }\nescalation: { critical: { repeat: 1h } }\n`;
    const diags = new Diagnostics();
    const model = routingModelFromSource(parseYamlSource('alerts/routing.yaml', text, diags)!, diags);
    expect(diags.errors).toEqual([]);
    return model!.rulePlacement!;
  };
  const placeRuleFiles = (placement: ReturnType<typeof policy>, files: Parameters<typeof checkPlacement>[2], diags: Diagnostics) => {
    const placed = checkPlacement(placement, ['a', 'b'], files, diags);
    return placed && { files: placed, mimir: true };
  };
  const rules = (name: string, teams: string[], groups = [name]) => ({
    name,
    specPath: `alerts/${name}.yaml`,
    groups: groups.map((g): RuleGroup => ({ name: g, rules: teams.map((t) => ({ alert: 'X', expr: 'up == 0', labels: { team: t } })) })),
  });

  it('places by file, else by the one team of the file, else by default; partial entries inherit the default', () => {
    const diags = new Diagnostics();
    const placed = placeRuleFiles(
      policy(
        '  default: { namespace: mon, tenant: t0 }\n  teams:\n    a: { namespace: ns-a }\n    b: { tenant: t-b }\n  files:\n    mixed: { namespace: shared }\n',
      ),
      [rules('only-a', ['a']), rules('only-b', ['b']), rules('mixed', ['a', 'b']), rules('none', []), rules('templated', ['{{ $labels.team }}'])],
      diags,
    );
    expect(diags.errors).toEqual([]);
    expect(placed!.mimir).toBe(true);
    expect(Object.fromEntries(placed!.files.map((f) => [f.name, f.placement]))).toEqual({
      'only-a': { namespace: 'ns-a', tenant: 't0' },
      'only-b': { namespace: 'mon', tenant: 't-b' },
      mixed: { namespace: 'shared', tenant: 't0' },
      none: { namespace: 'mon', tenant: 't0' },
      templated: { namespace: 'mon', tenant: 't0' },
    });
  });

  it('refuses a file whose teams are placed differently (RPL003) unless files: places it', () => {
    const diags = new Diagnostics();
    expect(placeRuleFiles(policy('  teams:\n    a: { namespace: ns-a }\n'), [rules('mixed', ['a', 'b'])], diags)).toBeUndefined();
    expect(diags.errors).toHaveLength(1);
    expect(diags.errors[0]).toMatchObject({ code: 'RPL003', file: 'alerts/routing.yaml', line: 4, column: 1 });
    expect(diags.errors[0]!.message).toMatch(
      /rule file mixed holds rules of teams a, b, which are placed differently \(anonymous\/ns-a, anonymous\/monitoring\)/,
    );
    // Teams placed alike are no conflict.
    const ok = new Diagnostics();
    expect(
      placeRuleFiles(policy('  teams:\n    a: { namespace: ns }\n    b: { namespace: ns }\n'), [rules('mixed', ['a', 'b'])], ok)!.files[0]!.placement,
    ).toEqual({ namespace: 'ns', tenant: 'anonymous' });
    expect(ok.errors).toEqual([]);
  });

  it('refuses two files that put the same group name into one Mimir namespace (RPL004)', () => {
    const diags = new Diagnostics();
    expect(placeRuleFiles(policy('  default: { namespace: mon }\n'), [rules('one', ['a'], ['g']), rules('two', ['b'], ['g'])], diags)).toBeUndefined();
    expect(diags.errors.map((d) => [d.code, d.message])).toEqual([
      ['RPL004', 'rule files one and two both put group g into Mimir namespace mon of tenant anonymous; group names must be unique there'],
    ]);
  });
});
