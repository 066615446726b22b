import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { IMPORTERS } from '../../src/import/registry.js';
import { summarizeImport } from '../../src/import/summary.js';

const fixtures = path.resolve(import.meta.dirname, 'fixtures');

async function importFile(kind: string, ...files: string[]) {
  const importer = await IMPORTERS[kind]!();
  return importer.importFiles(files.map((f) => ({ file: f, text: fs.readFileSync(path.join(fixtures, f), 'utf8') })));
}

/** Every error of the run as `file:line:col: error CODE` (the message is checked where it matters). */
async function errorsOf(kind: string, ...files: string[]): Promise<string[]> {
  const run = await importFile(kind, ...files);
  return [...run.diagnostics, ...run.objects.flatMap((o) => o.diagnostics)]
    .filter((d) => d.severity === 'error')
    .map((d) => formatDiagnostic(d).split(':').slice(0, 4).join(':'));
}

describe('import diagnostics point at the source file line and column', () => {
  it.each([
    ['sloth', 'bad/sloth-sli-plugin.bad.yaml', ['bad/sloth-sli-plugin.bad.yaml:8:13: error IMP012']],
    ['sloth', 'bad/sloth-objective-100.bad.yaml', ['bad/sloth-objective-100.bad.yaml:5:16: error IMP006']],
    [
      'sloth',
      'bad/sloth-misspelled-key.bad.yaml',
      ['bad/sloth-misspelled-key.bad.yaml:6:5: error IMP003', 'bad/sloth-misspelled-key.bad.yaml:9:22: error IMP007'],
    ],
    ['pyrra', 'pyrra/pyrra-connect-latency.yaml', ['pyrra/pyrra-connect-latency.yaml:14:5: error IMP013']],
    ['pyrra', 'pyrra/pyrra-connect-errors.yaml', ['pyrra/pyrra-connect-errors.yaml:20:11: error IMP032']],
    ['pyrra', 'bad/pyrra-rate-metric.bad.yaml', ['bad/pyrra-rate-metric.bad.yaml:12:17: error IMP009']],
    ['openslo', 'bad/not-openslo.bad.yaml', ['bad/not-openslo.bad.yaml:1:13: error IMP002']],
    [
      'openslo',
      'authored/openslo-v1-unsupported.yaml',
      // Without the SLI file every indicatorRef is unresolved (IMP011), and each SLO's own problem is reported too.
      [
        'authored/openslo-v1-unsupported.yaml:7:17: error IMP011',
        'authored/openslo-v1-unsupported.yaml:26:9: error IMP015',
        'authored/openslo-v1-unsupported.yaml:21:17: error IMP011',
        'authored/openslo-v1-unsupported.yaml:42:20: error IMP016',
        'authored/openslo-v1-unsupported.yaml:38:17: error IMP011',
      ],
    ],
  ])('%s %s', async (kind, file, expected) => {
    expect(await errorsOf(kind, file)).toEqual(expected);
  });

  it("names a referenced SLI's data source kind at the SLI's own position (Datadog in OpenSLO's SDK example)", async () => {
    const run = await importFile('openslo', 'authored/openslo-v1-unsupported.yaml', 'openslo/go-sdk-v1-slis.yaml');
    const d = run.objects.flatMap((o) => o.diagnostics).filter((x) => x.code === 'IMP014');
    expect(d.map(formatDiagnostic)).toEqual([
      'openslo/go-sdk-v1-slis.yaml:19:17: error IMP014: spec.ratioMetric.good.metricSource.type: openslo/v1 SLO search-availability: data source type "Datadog" is not supported: vigil reads Prometheus queries only',
      'openslo/go-sdk-v1-slis.yaml:25:17: error IMP014: spec.ratioMetric.total.metricSource.type: openslo/v1 SLO search-availability: data source type "Datadog" is not supported: vigil reads Prometheus queries only',
    ]);
  });

  it('reports an AlertPolicy burn-rate condition vigil cannot express (IMP042) and maps one it can to the page severity', async () => {
    const run = await importFile('openslo', 'authored/openslo-v1-checkout.yaml', 'openslo/go-sdk-v1-alert_policies.yaml');
    const availability = run.objects.find((o) => o.object.endsWith('checkout-availability'))!;
    expect(availability.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['66:7 IMP043', '66:7 IMP042']);
    expect(availability.diagnostics[1]!.message).toContain('condition burnrate gt 2 over 1h cannot be expressed');
    expect(run.outputs.find((o) => o.path === 'checkout.yaml')!.content).toContain('page:\n        severity: page');
  });

  it('imports the Sloth CRD form (camelCase keys, pageAlert.disable) with a non-selector query as a raw indicator', async () => {
    const run = await importFile('sloth', 'bad/sloth-crd.yaml');
    expect(summarizeImport(run).imported.map((o) => o.produced)).toEqual([['home-wifi-good-wifi-client-satisfaction']]);
    const text = run.outputs[0]!.content;
    expect(text).toContain('page: false');
    expect(text).toContain('severity: slack');
    expect(text).toContain(
      'errorRatio: (sum_over_time((max(unifipoller_client_satisfaction_ratio{job="unifipoller"}) < 0.75)[{{window}}:])) / (count_over_time(',
    );
  });
});

describe('unreadable input', () => {
  it('reports YAML syntax errors and alias bombs as IMP001 at their position, never a stack trace', async () => {
    const importer = await IMPORTERS.sloth!();
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n`;
    const run = importer.importFiles([
      { file: 'broken.yml', text: 'version: "prometheus/v1"\nservice: [unclosed\n' },
      { file: 'bomb.yml', text: bomb },
    ]);
    expect(run.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual(['broken.yml:3:1 IMP001', 'bomb.yml:1:1 IMP001']);
    expect(run.outputs).toEqual([]);
  });
});
