import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../src/diagnostics.js';
import { loadSlos } from '../../src/load/load-slos.js';

function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-slos-'));
  fs.mkdirSync(path.join(root, 'slos'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, 'slos', name), text);
  return root;
}

const spec = (service: string, name: string, extra = '') =>
  `apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: ${service}\n${extra}slos:\n  - name: ${name}\n    objective: 99.9\n    indicator:\n      ratio:\n        errors: http_requests_total{job="${service}", code=~"5.."}\n        total: http_requests_total{job="${service}"}\n`;

describe('loading slos/', () => {
  it('loads every file into models with ids, windows and labels', async () => {
    const diags = new Diagnostics();
    const slos = await loadSlos(project({ 'api.yaml': spec('api', 'availability', 'labels: { team: web }\n') }), diags);
    expect(diags.items).toEqual([]);
    expect(slos).toHaveLength(1);
    const s = slos[0]!;
    expect(s.id).toBe('api-availability');
    expect(s.objective).toBe(0.999);
    expect(s.errorBudget).toBe(0.001);
    expect(s.labels).toEqual({ team: 'web' });
    expect(s.windows.map((w) => `${w.tier}:${w.long}/${w.short}@${w.factor}`)).toEqual([
      'page:1h/5m@14.4',
      'page:6h/30m@6',
      'ticket:1d/2h@3',
      'ticket:3d/6h@1',
    ]);
    expect(s.source).toEqual({ file: 'slos/api.yaml', line: 6, column: 11 });
  });

  it('reports a duplicate service across files naming both places', async () => {
    const diags = new Diagnostics();
    await loadSlos(project({ 'api.yaml': spec('api', 'a'), 'z-api.yaml': spec('api', 'b') }), diags);
    const e = diags.errors.find((d) => d.code === 'SLO020');
    expect(e).toMatchObject({ file: 'slos/z-api.yaml', line: 3, column: 10 });
    expect(e!.message).toContain('slos/api.yaml:3:10');
  });

  it('reports a duplicate SLO id across files naming both places', async () => {
    // "web-api" + "x" and "web" + "api-x" both make the id web-api-x.
    const diags = new Diagnostics();
    await loadSlos(project({ 'web-api.yaml': spec('web-api', 'x'), 'web.yaml': spec('web', 'api-x') }), diags);
    const e = diags.errors.find((d) => d.code === 'SLO019');
    expect(e).toBeDefined();
    expect(e!.message).toMatch(/slos\/web(-api)?\.yaml:5:11/);
    expect(`${e!.file}:${e!.line}:${e!.column}`).toMatch(/slos\/web(-api)?\.yaml:5:11/);
    expect(e!.file).not.toBe(e!.message.match(/(slos\/[a-z-]+\.yaml)/)![1]);
  });

  it('collects errors from every file in one run', async () => {
    const diags = new Diagnostics();
    await loadSlos(project({ 'a.yaml': spec('a', 'x').replace('99.9', '101'), 'b.yaml': spec('b', 'y').replace('vigil/v1', 'vigil/v0') }), diags);
    expect(diags.errors.map((d) => `${d.file}:${d.code}`).sort()).toEqual(['slos/a.yaml:SLO007', 'slos/b.yaml:SLO001']);
  });

  it('warns and leaves out a window pair that could never fire', async () => {
    const diags = new Diagnostics();
    const slos = await loadSlos(project({ 'api.yaml': spec('api', 'low').replace('99.9', '90') }), diags);
    // 90%: budget 10%, the 1h/5m pair needs 144% errors and the 6h/30m pair 60%.
    expect(slos[0]!.windows.map((w) => w.long)).toEqual(['6h', '1d', '3d']);
    expect(slos[0]!.droppedWindows.map((w) => w.long)).toEqual(['1h']);
    expect(diags.warnings.map((w) => w.code)).toEqual(['SLO022']);
  });

  it('matches latency thresholds in every le spelling and in the histogram unit', async () => {
    const lat = (h: string, t: string) =>
      `apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: api\nslos:\n  - name: lat\n    objective: 95\n    indicator:\n      latency:\n        histogram: ${h}\n        threshold: ${t}\n`;
    const d1 = new Diagnostics();
    const [s1] = await loadSlos(project({ 'api.yaml': lat('http_request_duration_seconds{job="api"}', '2s') }), d1);
    expect(s1!.indicator).toMatchObject({ kind: 'latency', threshold: 2, leValues: ['2', '2.0'] });
    const d2 = new Diagnostics();
    const [s2] = await loadSlos(project({ 'api.yaml': lat('rpc_latency_milliseconds_bucket', '250ms') }), d2);
    expect(s2!.indicator).toMatchObject({ kind: 'latency', threshold: 250, histogram: { metric: 'rpc_latency_milliseconds' } });
  });
});
