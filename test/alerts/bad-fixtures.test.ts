import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, tempProject, vigil } from './helpers.js';

/**
 * Every bad fixture is named after its defect. It is dropped into a project next to a valid pack
 * and routing policy (a routing fixture replaces alerts/routing.yaml); render must report the
 * defect at its exact position, exit 1 and write nothing.
 */
const cases: { fixture: string; file?: string; code: string; line: number; column: number; message: RegExp }[] = [
  { fixture: 'broken-expr', code: 'ALR020', line: 10, column: 46, message: /PromQL: unexpected end of expression/ },
  { fixture: 'broken-logql', code: 'ALR021', line: 11, column: 48, message: /LogQL: unexpected end of expression/ },
  { fixture: 'unknown-param', code: 'ALR010', line: 10, column: 20, message: /unknown parameter \$\{treshold\}/ },
  { fixture: 'override-undeclared-param', code: 'ALR011', line: 6, column: 5, message: /"tresholdd" is not declared by pack "base"/ },
  { fixture: 'page-without-runbook', code: 'ALR030', line: 9, column: 16, message: /pages \(severity critical\) but has no runbook_url/ },
  { fixture: 'missing-quiet-test', code: 'ALR040', line: 15, column: 9, message: /missing: a quiet case/ },
  { fixture: 'hex-test-values', code: 'ALR044', line: 17, column: 43, message: /got the number 16/ },
  { fixture: 'unknown-metric', code: 'ALR060', line: 10, column: 15, message: /metric gpu_temprature_celsius is produced by nothing/ },
  { fixture: 'undefined-template-variable', code: 'ALR050', line: 13, column: 29, message: /\$lables is not defined/ },
  { fixture: 'unknown-key', code: 'ALR003', line: 13, column: 9, message: /unknown key "sumary"/ },
  { fixture: 'duplicate-alert', code: 'ALR070', line: 9, column: 16, message: /TargetDown with identical labels is also defined at alerts\/base.yaml:8:16/ },
  { fixture: 'duplicate-group-name', code: 'ALR071', line: 9, column: 16, message: /rule group "base" is also declared in pack base/ },
  { fixture: 'rollback-target-without-action', code: 'POL101', line: 5, column: 12, message: /target doc-api has no action/ },
  { fixture: 'alert-for-unknown-team', code: 'RTE020', line: 9, column: 16, message: /team="data-science", which alerts\/routing.yaml does not declare/ },
  { fixture: 'severity-without-route', code: 'RTE022', line: 9, column: 16, message: /severity info, but team infra has no route for info/ },
  { fixture: 'unknown-receiver', file: 'alerts/routing.yaml', code: 'RTE010', line: 12, column: 16, message: /unknown receiver "pagerr"/ },
  {
    fixture: 'route-to-missing-team',
    file: 'alerts/routing.yaml',
    code: 'RTE011',
    line: 14,
    column: 11,
    message: /route to team "gpu-infra", which is not declared/,
  },
  { fixture: 'inline-secret', file: 'alerts/routing.yaml', code: 'RTE030', line: 8, column: 18, message: /inline secret routing_key/ },
  {
    fixture: 'secret-in-webhook-url',
    file: 'alerts/routing.yaml',
    code: 'RTE031',
    line: 9,
    column: 61,
    message: /secret in a webhook URL: the query parameter "token" would be written into alertmanager.yml/,
  },
  { fixture: 'bad-matcher', file: 'alerts/routing.yaml', code: 'RTE007', line: 14, column: 14, message: /is not a matcher/ },
  {
    fixture: 'placement-for-unknown-team',
    file: 'alerts/routing.yaml',
    code: 'RPL001',
    line: 20,
    column: 5,
    message: /rulePlacement for team "data-science", which is not declared under teams:/,
  },
  {
    fixture: 'placement-for-unknown-rule-file',
    file: 'alerts/routing.yaml',
    code: 'RPL002',
    line: 18,
    column: 5,
    message: /rule file "base.alert.rules", which nothing generates/,
  },
  { fixture: 'placement-bad-namespace', file: 'alerts/routing.yaml', code: 'RTE006', line: 18, column: 25, message: /"Infra_Team" does not match/ },
];

describe('bad alert and routing fixtures', () => {
  it('covers every *.bad.yaml fixture in the folder', () => {
    const onDisk = fs
      .readdirSync(FIXTURES)
      .filter((n) => n.endsWith('.bad.yaml'))
      .map((n) => n.replace('.bad.yaml', ''))
      .sort();
    expect(onDisk).toEqual(cases.map((c) => c.fixture).sort());
  });

  for (const c of cases) {
    it(`${c.fixture}: render reports ${c.code} at ${c.line}:${c.column}, exits 1 and writes nothing`, async () => {
      const text = fs.readFileSync(path.join(FIXTURES, `${c.fixture}.bad.yaml`), 'utf8');
      const file = c.file ?? `alerts/${c.fixture}.yaml`;
      const root = tempProject({ [file]: text });
      const out = path.join(root, 'build');
      const r = await vigil(['render', '--root', root, '--out', out, '--format', 'json']);
      expect(r.code).toBe(1);
      expect(fs.existsSync(out)).toBe(false);
      const diags = (
        JSON.parse(r.stdout) as { diagnostics: { severity: string; code: string; file: string; line: number; column: number; message: string }[] }
      ).diagnostics.filter((d) => d.severity === 'error');
      expect(diags).toHaveLength(1);
      expect(diags[0]).toMatchObject({ code: c.code, file, line: c.line, column: c.column });
      expect(diags[0]!.message).toMatch(c.message);
    });
  }

  it('the base project the fixtures are dropped into is itself valid', async () => {
    const root = tempProject();
    const r = await vigil(['check', '--root', root]);
    expect(r.stderr).toContain('0 error(s)');
    expect(r.code).toBe(0);
  });
});
