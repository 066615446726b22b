import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * vigil as a team installs it: `npm pack` (which builds on prepack), the tarball installed into an
 * empty project (dependencies from the npm registry or its cache), then the bin and the public
 * entry points used from there.
 */
const REPO = path.resolve(import.meta.dirname, '../..');
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');
let project: string;
let tarballPath: string;

function sh(cmd: string, args: string[], cwd: string): { code: number; out: string } {
  try {
    return {
      code: 0,
      out: execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } }),
    };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const vigil = (...args: string[]) => sh(path.join(project, 'node_modules/.bin/vigil'), args, project);

beforeAll(() => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-adopt-'));
  const packed = sh('npm', ['pack', '--pack-destination', tmp], REPO);
  expect(packed.code, packed.out).toBe(0);
  const tarball = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'))!;
  tarballPath = path.join(tmp, tarball);
  project = path.join(tmp, 'team-repo');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'team-repo', private: true, type: 'module' }));
  const installed = sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(tmp, tarball)], project);
  expect(installed.code, installed.out).toBe(0);
  const files: Record<string, string> = {
    'slos/api.yaml': fs.readFileSync(path.join(REPO, 'test/cli/fixtures/newcomer/api.slos.yaml'), 'utf8'),
    'dashboards/api.ts': [
      "import { dashboard, prom, row, timeseries } from 'vigil-monitoring/dashboards';",
      '',
      'export default dashboard({',
      "  title: 'API',",
      "  description: 'Requests of the api service.',",
      "  rows: [row('Traffic', [timeseries('Requests', { description: 'Requests per second by code.', unit: 'reqps', queries: [prom('sum by (code) (rate(http_requests_total{job=\"api\"}[$__rate_interval]))', '{{code}}')] })])],",
      '});',
      '',
    ].join('\n'),
    // The SLO dashboards the SLO alerts link to (without them, check --strict warns DASH040: a dead link).
    'dashboards/slo.ts': fs.readFileSync(path.join(REPO, 'templates/init/dashboards/slo.ts'), 'utf8'),
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    fs.writeFileSync(path.join(project, rel), text);
  }
}, 240_000);

describe('vigil-monitoring installed from its tarball into an empty project', () => {
  it('runs its bin: vigil --version prints the packed version', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(vigil('--version')).toEqual({ code: 0, out: `vigil ${version}\n` });
  });

  it('checks and renders a project whose TypeScript dashboard imports vigil-monitoring/dashboards', () => {
    const check = vigil('check', '--strict');
    expect(check.code, check.out).toBe(0);
    const render = vigil('render');
    expect(render.code, render.out).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(project, 'build/grafana/dashboards/vigil-api.json'), 'utf8')) as { title: string };
    expect(json.title).toBe('API');
    expect(fs.existsSync(path.join(project, 'build/prometheus/rules/api.slo.rules.yaml'))).toBe(true);
  });

  it('type-checks the TypeScript dashboard: a wrong argument is DASH033 at its line and column, exit 1', () => {
    const file = path.join(project, 'dashboards/api.ts');
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, good.replace("'{{code}}')", "{ legend: '{{code}}' })"));
    const check = vigil('check');
    fs.writeFileSync(file, good);
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/^dashboards\/api\.ts:6:\d+: error DASH033: type error TS\d+: /m);
  });

  it('types the public entry points (vigil-monitoring, /dashboards, /logql) and rejects a wrongly typed spec', () => {
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] },
        include: ['specs.ts'],
      }),
    );
    const good = [
      "import { defineSlos, type SloFileSpec } from 'vigil-monitoring';",
      "import { units } from 'vigil-monitoring/dashboards';",
      "import { logs } from 'vigil-monitoring/logql';",
      "export const slos: SloFileSpec = defineSlos({ apiVersion: 'vigil/v1', kind: 'ServiceLevelObjectives', service: 'api', slos: [{ name: 'up', objective: 99.5, indicator: { boolGauge: 'probe_success' } }] });",
      'export const unit: string = units.RequestsPerSecond;',
      "export const query = logs({ app: 'api' });",
      '',
    ].join('\n');
    fs.writeFileSync(path.join(project, 'specs.ts'), good);
    const ok = sh(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
    expect(ok.code, ok.out).toBe(0);
    fs.writeFileSync(path.join(project, 'specs.ts'), good.replace('objective: 99.5', "objective: '99.5'"));
    const bad = sh(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/specs\.ts\(4,\d+\): error TS2322/);
  });

  it('sets up an empty repository with vigil init, after which check --strict, render and test pass with no edits', () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-init-'));
    fs.writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: '@acme/llm-gateway', private: true }));
    const installed = sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', tarballPath], repo);
    expect(installed.code, installed.out).toBe(0);
    const bin = path.join(repo, 'node_modules/.bin/vigil');
    const init = sh(bin, ['init', '--team', 'ml'], repo);
    expect(init.code, init.out).toBe(0);
    for (const f of [
      'vigil.config.yaml',
      'slos/llm-gateway.yaml',
      'alerts/llm-gateway.yaml',
      'alerts/gpu.yaml',
      'alerts/routing.yaml',
      'alerts/rollback-policy.yaml',
      'dashboards/llm-gateway.ts',
      '.gitlab-ci.yml',
      '.github/workflows/vigil.yml',
    ]) {
      expect(fs.existsSync(path.join(repo, f)), f).toBe(true);
    }
    for (const args of [['check', '--strict'], ['render'], ['test']]) {
      const r = sh(bin, args, repo);
      expect(r.code, `vigil ${args.join(' ')}\n${r.out}`).toBe(0);
    }
    expect(fs.existsSync(path.join(repo, 'build/grafana/dashboards/vigil-llm-gateway.json'))).toBe(true);
    // The SLO dashboard every SLO alert links to is there too (built-in, used by reference).
    expect(fs.existsSync(path.join(repo, 'build/grafana/dashboards/vigil-slo-llm-gateway.json'))).toBe(true);
    expect(fs.existsSync(path.join(repo, 'build/grafana/dashboards/vigil-gpu-fleet.json'))).toBe(true);
  });

  it('runs the tutorial in docs/adopt.md verbatim (the install line takes the tarball)', () => {
    const block = /^```sh tutorial\n([\s\S]*?)^```$/m.exec(fs.readFileSync(path.join(REPO, 'docs/adopt.md'), 'utf8'))?.[1];
    expect(block).toBeDefined();
    const lines = block!.trim().split('\n');
    expect(lines).toContain('npm install --save-dev vigil-monitoring');
    const script = lines
      .map((l) => (l === 'npm install --save-dev vigil-monitoring' ? `npm install --no-audit --no-fund --prefer-offline --save-dev ${tarballPath}` : l))
      .join(' && \\\n');
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-tutorial-'));
    const r = sh('bash', ['-c', `set -e\nexec 2>&1\n${script}`], cwd);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/vigil test: \d+ passed, 0 failed/);
  });
});
