import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkProject } from '../../src/build/build-project.js';
import { secretLooking } from '../../src/load/k6-config.js';

const shop = path.join(import.meta.dirname, 'fixtures/shop');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The shop fixture's SLOs with this configuration; returns `file:line:col code` of every diagnostic. */
async function diagnose(config: string): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-k6-config-'));
  dirs.push(dir);
  fs.cpSync(path.join(shop, 'slos'), path.join(dir, 'slos'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'vigil.config.yaml'), `apiVersion: vigil/v1\nkind: VigilConfig\n${config}`);
  const { diagnostics } = await checkProject(dir);
  return diagnostics.sorted().map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`);
}

describe('the k6 section of vigil.config.yaml', () => {
  it('rejects a literal credential in a request header, at the header', async () => {
    expect(
      await diagnose(`k6:
  services:
    checkout:
      requests:
        - path: /v1/cart
          headers:
            Authorization: Bearer abcdefgh12345678
            X-Trace: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig
            Accept: application/json
`),
    ).toEqual(['vigil.config.yaml:6:7 warning K6013', 'vigil.config.yaml:9:28 error K6001', 'vigil.config.yaml:10:22 error K6001']);
  });

  it('tells tokens from ordinary header values', () => {
    expect(secretLooking('Accept', 'application/json')).toBeUndefined();
    expect(secretLooking('X-Request-Id', 'checkout-smoke')).toBeUndefined();
    expect(secretLooking('Cookie', 'a=b')).toMatch(/credentials/);
    expect(secretLooking('X-Key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc2f9a8b7c')).toMatch(/opaque token/);
    expect(secretLooking('X-Auth', 'Basic dXNlcjpwYXNzd29yZA==')).toMatch(/auth scheme/);
  });

  it('reports a body file that cannot be read, two bodies, and both fault kinds, each at its key', async () => {
    expect(
      await diagnose(`k6:
  services:
    checkout:
      requests:
        - { path: /a, bodyFile: missing.json }
        - { path: /b, body: x, json: { a: 1 } }
      burnDrill: { faultPath: /fail, faultHeader: { name: X-Fail, value: "1" } }
`),
    ).toEqual([
      'vigil.config.yaml:6:7 warning K6013',
      'vigil.config.yaml:7:33 error K6002',
      'vigil.config.yaml:8:29 error K6003',
      'vigil.config.yaml:9:31 error K6004',
    ]);
  });

  it('checks services, SLO names and the drilled SLO against slos/', async () => {
    expect(
      await diagnose(`k6:
  services:
    checkuot: {}
    checkout:
      slos: [availability, up]
      burnDrill: { slo: latency }
`),
    ).toEqual([
      'vigil.config.yaml:5:15 error K6010',
      'vigil.config.yaml:7:7 warning K6013',
      'vigil.config.yaml:7:28 error K6011',
      'vigil.config.yaml:8:25 error K6012',
    ]);
  });

  it('rejects unknown keys and secret-looking literal fields by schema', async () => {
    const out = await diagnose(`k6:
  services:
    checkout:
      baseUrl: https://checkout.internal
      auth: { env: "my token" }
`);
    expect(out).toEqual(['vigil.config.yaml:6:7 error CFG003', 'vigil.config.yaml:7:20 error CFG006']);
  });
});
