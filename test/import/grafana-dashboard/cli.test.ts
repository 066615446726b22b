import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { FakeGrafana } from '../../apply/fake-grafana.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const DCGM = path.join(FIXTURES, 'dcgm-exporter-dashboard.json');

async function vigil(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  // Through the real CLI, so `vigil import grafana-dashboard` is dispatched as a user types it.
  const code = await run(['import', 'grafana-dashboard', ...argv], {
    cwd,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
  });
  return { code, out, err };
}

describe('vigil import grafana-dashboard', () => {
  let dir: string;
  const grafana = new FakeGrafana();
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-import-dash-'));
    fs.writeFileSync(path.join(dir, 'token'), 'secret-token\n');
    await grafana.start();
    grafana.seed(JSON.parse(fs.readFileSync(DCGM, 'utf8')) as Record<string, unknown>);
  });
  afterAll(async () => {
    await grafana.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes dashboards/<file>.ts, formatted, and prints the summary; exit 0 when all was imported', async () => {
    const r = await vigil([DCGM], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const file = path.join(dir, 'dashboards', 'dcgm-exporter-dashboard.ts');
    expect(r.out).toMatch(/^vigil import grafana-dashboard: .*dcgm-exporter-dashboard\.json: wrote dashboards\/dcgm-exporter-dashboard\.ts\nimported: 12\n/);
    expect(r.out).toContain('needs attention: 11\n');
    expect(r.out).toContain('not importable: 0\n');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain("from 'vigil-monitoring/dashboards';");
    expect(await prettier.check(text, { singleQuote: true, printWidth: 160, filepath: file })).toBe(true);
  });

  it('refuses to overwrite a module (exit 1)', async () => {
    const r = await vigil([DCGM], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe('vigil import grafana-dashboard: dashboards/dcgm-exporter-dashboard.ts exists; move it away or pass another --out\n');
  });

  it('exits 1 and writes nothing when the dashboard is not importable; --format json lists the findings', async () => {
    const r = await vigil([path.join(FIXTURES, 'node-exporter-full.excerpt.json'), '--out', 'old', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { module: unknown; written: boolean; counts: Record<string, number>; findings: { status: string; path: string }[] };
    expect(report).toMatchObject({ module: null, written: false, counts: { imported: 0, 'needs-attention': 0, 'not-importable': 1 } });
    expect(report.findings[0]).toMatchObject({ status: 'not-importable', path: 'rows' });
    expect(fs.existsSync(path.join(dir, 'old'))).toBe(false);
  });

  it('points at the line and column of a JSON syntax error', async () => {
    fs.writeFileSync(path.join(dir, 'bad.json'), '{\n  "title": "x",\n  "panels": [,]\n}\n');
    const r = await vigil(['bad.json'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^bad\.json:3:14: error IMPD002: not valid JSON: unexpected ","\n/);
    expect(r.err).not.toContain('    at ');
  });

  it('fetches by uid from Grafana with --dry-run, writing nothing', async () => {
    const r = await vigil(['--grafana-url', grafana.url, '--uid', 'Oxed_c6Wz', '--token-file', 'token', '--dry-run', '--format', 'json'], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { source: string; module: string; written: boolean; moduleText: string };
    expect(report).toMatchObject({ source: `${grafana.url}/d/Oxed_c6Wz`, module: 'dashboards/nvidia-dcgm-exporter-dashboard.ts', written: false });
    expect(report.moduleText).toContain("title: 'NVIDIA DCGM Exporter Dashboard'");
    expect(fs.existsSync(path.join(dir, 'dashboards', 'nvidia-dcgm-exporter-dashboard.ts'))).toBe(false);
    expect(grafana.requests).toContain('GET /api/dashboards/uid/Oxed_c6Wz');
  });

  it('says when Grafana has no such uid, or rejects the token', async () => {
    const missing = await vigil(['--grafana-url', grafana.url, '--uid', 'nope', '--token-file', 'token'], dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`vigil import grafana-dashboard: Grafana at ${grafana.url} has no dashboard with uid "nope"\n`);
    fs.writeFileSync(path.join(dir, 'wrong'), 'wrong-token');
    const denied = await vigil(['--grafana-url', grafana.url, '--uid', 'Oxed_c6Wz', '--token-file', 'wrong'], dir);
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('Grafana rejected the token (401)');
  });

  it('takes a file or a uid, not both and not neither (exit 2)', async () => {
    expect((await vigil([], dir)).code).toBe(2);
    const both = await vigil([DCGM, '--grafana-url', grafana.url, '--uid', 'x'], dir);
    expect(both.code).toBe(2);
    expect(both.err).toContain('give either FILE.json or --grafana-url and --uid');
  });
});
