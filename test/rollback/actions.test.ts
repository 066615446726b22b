import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgoRolloutAction } from '../../src/rollback/adapters/argo-rollout-action.js';
import { ChampionHistory } from '../../src/rollback/adapters/champion-history.js';
import { FlagdFlagFileAction } from '../../src/rollback/adapters/flagd-flag-file-action.js';
import { KubeClient, resolveKubeConnection } from '../../src/rollback/adapters/kube-client.js';
import { MlflowAliasAction, MlflowClient } from '../../src/rollback/adapters/mlflow-alias-action.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookAction, signWebhook } from '../../src/rollback/adapters/webhook-action.js';
import { startFakeKubeApi, type FakeKubeApi } from './fakes/fake-kube-api.js';
import { startFakeMlflow } from './fakes/fake-mlflow.js';
import { flagFile, listen, readBody, tempDir } from './helpers.js';

const ctx = { decisionId: 'd-1', correlationId: 'cid-1', reason: 'ErrorBudgetBurn doc-api' };
const KTOKEN = 'kube-sa-token-abc';

function rollout(abort = false) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'doc-api', namespace: 'docs', uid: 'uid-1', resourceVersion: '1', annotations: { 'rollout.argoproj.io/revision': '3' } },
    spec: {
      selector: { matchLabels: { app: 'doc-api' } },
      template: { metadata: { labels: { app: 'doc-api' } }, spec: { containers: [{ name: 'api', image: 'doc-api:3' }] } },
    },
    status: { abort },
  };
}
function rs(revision: number, image: string, owner = 'uid-1') {
  return {
    metadata: {
      name: `doc-api-${revision}`,
      namespace: 'docs',
      labels: { app: 'doc-api', 'rollouts-pod-template-hash': `h${revision}` },
      annotations: { 'rollout.argoproj.io/revision': String(revision) },
      ownerReferences: [{ uid: owner, controller: true, kind: 'Rollout', name: 'doc-api' }],
    },
    spec: {
      template: { metadata: { labels: { app: 'doc-api', 'rollouts-pod-template-hash': `h${revision}` } }, spec: { containers: [{ name: 'api', image }] } },
    },
  };
}

