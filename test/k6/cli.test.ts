import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

async function vigil(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { cwd: fixtures, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe('vigil k6 verify', () => {
  it('exits 0 on a passing run and finds the service from the summary’s own metrics', async () => {
    const r = await vigil('k6', 'verify', 'summaries/checkout-pass.summary-export.json', '--root', 'shop');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'PASS         checkout-availability {endpoint:/v1/pay}: error ratio 0.08% (budget 0.1%); burn 0.8× = 0.1111% of the budget per hour (gone in 900 h)',
    );
    expect(r.stdout).toMatch(/ok: 3 SLO measurement\(s\) within their objectives\n$/);
  });

  it('exits 1 on a failing or unmeasured run, and --format json carries every verdict', async () => {
    expect((await vigil('k6', 'verify', 'summaries/checkout-fail.handle-summary.json', '--root', 'shop', '--service', 'checkout')).code).toBe(1);
    const r = await vigil('k6', 'verify', 'summaries/checkout-missing.handle-summary.json', '--root', 'shop', '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; service: string; format: string; verdicts: { status: string; reasons: string[] }[] };
    expect(out).toMatchObject({ ok: false, service: 'checkout', format: 'handleSummary' });
    expect(out.verdicts.map((v) => v.status)).toEqual(['pass', 'not-measured', 'not-measured']);
  });

  it('asks for --service when neither the summary nor the project says which, and rejects an unknown one', async () => {
    const r = await vigil('k6', 'verify', 'summaries/baseline.summary-export.json', '--root', 'shop');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the summary does not say which service it measured (checkout, inference): pass --service NAME');
    const u = await vigil('k6', 'verify', 'summaries/baseline.summary-export.json', '--root', 'shop', '--service', 'chekout');
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('--service chekout: no load test for it; services with one: checkout, inference');
  });

  it('reports an unreadable or malformed summary in one line, never a stack trace', async () => {
    const r = await vigil('k6', 'verify', 'summaries/nope.json', '--root', 'shop');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('vigil k6: summaries/nope.json: cannot read: ENOENT\n');
    const bad = await vigil('k6', 'verify', 'shop/vigil.config.yaml', '--root', 'shop');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('vigil k6: shop/vigil.config.yaml: not a k6 summary (a JSON object with "metrics")\n');
  });

  it('treats a misused flag or a missing file as a usage error', async () => {
    expect((await vigil('k6', 'verify', '--root', 'shop')).code).toBe(2);
    expect((await vigil('k6', 'verify', 'a.json', '--p95', '3', '--root', 'shop')).code).toBe(2);
    expect((await vigil('k6', 'run', 'a.json', '--root', 'shop')).code).toBe(2);
    expect((await vigil('k6', 'verify', 'a.json', '--root', 'shop', '--env', 'staging')).stderr).toContain('--env staging: no such environment');
  });
});

describe('vigil k6 compare', () => {
  it('reads thresholds from the config (p95 5%, throughput 20%), exits 1 on a regression and says what is missing', async () => {
    const r = await vigil('k6', 'compare', 'summaries/baseline.summary-export.json', 'summaries/candidate.handle-summary.json', '--root', 'shop');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('REGRESSION p95        180 ms → 207 ms  +15% (limit +5%)  [http_req_duration p(95)]');
    expect(r.stdout).toContain('MISSING    p99        250 ms → -  not compared: missing in candidate');
    expect(r.stdout).toContain('ok         throughput 50/s → 41/s  -18% (limit -20%)');
  });

  it('lets flags override the config, and exits 0 without a regression', async () => {
    const r = await vigil(
      'k6',
      'compare',
      'summaries/baseline.summary-export.json',
      'summaries/candidate.handle-summary.json',
      '--root',
      'shop',
      '--p95',
      '20',
      '--format',
      'json',
    );
    const out = JSON.parse(r.stdout) as { ok: boolean; limits: Record<string, number> };
    expect(out.limits).toEqual({ p50: 10, p95: 20, p99: 15, errorRatio: 0.001, throughput: 20 });
    expect(r.code).toBe(0);
    expect((await vigil('k6', 'compare', 'summaries/baseline.summary-export.json', 'summaries/candidate.handle-summary.json', '--p95', 'lots')).code).toBe(2);
  });
});
