import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { freePort } from '../support/free-port.js';
import { Prom, backfillOpenMetrics } from '../support/prometheus-server.js';

const SPEC = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: shop
period: 30d
slos:
  - name: availability
    objective: 99.9
    indicator:
      ratio:
        errors: http_requests_total{job="shop", code="500"}
        total: http_requests_total{job="shop"}
`;

describe('vigil backfill without a usable Prometheus or with bad flags', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-backfill-cli-'));
  fs.mkdirSync(path.join(root, 'slos'));
  fs.writeFileSync(path.join(root, 'slos/shop.yaml'), SPEC);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const cli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await run(['backfill', ...args], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      cwd: root,
    });
    return { code, stdout, stderr };
  };

  it('exits 2 with one clear line when Prometheus cannot be reached, and writes nothing', async () => {
    const port = await freePort();
    const r = await cli(['--prometheus-url', `http://127.0.0.1:${port}`, '--from', '1d']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`cannot reach Prometheus at http://127.0.0.1:${port}: .*ECONNREFUSED`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(root, 'build'))).toBe(false);
  });

  it('exits 1 on a project with errors, with the diagnostics at file:line:col, before asking Prometheus', async () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-backfill-bad-'));
    try {
      fs.mkdirSync(path.join(bad, 'slos'));
      fs.writeFileSync(path.join(bad, 'slos/shop.yaml'), SPEC.replace('objective: 99.9', 'objective: 100.5'));
      const r = await cli(['--root', bad, '--prometheus-url', `http://127.0.0.1:${await freePort()}`, '--from', '1d']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/slos\/shop\.yaml:7:16: error SLO\d+: /);
      expect(r.stderr).toContain('vigil backfill: 1 error(s) in the project; nothing was backfilled');
      expect(r.stderr).not.toMatch(/cannot reach Prometheus/);
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });

  it.each([
    [[], /--prometheus-url is required/],
    [['--prometheus-url', 'prometheus:9090'], /must be an http\(s\) URL/],
    [['--prometheus-url', 'http://p:9090', '--from', '7d', '--start', '2026-11-01T00:00:00Z'], /either --from or --start\/--end/],
    [['--prometheus-url', 'http://p:9090', '--from', 'a week'], /--from must be a duration/],
    [['--prometheus-url', 'http://p:9090', '--start', 'yesterday'], /--start must be an RFC 3339 time/],
    [['--prometheus-url', 'http://p:9090', '--slo', 'shop-availabilty'], /no SLO "shop-availabilty" in the project \(did you mean shop-availability\?\)/],
    [['--prometheus-url', 'http://p:9090', '--concurrency', '0'], /--concurrency must be a whole number/],
  ] as const)('exits 2 on %j with the usage', async (args, message) => {
    const r = await cli([...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('usage: vigil backfill --prometheus-url URL');
  });
});

describe('vigil backfill when the indicators read no raw series', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-backfill-nodata-'));
  const root = path.join(dir, 'project');
  const dataDir = path.join(dir, 'data');
  const prom = new Prom(dataDir, path.join(dir, 'prometheus.log'));
  // Six hours of the shop's counters, ending four hours ago (outside the head block's last hours).
  const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 4 * 3_600_000;
  const startMs = endMs - 6 * 3_600_000;

  beforeAll(async () => {
    fs.mkdirSync(path.join(root, 'slos'), { recursive: true });
    fs.writeFileSync(path.join(root, 'slos/shop.yaml'), SPEC);
    // A second service whose selector matches nothing in this Prometheus (a renamed job, say).
    fs.writeFileSync(path.join(root, 'slos/cart.yaml'), SPEC.replace('service: shop', 'service: cart').replaceAll('job="shop"', 'job="cart"'));
    const lines = ['# TYPE http_requests counter'];
    for (const code of ['200', '500'])
      for (let m = 0; m <= 360; m++)
        lines.push(`http_requests_total{job="shop",code="${code}"} ${code === '200' ? 60 * m : m} ${(startMs / 1000 + 60 * m).toFixed(3)}`);
    const om = path.join(dir, 'raw.om');
    fs.writeFileSync(om, `${lines.join('\n')}\n# EOF\n`);
    fs.mkdirSync(dataDir);
    await backfillOpenMetrics(om, dataDir);
    await prom.start();
  }, 120_000);
  afterAll(async () => {
    await prom.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await run(
      ['backfill', '--prometheus-url', prom.url, '--start', new Date(startMs).toISOString(), '--end', new Date(endMs).toISOString(), ...args],
      {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        cwd: root,
      },
    );
    return { code, stdout, stderr };
  };

  it('refuses, writing nothing, when no SLO indicator has samples in the range', async () => {
    const out = path.join(dir, 'none');
    const r = await cli(['--service', 'cart', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no SLO indicator has raw samples between');
    expect(r.stderr).toContain('cart-availability: http_requests_total{job="cart"}');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('backfills the SLOs that have data and names the one that has none', async () => {
    const out = path.join(dir, 'some');
    const r = await cli(['--out', out, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: SLO cart-availability: http_requests_total{job="cart"} has no samples in the range');
    expect(r.stderr).not.toContain('warning: SLO shop-availability');
    expect((JSON.parse(r.stdout) as { slosWithoutData: string[] }).slosWithoutData).toEqual(['cart-availability']);
  }, 120_000);
});
