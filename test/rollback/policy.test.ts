import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { loadPolicy } from '../../src/rollback/policy/load-policy.js';
import { tempDir } from './helpers.js';

function io(cwd: string) {
  const out = { stdout: '', stderr: '' };
  return { out, io: { cwd, stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } } };
}

const HEAD = 'apiVersion: vigil/v1\nkind: RollbackPolicy\n';
const TARGET = 'targets:\n  t:\n    flagdFlag: { file: /tmp/f.json, flag: f, variant: stable }\n';

/** Bad policies named after their defect, with the diagnostic each must produce. */
const BAD: [name: string, yaml: string, expected: string][] = [
  ['unknown-top-level-key', `${HEAD}${TARGET}rules: []\ncooldwn: 5m\n`, 'policy.yaml:7:1: error POL001: cooldwn: unknown key "cooldwn"'],
  [
    'wrong-api-version',
    `apiVersion: vigil/v2\nkind: RollbackPolicy\n${TARGET}rules: []\n`,
    'policy.yaml:1:13: error POL004: apiVersion: must be one of "vigil/v1", got "vigil/v2"',
  ],
  ['bad-duration', `${HEAD}defaults: { cooldown: soon }\n${TARGET}rules: []\n`, 'policy.yaml:3:23: error POL004: defaults.cooldown: "soon" does not match'],
  [
    'unknown-environment',
    `${HEAD}${TARGET}rules:\n  - name: r\n    match: { slo: x }\n    environments: [production]\n    target: t\n`,
    'policy.yaml:9:20: error POL004: rules[0].environments[0]: must be one of "dev", "staging", "prod", got "production"',
  ],
  [
    'rule-with-unknown-target',
    `${HEAD}${TARGET}rules:\n  - name: r\n    match: { slo: x }\n    target: nope\n`,
    'policy.yaml:9:13: error POL105: rules[0].target: unknown target "nope"',
  ],
  [
    'target-with-two-actions',
    `${HEAD}targets:\n  t:\n    flagdFlag: { file: f, flag: f, variant: v }\n    argoRollout: { namespace: n, name: r, operation: abort }\nrules: []\n`,
    'policy.yaml:5:5: error POL101: targets.t: target t has 2 actions',
  ],
  [
    'bad-regex',
    `${HEAD}${TARGET}rules:\n  - name: r\n    match: { slo: x }\n    matchRegex: { model: "(" }\n    target: t\n`,
    'policy.yaml:9:26: error POL106: rules[0].matchRegex.model: invalid regular expression',
  ],
  [
    'mlflow-target-without-registry',
    `${HEAD}targets:\n  t:\n    mlflowAlias: { model: m, alias: champion }\nrules: []\n`,
    'policy.yaml:5:18: error POL102: targets.t.mlflowAlias',
  ],
  [
    'secret-in-webhook-url',
    `${HEAD}webhook: { secretFile: /run/s }\ntargets:\n  t:\n    webhook: { url: "https://deploy:hunter2@ci.example/rollback" }\nrules: []\n`,
    'policy.yaml:6:30: error POL109: targets.t.webhook.url: secret in the webhook URL of target t: a user and password in the URL',
  ],
  ['empty-match', `${HEAD}${TARGET}rules:\n  - name: r\n    match: {}\n    target: t\n`, 'policy.yaml:8:12: error POL004: rules[0].match'],
  ['yaml-syntax', `${HEAD}targets: [\n`, 'policy.yaml:4:1: error YAML001'],
];

describe('rollback policy file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it("this repo's own policy loads and routes each platform page to its action", async () => {
    const diags = new Diagnostics();
    const policy = await loadPolicy('alerts/rollback-policy.yaml', diags, path.resolve(import.meta.dirname, '../..'));
    expect(diags.items).toEqual([]);
    expect(policy!.rules.map((r) => [r.name, Object.keys(r.target).find((k) => ['argoRollout', 'flagdFlag', 'mlflowAlias', 'webhook'].includes(k))])).toEqual([
      ['document-processing-page', 'argoRollout'],
      ['gpu-inference-model-page', 'flagdFlag'],
      ['llm-gateway-page-prod', 'mlflowAlias'],
      ['llm-gateway-page', 'mlflowAlias'],
    ]);
  });

  it.each(BAD)('rejects %s with a positioned diagnostic and exit 1', async (name, yaml, expected) => {
    await fs.writeFile(path.join(dir, 'policy.yaml'), yaml);
    const { out, io: cli } = io(dir);
    const code = await run(['rollback', 'check', '--policy', 'policy.yaml'], cli);
    expect({ name, code }).toEqual({ name, code: 1 });
    expect(out.stderr).toContain(expected);
  });

  it('serve with an invalid policy exits 1 before listening', async () => {
    await fs.writeFile(path.join(dir, 'bad.yaml'), `${HEAD}${TARGET}rules: 5\n`);
    await fs.writeFile(path.join(dir, 'token'), 'x'.repeat(32));
    const { out, io: cli } = io(dir);
    expect(await run(['rollback', 'serve', '--policy', 'bad.yaml', '--listen', '127.0.0.1:0', '--token-file', 'token', '--state-dir', 'st'], cli)).toBe(1);
    expect(out.stderr).toMatch(/bad\.yaml:6:8: error POL003: rules: must be a list/);
  });

  it.each([
    ['no subcommand', []],
    ['unknown subcommand', ['start']],
    ['unknown flag', ['serve', '--policy', 'p.yaml', '--bogus']],
    ['missing --listen', ['serve', '--policy', 'p.yaml', '--token-file', 't', '--state-dir', 's']],
    ['bad --listen', ['serve', '--policy', 'p.yaml', '--listen', 'localhost', '--token-file', 't', '--state-dir', 's']],
    ['port out of range', ['serve', '--policy', 'p.yaml', '--listen', '127.0.0.1:70000', '--token-file', 't', '--state-dir', 's']],
    ['missing --policy', ['check']],
    ['bad --log-level', ['serve', '--policy', 'p.yaml', '--listen', '127.0.0.1:1', '--token-file', 't', '--state-dir', 's', '--log-level', 'loud']],
  ])('exits 2 with the usage on a flag mistake: %s', async (_name, args) => {
    const { out, io: cli } = io(dir);
    expect(await run(['rollback', ...args], cli)).toBe(2);
    expect(out.stderr).toContain('usage: vigil rollback serve');
  });

  it('refuses a short token file (exit 1)', async () => {
    await fs.writeFile(path.join(dir, 'ok.yaml'), `${HEAD}${TARGET}rules: []\n`);
    await fs.writeFile(path.join(dir, 'short'), 'abc\n');
    const { out, io: cli } = io(dir);
    expect(await run(['rollback', 'serve', '--policy', 'ok.yaml', '--listen', '127.0.0.1:0', '--token-file', 'short', '--state-dir', 'st'], cli)).toBe(1);
    expect(out.stderr).toMatch(/at least 16 characters/);
  });
});
