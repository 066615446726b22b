import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

const SLOS = fs.readFileSync(path.join(import.meta.dirname, 'fixtures/newcomer/api.slos.yaml'), 'utf8');

async function check(config: string): Promise<{ code: number; stderr: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-config-'));
  fs.mkdirSync(path.join(root, 'slos'));
  fs.writeFileSync(path.join(root, 'slos/api.yaml'), SLOS);
  fs.writeFileSync(path.join(root, 'vigil.config.yaml'), config);
  let stderr = '';
  const code = await run(['check', '--root', root], { cwd: root, stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stderr };
}

const HEAD = 'apiVersion: vigil/v1\nkind: VigilConfig\n';

describe('vigil.config.yaml', () => {
  it('is optional, and a valid one passes', async () => {
    const r = await check(`${HEAD}grafana: { url: https://grafana.example }\nenvironments: [prod]\n`);
    expect(r.stderr).toMatch(/0 error\(s\)/);
    expect(r.code).toBe(0);
  });

  it('reports a misspelled key once, at its position, with the key it meant', async () => {
    const r = await check(`${HEAD}grafna:\n  url: https://grafana.example\n`);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.includes(' error '))).toEqual([
      'vigil.config.yaml:3:1: error CFG003: grafna: unknown key "grafna" (did you mean "grafana"?)',
    ]);
  });

  it('reports a Grafana URL without its scheme at the value, with the expected form', async () => {
    const r = await check(`${HEAD}grafana:\n  url: grafana.example\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('vigil.config.yaml:4:8: error CFG006: grafana.url: "grafana.example" does not match');
    expect(r.stderr).toMatch(/hint: Grafana base URL, e\.g\. https:\/\//);
  });

  it("sets every SLO rule group's interval with slos.evaluationInterval, and refuses one that does not divide the base window at its position", async () => {
    expect((await check(`${HEAD}slos: { evaluationInterval: 30s }\n`)).stderr).toMatch(/0 error\(s\)/);
    const r = await check(`${HEAD}slos:\n  evaluationInterval: 2m\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /vigil\.config\.yaml:4:23: error CFG007: slos\.evaluationInterval 2m does not divide the base window \(5m\) of 2 SLOs, e\.g\. api-errors/,
    );
    const bad = await check(`${HEAD}slos:\n  evaluationInterval: 1.5m\n`);
    expect(bad.stderr).toContain('vigil.config.yaml:4:23: error CFG006: slos.evaluationInterval');
  });

  it('reports a wrong kind', async () => {
    const r = await check('apiVersion: vigil/v1\nkind: VigilConf\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('vigil.config.yaml:2:7: error CFG006: kind: must be one of "VigilConfig", got "VigilConf"');
  });

  it('may be vigil.config.ts default-exporting defineConfig (type-checked, same checks)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-config-ts-'));
    fs.mkdirSync(path.join(root, 'slos'));
    fs.writeFileSync(path.join(root, 'slos/api.yaml'), SLOS);
    const api = path.join(import.meta.dirname, '../../src/index.js');
    const config = (environments: string) =>
      `import { defineConfig } from '${api}';\nexport default defineConfig({ apiVersion: 'vigil/v1', kind: 'VigilConfig', environments: ${environments} });\n`;
    fs.writeFileSync(path.join(root, 'vigil.config.ts'), config("['prod']"));
    const out = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect(await run(['check', '--root', root, '--env', 'prod'], { cwd: root, ...out })).toBe(0);
    expect(await run(['check', '--root', root, '--env', 'dev'], { cwd: root, ...out })).toBe(1);
    fs.writeFileSync(path.join(root, 'vigil.config.ts'), config("'prod'"));
    let stderr = '';
    const code = await run(['check', '--root', root], { cwd: root, stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^vigil\.config\.ts:2:\d+: error SPEC033: type error TS2322: /m);
  });
});