describe('Argo Rollouts actions against a strict fake Kubernetes API', () => {
  let kube: FakeKubeApi;
  let dir: string;
  beforeEach(async () => {
    kube = await startFakeKubeApi({ token: KTOKEN });
    kube.rollouts.set('docs/doc-api', rollout());
    dir = await tempDir();
  });
  afterEach(async () => {
    await kube.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
  const client = () => new KubeClient({ server: kube.url, token: KTOKEN });

  it('aborts with a JSON merge patch on the status subresource, then reports already done', async () => {
    const a = new ArgoRolloutAction(client(), 'docs', 'doc-api', 'abort');
    expect(await a.execute(ctx)).toMatchObject({ status: 'success' });
    const patch = kube.requests.find((r) => r.method === 'PATCH')!;
    expect(patch).toMatchObject({ path: '/apis/argoproj.io/v1alpha1/namespaces/docs/rollouts/doc-api/status', contentType: 'application/merge-patch+json' });
    expect(JSON.parse(patch.body)).toEqual({ status: { abort: true } });
    expect(kube.rollouts.get('docs/doc-api')?.status?.abort).toBe(true);
    expect(await a.execute(ctx)).toMatchObject({ status: 'already-done' });
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('falls back to the main resource when the CRD has no status subresource', async () => {
    await kube.close();
    kube = await startFakeKubeApi({ token: KTOKEN, statusSubresource: false });
    kube.rollouts.set('docs/doc-api', rollout());
    expect(await new ArgoRolloutAction(client(), 'docs', 'doc-api', 'abort').execute(ctx)).toMatchObject({ status: 'success' });
    expect(kube.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual([
      '/apis/argoproj.io/v1alpha1/namespaces/docs/rollouts/doc-api/status',
      '/apis/argoproj.io/v1alpha1/namespaces/docs/rollouts/doc-api',
    ]);
    expect(kube.rollouts.get('docs/doc-api')?.status?.abort).toBe(true);
  });

  it('undoes to the previous revision with a JSON patch of /spec/template, without the pod-template-hash label', async () => {
    kube.replicasets.push(rs(3, 'doc-api:3'), rs(2, 'doc-api:2'), rs(1, 'doc-api:1'), rs(9, 'other:9', 'uid-other'));
    const a = new ArgoRolloutAction(client(), 'docs', 'doc-api', 'undo');
    expect(await a.execute(ctx)).toMatchObject({ status: 'success', detail: expect.stringContaining('revision 2') as unknown });
    const patch = kube.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.contentType).toBe('application/json-patch+json');
    expect(kube.rollouts.get('docs/doc-api')?.spec.template).toEqual({
      metadata: { labels: { app: 'doc-api' } },
      spec: { containers: [{ name: 'api', image: 'doc-api:2' }] },
    });
    expect(await a.execute(ctx)).toMatchObject({ status: 'already-done' });
  });

  it('reports a retryable failure on 5xx and a permanent one on 401 and on a missing rollout', async () => {
    kube.failNext([503]);
    expect(await new ArgoRolloutAction(client(), 'docs', 'doc-api', 'abort').execute(ctx)).toMatchObject({ status: 'failed', retryable: true });
    expect(await new ArgoRolloutAction(new KubeClient({ server: kube.url, token: 'wrong' }), 'docs', 'doc-api', 'abort').execute(ctx)).toMatchObject({
      status: 'failed',
      retryable: false,
      detail: expect.stringContaining('401') as unknown,
    });
    expect(await new ArgoRolloutAction(client(), 'docs', 'missing', 'abort').execute(ctx)).toMatchObject({
      status: 'failed',
      retryable: false,
      detail: expect.stringContaining('404') as unknown,
    });
  });

  it('reads the API server, token and CA from a kubeconfig and refuses insecure-skip-tls-verify', async () => {
    const cfg = (insecure: boolean) =>
      `apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster:\n    server: https://10.0.0.1:6443\n    certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')}\n${insecure ? '    insecure-skip-tls-verify: true\n' : ''}users:\n- name: u\n  user: {token: abc}\n`;
    await fs.writeFile(path.join(dir, 'kubeconfig'), cfg(false));
    const conn = resolveKubeConnection({ kubeconfig: path.join(dir, 'kubeconfig'), env: {} });
    expect(conn).toMatchObject({ server: 'https://10.0.0.1:6443', token: 'abc' });
    expect(String(conn.ca)).toBe('CA PEM');
    await fs.writeFile(path.join(dir, 'kubeconfig'), cfg(true));
    expect(() => resolveKubeConnection({ kubeconfig: path.join(dir, 'kubeconfig'), env: {} })).toThrow(/insecure-skip-tls-verify/);
  });

  it('uses the in-cluster service account when running in a pod', async () => {
    await fs.writeFile(path.join(dir, 'token'), 'sa-token\n');
    await fs.writeFile(path.join(dir, 'ca.crt'), 'SA CA');
    const conn = resolveKubeConnection({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, saDir: dir });
    expect(conn).toMatchObject({ server: 'https://10.96.0.1:443', token: 'sa-token' });
  });
});

describe('flagd flag file action', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('serves the stable variant to everyone, atomically, and is idempotent', async () => {
    const file = path.join(dir, 'flags.json');
    await fs.writeFile(file, JSON.stringify(flagFile()));
    const a = new FlagdFlagFileAction(file, 'model-version-resnet', 'stable');
    const [r1, r2] = await Promise.all([a.execute(ctx), a.execute(ctx)]);
    expect([r1.status, r2.status].sort()).toEqual(['already-done', 'success']);
    const flag = (JSON.parse(await fs.readFile(file, 'utf8')) as { flags: Record<string, unknown> }).flags['model-version-resnet'];
    expect(flag).toEqual({
      state: 'ENABLED',
      variants: { stable: 'resnet@1', canary: 'resnet@2' },
      defaultVariant: 'stable',
      metadata: { vigilRollbackDecision: 'd-1' },
    });
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('rewrites a YAML flag file as YAML', async () => {
    const file = path.join(dir, 'flags.yaml');
    await fs.writeFile(file, 'flags:\n  m:\n    state: DISABLED\n    variants: { a: "1", b: "2" }\n    defaultVariant: b\n');
    expect(await new FlagdFlagFileAction(file, 'm', 'a').execute(ctx)).toMatchObject({ status: 'success' });
    expect(await fs.readFile(file, 'utf8')).toMatch(/defaultVariant: a/);
  });

  it('fails without guessing when the flag or the variant does not exist', async () => {
    const file = path.join(dir, 'flags.json');
    await fs.writeFile(file, JSON.stringify(flagFile()));
    expect(await new FlagdFlagFileAction(file, 'model-version-bert', 'stable').execute(ctx)).toMatchObject({ status: 'failed', retryable: false });
    expect(await new FlagdFlagFileAction(file, 'model-version-resnet', 'v0').execute(ctx)).toMatchObject({
      status: 'failed',
      retryable: false,
      detail: expect.stringContaining('variants: stable, canary') as unknown,
    });
  });
});

describe('MLflow alias action against a strict fake registry', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('moves the alias back to the champion the trigger observed before, and knows it is done after a restart', async () => {
    const ml = await startFakeMlflow({ token: 'ml-token' });
    try {
      ml.addModel('llm-gateway', ['3', '4'], { champion: '3' });
      const client = new MlflowClient(ml.url, 'ml-token');
      const a = new MlflowAliasAction(client, ChampionHistory.inStateDir(dir), 'llm-gateway', 'champion');
      await a.observe();
      ml.models.get('llm-gateway')!.aliases.set('champion', '4'); // the release
      await a.observe();
      expect(await a.execute(ctx)).toMatchObject({ status: 'success', detail: 'alias llm-gateway@champion moved from version 4 back to 3' });
      expect(ml.models.get('llm-gateway')!.aliases.get('champion')).toBe('3');
      expect(ml.versionTags[0]).toMatchObject({ name: 'llm-gateway', version: '4', key: 'vigil_rollback' });
      const afterRestart = new MlflowAliasAction(client, ChampionHistory.inStateDir(dir), 'llm-gateway', 'champion');
      expect(await afterRestart.execute(ctx)).toMatchObject({ status: 'already-done' });
      const post = ml.requests.find((r) => r.method === 'POST' && r.path === '/api/2.0/mlflow/registered-models/alias')!;
      expect(JSON.parse(post.body)).toEqual({ name: 'llm-gateway', alias: 'champion', version: '3' });
    } finally {
      await ml.close();
    }
  });

  it('falls back to the previous_champion tag, and refuses to guess when nothing is known', async () => {
    const ml = await startFakeMlflow();
    try {
      ml.addModel('a', ['1', '2'], { champion: '2' }, { previous_champion: '1' });
      ml.addModel('b', ['1', '2'], { champion: '2' });
      const client = new MlflowClient(ml.url);
      expect(await new MlflowAliasAction(client, ChampionHistory.inStateDir(dir), 'a', 'champion').execute(ctx)).toMatchObject({ status: 'success' });
      expect(await new MlflowAliasAction(client, ChampionHistory.inStateDir(dir), 'b', 'champion').execute(ctx)).toMatchObject({
        status: 'failed',
        retryable: false,
        detail: expect.stringContaining('no previous version') as unknown,
      });
      expect(ml.models.get('b')!.aliases.get('champion')).toBe('2');
    } finally {
      await ml.close();
    }
  });
});

describe('generic webhook action', () => {
  it('signs the body with HMAC-SHA256 over timestamp and body, and maps 208 to already done', async () => {
    const seen: { sig: string; ts: string; body: string }[] = [];
    let answer = 200;
    const srv = await listen(async (req, res) => {
      seen.push({ sig: String(req.headers[SIGNATURE_HEADER]), ts: String(req.headers[TIMESTAMP_HEADER]), body: await readBody(req) });
      res.writeHead(answer).end();
    });
    try {
      const a = new WebhookAction(`${srv.url}/rollback?x=secret`, 's3cret', () => 1_700_000_000_000);
      expect(a.target).toBe(`webhook:${srv.url}/rollback`);
      expect(await a.execute(ctx)).toMatchObject({ status: 'success' });
      expect(seen[0]!.ts).toBe('1700000000');
      expect(seen[0]!.sig).toBe(signWebhook('s3cret', '1700000000', seen[0]!.body));
      expect(JSON.parse(seen[0]!.body)).toEqual({ decisionId: 'd-1', correlationId: 'cid-1', reason: ctx.reason });
      // With a subject (as executeRollback always passes), the receiver learns what to roll back.
      const subject = {
        service: 'doc-api',
        slo: 'doc-api-availability',
        environment: 'prod',
        target: 'doc-api-canary',
        rule: 'burn',
        alert: { fingerprint: 'f1', startsAt: '2026-12-06T00:00:00Z', labels: { service: 'doc-api' } },
      };
      await a.execute({ ...ctx, subject });
      expect(JSON.parse(seen[1]!.body)).toEqual({ decisionId: 'd-1', correlationId: 'cid-1', reason: ctx.reason, ...subject });
      expect(seen[1]!.sig).toBe(signWebhook('s3cret', '1700000000', seen[1]!.body));
      answer = 208;
      expect(await a.execute(ctx)).toMatchObject({ status: 'already-done' });
      answer = 400;
      expect(await a.execute(ctx)).toMatchObject({ status: 'failed', retryable: false });
      answer = 502;
      expect(await a.execute(ctx)).toMatchObject({ status: 'failed', retryable: true });
    } finally {
      await srv.close();
    }
  });
});
