import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { envProject } from '../support/env-project.js';

async function vigil(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { cwd, stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } });
  return { code, stdout, stderr };
}

/** Relative paths of every file under `dir`, sorted. */
function tree(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

const sloRules = (dir: string) => fs.readFileSync(path.join(dir, 'prometheus/rules/api.slo.rules.yaml'), 'utf8');

describe('environments', () => {
  it('apply the inline environments: block of the rendered environment only, and a staging overlay file after it', async () => {
    const root = envProject({
      'envs/staging/alerts/routing.yaml': 'apiVersion: vigil/v1\nkind: AlertRouting\nteams:\n  infra:\n    critical: [chat]\nreceivers:\n  pager: null\n',
    });
    for (const env of ['prod', 'staging']) expect((await vigil(['render', '--root', root, '--env', env, '--out', `out-${env}`], root)).code).toBe(0);
    expect(sloRules(path.join(root, 'out-prod'))).toContain('objective: "99% over 30d"');
    expect(sloRules(path.join(root, 'out-staging'))).toContain('objective: "98% over 30d"');
    const am = (env: string) => fs.readFileSync(path.join(root, `out-${env}`, 'alertmanager/alertmanager.yml'), 'utf8');
    expect(am('prod')).toContain('- name: pager');
    expect(am('staging')).not.toContain('pager');
  });

  it('override the exporter models file (inline) and a rollback policy (overlay): the environment ships its own ConfigMaps', async () => {
    const models =
      'apiVersion: vigil/v1\nkind: ModelServers\nnamespace: ml\nscrapeInterval: 10s\nservers:\n  - name: triton\n    type: triton\n    url: http://triton:8002/metrics\nenvironments:\n  staging:\n    scrapeInterval: 30s\n';
    const policy =
      'apiVersion: vigil/v1\nkind: RollbackPolicy\ndefaults: { dryRun: false }\ntargets:\n  api:\n    argoRollout: { namespace: api, name: api, operation: abort }\nrules:\n  - name: api-page\n    match: { service: api, severity: critical }\n    target: api\n';
    const root = envProject({
      'exporters/gpu/models.yaml': models,
      'alerts/rollback-policy.yaml': policy,
      'envs/staging/alerts/rollback-policy.yaml': 'apiVersion: vigil/v1\nkind: RollbackPolicy\ndefaults: { dryRun: true }\n',
    });
    const r = await vigil(['render', '--root', root, '--all-envs'], root);
    expect(r.code, r.stderr).toBe(0);
    const read = (env: string, f: string) => fs.readFileSync(path.join(root, 'build', env, f), 'utf8');
    expect(read('prod', 'kubernetes/gpu-exporter/configmap.yaml')).toMatch(/scrapeInterval: 10s/);
    expect(read('staging', 'kubernetes/gpu-exporter/configmap.yaml')).toMatch(/scrapeInterval: 30s/);
    expect(read('staging', 'kubernetes/gpu-exporter/configmap.yaml')).not.toContain('environments');
    const dryRun = (env: string) => /"dryRun": (true|false)/.exec(read(env, 'kubernetes/rollback-trigger/configmap.yaml'))?.[1];
    expect([dryRun('prod'), dryRun('staging')]).toEqual(['false', 'true']);
  });

  it('explain --env shows the SLO as that environment has it', async () => {
    const root = envProject();
    const objective = async (env: string) =>
      (JSON.parse((await vigil(['explain', 'api-latency', '--env', env, '--format', 'json', '--root', root], root)).stdout) as { objective: number }).objective;
    expect([await objective('prod'), await objective('staging')]).toEqual([0.99, 0.98]);
  });

  it('report a bad value in an inline override at the override line:col, with the base schema code (nothing written)', async () => {
    const root = envProject();
    fs.appendFileSync(path.join(root, 'slos/api.yaml'), '  prod:\n    slos:\n      - name: availability\n        objective: 100.5\n');
    const r = await vigil(['render', '--root', root, '--env', 'prod'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('slos/api.yaml:26:20: error SLO007: slos[0].objective: objective must be above 0 and below 100 (percent), got 100.5');
    expect(fs.existsSync(path.join(root, 'build'))).toBe(false);
    // The base is valid: staging, which does not carry the bad value, renders.
    expect((await vigil(['render', '--root', root, '--env', 'staging'], root)).code).toBe(0);
  });

  it('report a bad value in an overlay file in that file, at its line:col (unknown key and wrong type)', async () => {
    const root = envProject({
      'envs/staging/slos/api.yaml':
        'apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: api\nperiod: 30\nslos:\n  - name: latency\n    objectve: 97\n',
    });
    const r = await vigil(['check', '--root', root, '--env', 'staging'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('envs/staging/slos/api.yaml:4:9: error SLO');
    expect(r.stderr).toMatch(/envs\/staging\/slos\/api\.yaml:7:5: error SLO\d+: slos\[1\]\.objectve: unknown key "objectve" \(did you mean "objective"\?\)/);
  });

  it('refuse an overlay naming a document that does not exist (CFG013), and an undeclared envs/ folder (CFG011)', async () => {
    const root = envProject({
      'envs/staging/slos/apii.yaml': 'apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: apii\n',
      'envs/stagin/slos/api.yaml': 'apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: api\n',
    });
    const r = await vigil(['check', '--root', root, '--env', 'staging'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'envs/staging/slos/apii.yaml:3:10: error CFG013: service: overlay for environment staging patches "ServiceLevelObjectives apii", but no file in slos/ declares it (did you mean "ServiceLevelObjectives api"?)',
    );
    expect(r.stderr).toContain('envs/stagin/: error CFG011: environment "stagin" is not declared (declared: prod, staging); did you mean staging?');
  });

  it('refuse an environment name an inline block or an AlertParams overlay uses but the config does not declare (CFG011 at the name)', async () => {
    const root = envProject({ 'alerts/params.yaml': 'apiVersion: vigil/v1\nkind: AlertParams\nenv: qa\npacks:\n  base: { downFor: 1m }\n' });
    fs.appendFileSync(path.join(root, 'slos/api.yaml'), '  prd: {}\n');
    const r = await vigil(['check', '--root', root], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'slos/api.yaml:23:3: error CFG011: environments.prd: environment "prd" is not declared (declared: prod, staging); did you mean prod?',
    );
    expect(r.stderr).toContain('alerts/params.yaml:3:6: error CFG011: env: environment "qa" is not declared (declared: prod, staging)');
  });

  it('refuse an undeclared --env in every command that takes one (CFG010 at the config, exit 1), suggesting the nearest', async () => {
    const root = envProject();
    const commands = [
      ['render'],
      ['check'],
      ['test', '--skip-missing-tools'],
      ['explain', 'api-latency'],
      ['apply', 'prometheus', '--rules-dir', path.join(root, 'rules')],
      ['diff', '--grafana-url', 'http://127.0.0.1:9'],
    ];
    for (const c of commands) {
      const r = await vigil([...c, '--root', root, '--env', 'stagign'], root);
      expect(r.code, c.join(' ')).toBe(1);
      expect(r.stderr, c.join(' ')).toContain(
        'vigil.config.yaml:3:1: error CFG010: --env stagign: no such environment; declared: prod, staging (did you mean staging?)',
      );
    }
  });

  it('render --all-envs: build/<env>/ for each declared environment and nothing else, the same files as --env renders', async () => {
    const root = envProject();
    const r = await vigil(['render', '--root', root, '--all-envs'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote \d+ file\(s\) for 2 environment\(s\) \(prod, staging\)/);
    const build = path.join(root, 'build');
    expect(fs.readdirSync(build).sort()).toEqual(['prod', 'staging']);
    for (const env of ['prod', 'staging']) {
      await vigil(['render', '--root', root, '--env', env, '--out', `single-${env}`], root);
      const single = path.join(root, `single-${env}`);
      expect(tree(path.join(build, env))).toEqual(tree(single));
      for (const f of tree(single)) expect(fs.readFileSync(path.join(build, env, f), 'utf8'), f).toBe(fs.readFileSync(path.join(single, f), 'utf8'));
    }
  });

  it('render --all-envs writes nothing when one environment has an error, and refuses --env with it (exit 2)', async () => {
    const root = envProject();
    fs.appendFileSync(path.join(root, 'slos/api.yaml'), '    labels: { team: 7 }\n');
    fs.mkdirSync(path.join(root, 'build/old'), { recursive: true });
    const r = await vigil(['render', '--root', root, '--all-envs'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('slos/api.yaml:23:21: error SLO005: labels.team: must be a string, got 7');
    expect(fs.readdirSync(path.join(root, 'build'))).toEqual(['old']);
    const both = await vigil(['render', '--root', root, '--all-envs', '--env', 'prod'], root);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--env and --all-envs exclude each other');
  });

  it('check --all-envs checks every environment and reports a problem of one of them', async () => {
    const root = envProject();
    expect((await vigil(['check', '--root', root, '--all-envs'], root)).code).toBe(0);
    fs.appendFileSync(path.join(root, 'slos/api.yaml'), '    period: 100d\n');
    const r = await vigil(['check', '--root', root, '--all-envs'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('slos/api.yaml:23:13: error');
  });
});
