import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { freePort } from '../support/free-port.js';

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
