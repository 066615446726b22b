import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * Issue 13, item 8: every Kubernetes object vigil emits validates against the upstream schemas:
 * kubernetes-models (core, apps, rbac, policy, networking, autoscaling), @kubernetes-models/
 * argo-rollouts, /prometheus-operator, /keda and /grafana-operator (generated from the projects'
 * OpenAPI and CRD schemas). The objects are the golden outputs of test/cases, which the golden
 * test proves equal to what `vigil render` writes. These validators check types, enums and
 * required fields; like a non-strict API server they do not reject unknown fields.
 */
const CASES = path.resolve(import.meta.dirname, '../cases');

/** Package of each API group's models. */
const GROUP_PACKAGES: Record<string, string> = {
  '': 'kubernetes-models',
  apps: 'kubernetes-models',
  autoscaling: 'kubernetes-models',
  'networking.k8s.io': 'kubernetes-models',
  policy: 'kubernetes-models',
  'rbac.authorization.k8s.io': 'kubernetes-models',
  'argoproj.io': '@kubernetes-models/argo-rollouts',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'keda.sh': '@kubernetes-models/keda',
  'grafana.integreatly.org': '@kubernetes-models/grafana-operator',
};

/** Files under expected/kubernetes that are not Kubernetes objects, and what they are. */
const NOT_OBJECTS: [RegExp, string][] = [
  [/autoscaling\/prometheus-adapter\/rules\.yaml$/, 'prometheus-adapter rules (Helm values)'],
  [/rollouts\/[^/]+\.canary-steps\.yaml$/, 'a fragment of Rollout.spec.strategy, validated inside a Rollout below'],
];

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = GROUP_PACKAGES[group!];
  if (!pkg) throw new Error(`no upstream schema package for API group ${JSON.stringify(group)} (${apiVersion} ${kind})`);
  const specifier = group === '' ? `${pkg}/${version}/${kind}` : `${pkg}/${group}/${version}/${kind}`;
  const mod = (await import(specifier)) as Record<string, ModelClass | undefined>;
  const cls = mod[kind];
  if (!cls) throw new Error(`${specifier} exports no ${kind}`);
  return cls;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Every emitted object, with the file it came from. */
async function emittedObjects(): Promise<{ file: string; object: { apiVersion: string; kind: string } & Record<string, unknown> }[]> {
  const out = [];
  for (const c of await fs.readdir(CASES, { withFileTypes: true })) {
    if (!c.isDirectory()) continue;
    const dir = path.join(CASES, c.name, 'expected', 'kubernetes');
    const files = await yamlFiles(dir).catch(() => []);
    for (const file of files) {
      const rel = path.relative(CASES, file);
      if (NOT_OBJECTS.some(([re]) => re.test(rel))) continue;
      for (const doc of parseAllDocuments(await fs.readFile(file, 'utf8'))) {
        const object = doc.toJS() as { apiVersion: string; kind: string } & Record<string, unknown>;
        out.push({ file: rel, object });
      }
    }
  }
  return out;
}

describe('emitted Kubernetes objects against the upstream schemas', () => {
  it('validates every object under test/cases/*/expected/kubernetes, of every kind vigil emits', async () => {
    const objects = await emittedObjects();
    const failures: string[] = [];
    const kinds = new Set<string>();
    for (const { file, object } of objects) {
      kinds.add(`${object.apiVersion} ${object.kind}`);
      try {
        const Model = await modelFor(object.apiVersion, object.kind);
        new Model(object).validate();
      } catch (err) {
        failures.push(`${file}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    // Not vacuous: every family of generated objects was seen, the trigger's included.
    expect([...kinds].sort()).toEqual([
      'apps/v1 DaemonSet',
      'apps/v1 StatefulSet',
      'argoproj.io/v1alpha1 AnalysisTemplate',
      'autoscaling/v2 HorizontalPodAutoscaler',
      'grafana.integreatly.org/v1beta1 GrafanaDashboard',
      'keda.sh/v1alpha1 ScaledObject',
      'monitoring.coreos.com/v1 PrometheusRule',
      'monitoring.coreos.com/v1 ServiceMonitor',
      'networking.k8s.io/v1 NetworkPolicy',
      'policy/v1 PodDisruptionBudget',
      'rbac.authorization.k8s.io/v1 ClusterRole',
      'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
      'rbac.authorization.k8s.io/v1 Role',
      'rbac.authorization.k8s.io/v1 RoleBinding',
      'v1 ConfigMap',
      'v1 Service',
      'v1 ServiceAccount',
    ]);
  });

  it('validates the canary steps inside an Argo Rollout', async () => {
    const Rollout = await modelFor('argoproj.io/v1alpha1', 'Rollout');
    const files = (await yamlFiles(CASES)).filter((f) => f.endsWith('.canary-steps.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const strategy = parseAllDocuments(await fs.readFile(file, 'utf8'))[0]!.toJS() as object;
      const rollout = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'svc' },
        spec: {
          selector: { matchLabels: { app: 'svc' } },
          template: { metadata: { labels: { app: 'svc' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
          strategy,
        },
      };
      expect(() => new Rollout(rollout).validate(), file).not.toThrow();
    }
  });

  it('rejects what the API server would: a wrong type, a missing required field, a bad enum', async () => {
    const StatefulSet = await modelFor('apps/v1', 'StatefulSet');
    const sts = (await emittedObjects()).find((o) => o.object.kind === 'StatefulSet')!.object as unknown as { spec: Record<string, unknown> };
    expect(() => new StatefulSet({ ...sts, spec: { ...sts.spec, replicas: 'two' } }).validate()).toThrow(/replicas must be integer/);
    const ScaledObject = await modelFor('keda.sh/v1alpha1', 'ScaledObject');
    expect(() =>
      new ScaledObject({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'x' }, spec: { triggers: [] } }).validate(),
    ).toThrow(/scaleTargetRef/);
    const NetworkPolicy = await modelFor('networking.k8s.io/v1', 'NetworkPolicy');
    expect(() =>
      new NetworkPolicy({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'x' },
        spec: { podSelector: {}, ingress: [{ ports: [{ port: {} }] }] },
      }).validate(),
    ).toThrow();
    await expect(modelFor('example.com/v1', 'Widget')).rejects.toThrow(/no upstream schema package/);
  });
});
