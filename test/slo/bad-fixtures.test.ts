import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../src/diagnostics.js';
import { readYamlFile } from '../../src/load/read-yaml.js';
import { sloModelsFromSource } from '../../src/load/load-slos.js';

const dir = path.join(import.meta.dirname, 'fixtures');

/** Each bad fixture, named after its defect, and the first error it must produce. */
const cases: Record<string, { code: string; line: number; column: number; message?: RegExp }> = {
  'api-version-missing': { code: 'SLO001', line: 1, column: 1, message: /missing/ },
  'api-version-unknown': { code: 'SLO001', line: 1, column: 13, message: /vigil\/v1; got "vigil\/v2"/ },
  'kind-wrong': { code: 'SLO002', line: 2, column: 7 },
  'yaml-syntax-error': { code: 'YAML001', line: 7, column: 1 },
  'duplicate-key': { code: 'YAML002', line: 4, column: 1 },
  'unknown-top-level-key': { code: 'SLO003', line: 4, column: 1, message: /unknown key "perod"/ },
  'unknown-slo-key': { code: 'SLO003', line: 6, column: 5, message: /unknown key "objectiv"/ },
  'missing-objective': { code: 'SLO004', line: 5, column: 5, message: /"objective"/ },
  'objective-over-100': { code: 'SLO007', line: 6, column: 16, message: /got 100.5/ },
  'objective-zero': { code: 'SLO007', line: 6, column: 16 },
  'objective-not-a-number': { code: 'SLO005', line: 6, column: 16, message: /must be a number/ },
  'service-name-uppercase': { code: 'SLO006', line: 3, column: 10 },
  'period-too-long': { code: 'SLO008', line: 4, column: 9, message: /between 1d and 90d/ },
  'period-not-a-duration': { code: 'SLO006', line: 4, column: 9 },
  'indicator-empty': { code: 'SLO009', line: 7, column: 16 },
  'indicator-two-kinds': { code: 'SLO009', line: 9, column: 7, message: /boolGauge and raw/ },
  'ratio-errors-and-good': { code: 'SLO010', line: 10, column: 9 },
  'ratio-missing-total': { code: 'SLO004', line: 8, column: 7, message: /"total"/ },
  'selector-syntax-error': { code: 'SLO011', line: 9, column: 50 },
  'selector-is-an-expression': { code: 'SLO012', line: 10, column: 16 },
  'selector-bad-regex': { code: 'SLO011', line: 9, column: 17, message: /invalid regular expression/ },
  'errors-same-as-total': { code: 'SLO023', line: 9, column: 17 },
  'latency-threshold-not-duration': { code: 'SLO006', line: 10, column: 20 },
  'latency-threshold-beyond-an-hour': { code: 'SLO013', line: 10, column: 20 },
  'latency-histogram-with-le': { code: 'SLO027', line: 9, column: 20 },
  'raw-without-window': { code: 'SLO014', line: 9, column: 21 },
  'raw-syntax-error': { code: 'SLO015', line: 9, column: 55 },
  'block-scalar-selector-error': { code: 'SLO015', line: 11, column: 45 },
  'group-by-reserved-label': { code: 'SLO016', line: 7, column: 22, message: /"slo"/ },
  'group-by-duplicate': { code: 'SLO006', line: 7, column: 14, message: /unique/ },
  'group-by-file-label': { code: 'SLO016', line: 8, column: 15 },
  'label-reserved': { code: 'SLO017', line: 6, column: 3, message: /"severity"/ },
  'label-name-invalid': { code: 'SLO017', line: 5, column: 3 },
  'duplicate-slo-name': { code: 'SLO018', line: 8, column: 11, message: /line 5/ },
  'empty-slos': { code: 'SLO006', line: 4, column: 7 },
  'alerting-unknown-key': { code: 'SLO003', line: 9, column: 35, message: /unknown key "repeat"/ },
  'alerting-runbook-not-url': { code: 'SLO006', line: 9, column: 16 },
  'alert-name-invalid': { code: 'SLO006', line: 5, column: 9 },
  'document-not-a-mapping': { code: 'SLO005', line: 1, column: 1 },
  'evaluation-interval-not-dividing-base-window': { code: 'SLO030', line: 4, column: 21, message: /2m does not divide the 5m base window of period 30d/ },
};

async function errorsOf(file: string) {
  const diags = new Diagnostics();
  const source = await readYamlFile(dir, path.join(dir, file), diags);
  const result = source ? sloModelsFromSource(source, diags) : undefined;
  return { errors: diags.sorted().filter((d) => d.severity === 'error'), result };
}

describe('bad SLO specs', () => {
  it('has a table entry for every fixture and a fixture for every entry', () => {
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.bad.yaml'))
      .map((f) => f.replace(/\.bad\.yaml$/, ''))
      .sort();
    expect(files).toEqual(Object.keys(cases).sort());
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  for (const [name, want] of Object.entries(cases)) {
    it(`${name} is reported as ${want.code} at ${want.line}:${want.column} and yields no model`, async () => {
      const { errors, result } = await errorsOf(`${name}.bad.yaml`);
      expect(result).toBeUndefined();
      expect(errors.length).toBeGreaterThan(0);
      const first = errors[0]!;
      expect({ code: first.code, line: first.line, column: first.column }).toEqual({ code: want.code, line: want.line, column: want.column });
      expect(first.file).toBe(`${name}.bad.yaml`);
      if (want.message) expect(first.message).toMatch(want.message);
      for (const e of errors) expect(e.hint ?? e.message).not.toHaveLength(0);
    });
  }

  it('collects every error of a file instead of stopping at the first', async () => {
    const diags = new Diagnostics();
    const { parseYamlSource } = await import('../../src/load/yaml-source.js');
    const text = [
      'apiVersion: vigil/v1',
      'kind: ServiceLevelObjectives',
      'service: api',
      'slos:',
      '  - name: a',
      '    objective: 120',
      '    indicator: { boolGauge: "up{" }',
      '  - name: B',
      '    objective: 99',
      '    indicator: { boolGauge: up }',
      '',
    ].join('\n');
    const source = parseYamlSource('slos/api.yaml', text, diags)!;
    sloModelsFromSource(source, diags);
    expect(diags.sorted().map((e) => `${e.code}@${e.line}:${e.column}`)).toEqual(['SLO007@6:16', 'SLO011@7:33', 'SLO006@8:11']);
  });
});
