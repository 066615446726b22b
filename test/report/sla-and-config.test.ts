import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Diagnostics, formatDiagnostic } from '../../src/diagnostics.js';
import { opensloImporter } from '../../src/import/openslo/import-openslo.js';
import { loadConfig } from '../../src/load/load-config.js';
import { sloModelsFromSource } from '../../src/load/load-slos.js';
import { parseYamlSource } from '../../src/load/yaml-source.js';

function sloDiagnostics(sla: string): { lines: string[]; sla: unknown } {
  const diags = new Diagnostics();
  const text = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
slos:
  - name: availability
    objective: 99.9
    sla: ${sla}
    indicator:
      boolGauge: up{job="api"}
`;
  const loaded = sloModelsFromSource(parseYamlSource('slos/api.yaml', text, diags)!, diags);
  return { lines: diags.sorted().map(formatDiagnostic), sla: loaded?.models[0]?.sla };
}

describe('an SLO sla: line', () => {
  it('defaults its promised percentage to the objective', () => {
    expect(sloDiagnostics('{ text: "99.9% availability" }')).toEqual({ lines: [], sla: { text: '99.9% availability', objectivePercent: 99.9 } });
  });

  it('may promise less than the objective', () => {
    expect(sloDiagnostics('{ text: "99.5% uptime", objective: 99.5 }').sla).toEqual({ text: '99.5% uptime', objectivePercent: 99.5 });
  });

  it('is an error at its position when the promise is 100 % or the text is missing', () => {
    const over = sloDiagnostics('{ text: "always", objective: 100 }').lines;
    expect(over).toEqual(['slos/api.yaml:7:39: error SLO006: slos[0].sla.objective: must be < 100']);
    const missing = sloDiagnostics('{ objective: 99 }').lines;
    expect(missing).toEqual(['slos/api.yaml:7:5: error SLO004: slos[0].sla: missing required key "text"\n  hint: add text: to this mapping']);
  });
});

describe('prometheus.url in vigil.config.yaml', () => {
  function load(body: string) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cfg-'));
    fs.writeFileSync(path.join(root, 'vigil.config.yaml'), `apiVersion: vigil/v1\nkind: VigilConfig\n${body}`);
    const diags = new Diagnostics();
    return loadConfig(root, diags).then((config) => {
      fs.rmSync(root, { recursive: true, force: true });
      return { url: config.prometheusUrl, lines: diags.sorted().map(formatDiagnostic) };
    });
  }

  it('is read without its trailing slash', async () => {
    expect(await load('prometheus:\n  url: http://prometheus.monitoring:9090/\n')).toEqual({ url: 'http://prometheus.monitoring:9090', lines: [] });
  });

  it('must be an http(s) URL', async () => {
    const r = await load('prometheus:\n  url: prometheus:9090\n');
    expect(r.lines).toEqual([expect.stringMatching(/^vigil\.config\.yaml:4:8: error CFG006: prometheus\.url: "prometheus:9090" does not match/) as string]);
  });
});

describe('the SLA line through OpenSLO', () => {
  const doc = (sla: string) => `apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
  annotations:
    vigil.dev/sla: '${sla}'
spec:
  service: api
  indicator:
    metadata: { name: api-availability }
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total{code=~"5.."}' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total' } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ targetPercent: 99.9 }]
`;

  it('comes back from the vigil.dev/sla annotation vigil export writes', () => {
    const run = opensloImporter.importFiles([{ file: 'slo.yaml', text: doc('{"text": "99.9% availability", "objective": 99.5}') }]);
    expect(run.objects.flatMap((o) => o.diagnostics)).toEqual([]);
    expect(run.outputs[0]!.content).toContain('sla:');
    expect(run.outputs[0]!.content).toMatch(/text: 99\.9% availability\n\s+objective: 99\.5/);
  });

  it('is an IMP005 error at the annotation when it is not such an object', () => {
    const run = opensloImporter.importFiles([{ file: 'slo.yaml', text: doc('{"text": 3}') }]);
    expect(run.objects.flatMap((o) => o.diagnostics).map(formatDiagnostic)).toEqual([
      'slo.yaml:6:20: error IMP005: metadata.annotations.vigil.dev/sla: openslo/v1 SLO api-availability: annotation vigil.dev/sla must be a JSON object like {"text": "99.9% availability", "objective": 99.9}',
    ]);
  });
});
