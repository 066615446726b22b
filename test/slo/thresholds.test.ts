import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../src/diagnostics.js';
import { sloModelsFromSource } from '../../src/load/load-slos.js';
import { parseYamlSource } from '../../src/load/yaml-source.js';

/** The latency indicator of a one-SLO file with this histogram and threshold (as written in YAML). */
function latency(histogram: string, threshold: string): { threshold?: number; le?: readonly string[]; codes: string[] } {
  const diags = new Diagnostics();
  const text = `apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: api\nslos:\n  - name: latency\n    objective: 95\n    indicator:\n      latency:\n        histogram: ${histogram}\n        threshold: ${threshold}\n`;
  const loaded = sloModelsFromSource(parseYamlSource('slos/api.yaml', text, diags)!, diags);
  const ind = loaded?.models[0]?.indicator;
  return ind?.kind === 'latency'
    ? { threshold: ind.threshold, le: ind.leValues, codes: diags.items.map((d) => d.code) }
    : { codes: diags.items.map((d) => d.code) };
}

describe('latency thresholds', () => {
  it('read every spelling people write as the same bucket bound, in the histogram unit', () => {
    for (const t of ['0.5s', '500ms', '0.5', "'0.5'"]) expect(latency('http_request_duration_seconds', t), t).toMatchObject({ threshold: 0.5, codes: [] });
    for (const t of ['1.5s', '1500ms', '1.5']) expect(latency('http_request_duration_seconds', t), t).toMatchObject({ threshold: 1.5, codes: [] });
    expect(latency('http_request_duration_seconds', '1m30s')).toMatchObject({ threshold: 90, codes: [] });
    // A milliseconds histogram: durations convert, plain numbers are already milliseconds.
    for (const t of ['0.25s', '250ms', '250']) expect(latency('rpc_latency_milliseconds', t), t).toMatchObject({ threshold: 250, codes: [] });
    expect(latency('http_request_duration_seconds', '0.5s').le).toEqual(['0.5']);
  });

  it('refuse absurd values: zero, and above an hour (a unit mistake)', () => {
    for (const t of ['0s', '0', '2h', '3601', '5000']) expect(latency('http_request_duration_seconds', t).codes, t).toEqual(['SLO013']);
    expect(latency('rpc_latency_milliseconds', '3600001').codes).toEqual(['SLO013']);
    expect(latency('rpc_latency_milliseconds', '3600000').codes).toEqual([]);
  });
});
