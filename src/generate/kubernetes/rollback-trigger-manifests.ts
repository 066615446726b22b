import path from 'node:path';
import { outputPaths } from '../../conventions.js';
import type { PolicyDocument } from '../../rollback/policy/schema.js';
import type { YamlDocument } from '../document.js';
import { kubeName } from './exporter-manifests.js';

/** Deployment choices of the rollback trigger; every field has a default. */
export interface RollbackTriggerManifestOptions {
  /** Namespace of the StatefulSet and everything namespaced with it (default `vigil-monitoring`). */
  readonly namespace?: string;
  /** Container image (default `ghcr.io/vigil-monitoring/vigil:0.1.0`). */
  readonly image?: string;
  /** Replicas; one leads through the Lease, the others stand by (default 2). */
  readonly replicas?: number;
  /** Namespace of Alertmanager and Prometheus, the only clients the NetworkPolicy admits (default `monitoring`). */
  readonly monitoringNamespace?: string;
  /** Labels of the ServiceMonitor so a Prometheus selects it (default `release: prometheus`). */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
}

const PORT = 9470;
/** Where the policy's secret files live in the pod (the repo's policy names /var/run/secrets/vigil/mlflow-token). */
const SECRET_DIR = '/var/run/secrets/vigil';
const STATE_DIR = '/var/lib/vigil';

/**
 * Node options of the trigger's container (and of the restart benchmark's compiled run): a small
 * young generation. Loading a long decision log allocates a record per line; with V8's default
 * 16 MiB semi-spaces the process keeps ~40 MiB more resident than with 4 MiB, for no gain in
 * start-up time (BENCHMARKS.md, rollback-restart).
 */
export const TRIGGER_NODE_OPTIONS = '--max-semi-space-size=4';

/**
 * Kubernetes manifests of `vigil rollback serve` for one policy: a StatefulSet (each replica its
 * own ReadWriteOnce state volume; leader election on a Lease, readiness = leadership), a Service
 * that therefore routes to the leader, a headless Service and ServiceMonitor for every replica, a
 * NetworkPolicy admitting only Alertmanager, Prometheus and the replicas themselves, a
 * ServiceAccount with RBAC for Leases and the policy's Argo Rollouts, a PodDisruptionBudget, and
 * the policy as a ConfigMap. Pure and deterministic.
 */
export function generateRollbackTriggerManifests(
  policy: PolicyDocument,
  policyFile: string,
  policyText: string,
  options: RollbackTriggerManifestOptions & { readonly name?: string } = {},
): YamlDocument[] {
  const name = options.name ?? 'vigil-rollback-trigger';
  const ns = options.namespace ?? 'vigil-monitoring';
  const replicas = options.replicas ?? 2;
  const monitoring = options.monitoringNamespace ?? 'monitoring';
  const dir = outputPaths.kubernetes(name.replace(/^vigil-/, ''));
  const labels = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': 'rollback-trigger',
    'app.kubernetes.io/part-of': 'vigil',
    'app.kubernetes.io/managed-by': 'vigil',
  };
  const selector = { 'app.kubernetes.io/name': name };
  const meta = (n: string, namespace: string | undefined = ns) => ({ name: n, ...(namespace ? { namespace } : {}), labels });
  const doc = (file: string, value: unknown, comment?: string[]): YamlDocument => ({
    path: `${dir}/${file}`,
    format: 'yaml',
    source: policyFile,
    value,
    ...(comment ? { comment } : {}),
  });
  const policyName = path.posix.basename(policyFile.replaceAll('\\', '/'));
  const out: YamlDocument[] = [];

  out.push(doc('configmap.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${name}-policy`), data: { [policyName]: policyText } }));
  out.push(doc('serviceaccount.yaml', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name) }));

  // Leader election: LeaseLock uses get/create/update only; create cannot be limited by name.
  const rbac: [string, unknown][] = [
    [
      'role-lease.yaml',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: meta(`${name}-lease`),
        rules: [
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [name], verbs: ['get', 'update'] },
        ],
      },
    ],
    ['rolebinding-lease.yaml', binding('RoleBinding', `${name}-lease`, ns, 'Role', name, ns, labels)],
  ];
  const rollouts = Object.values(policy.targets).flatMap((t) => (t.argoRollout ? [t.argoRollout.namespace] : []));
  // What ArgoRolloutAction calls: get the rollout, merge-patch it or its status (abort), list replica sets (undo).
  const rolloutRules = [
    { apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'patch'] },
    { apiGroups: ['argoproj.io'], resources: ['rollouts/status'], verbs: ['patch'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
  ];
  if (rollouts.some((n) => n.includes('{{'))) {
    // A templated namespace is known only per alert: the grant has to be cluster-wide.
    rbac.push(
      [
        'clusterrole-rollouts.yaml',
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(`${name}-rollouts`, undefined), rules: rolloutRules },
      ],
      ['clusterrolebinding-rollouts.yaml', binding('ClusterRoleBinding', `${name}-rollouts`, undefined, 'ClusterRole', name, ns, labels)],
    );
  } else {
    for (const rolloutNs of [...new Set(rollouts)].sort())
      rbac.push(
        [
          `role-rollouts-${rolloutNs}.yaml`,
          { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(`${name}-rollouts`, rolloutNs), rules: rolloutRules },
        ],
        [`rolebinding-rollouts-${rolloutNs}.yaml`, binding('RoleBinding', `${name}-rollouts`, rolloutNs, 'Role', name, ns, labels)],
      );
  }
  out.push(...rbac.map(([file, value]) => doc(file, value)));

  const args = [
    'rollback',
    'serve',
    '--policy',
    `/etc/vigil/policy/${policyName}`,
    '--listen',
    `0.0.0.0:${PORT}`,
    '--token-file',
    `${SECRET_DIR}/token`,
    '--state-dir',
    STATE_DIR,
    '--ha-lease',
    `${ns}/${name}`,
    '--advertise-url',
    `http://$(POD_IP):${PORT}`,
  ];
  out.push(
    doc(
      'statefulset.yaml',
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: meta(name),
        spec: {
          replicas,
          serviceName: `${name}-pods`,
          // Replicas are independent candidates: start them all at once.
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: selector },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: name,
              securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
              // Spread replicas so one node failure cannot take leader and standby together.
              topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
              ],
              terminationGracePeriodSeconds: 30,
              containers: [
                {
                  name: 'trigger',
                  image: options.image ?? 'ghcr.io/vigil-monitoring/vigil:0.1.0',
                  args,
                  env: [
                    // --identity defaults to POD_NAME: the Lease's holderIdentity.
                    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                    { name: 'NODE_OPTIONS', value: TRIGGER_NODE_OPTIONS },
                  ],
                  ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
                  // Ready = leading: the Service sends Alertmanager's deliveries to the leader only.
                  readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 2, failureThreshold: 1 },
                  livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 20, failureThreshold: 3 },
                  resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
                  securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                  volumeMounts: [
                    { name: 'state', mountPath: STATE_DIR },
                    { name: 'policy', mountPath: '/etc/vigil/policy', readOnly: true },
                    { name: 'secrets', mountPath: SECRET_DIR, readOnly: true },
                    { name: 'tmp', mountPath: '/tmp' },
                  ],
                },
              ],
              volumes: [
                { name: 'policy', configMap: { name: `${name}-policy` } },
                // Create it yourself: key `token` (the API's bearer token) and the files the policy names under /var/run/secrets/vigil.
                { name: 'secrets', secret: { secretName: name, defaultMode: 0o440 } },
                { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'state', labels },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      },
      [
        `Each replica keeps its own decision log on its own ReadWriteOnce volume; only the Lease holder decides and acts.`,
        `Secret ${name} (create it): key "token" for --token-file, plus the files the policy names under ${SECRET_DIR}.`,
      ],
    ),
  );
  out.push(
    doc('service.yaml', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: PORT, targetPort: 'http', protocol: 'TCP' }] },
    }),
  );
  out.push(
    doc('service-pods.yaml', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(`${name}-pods`),
      // Every replica, ready or not: the StatefulSet's identity and the ServiceMonitor's targets.
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector, ports: [{ name: 'http', port: PORT, targetPort: 'http', protocol: 'TCP' }] },
    }),
  );
  out.push(
    doc('servicemonitor.yaml', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name, namespace: ns, labels: { ...labels, ...(options.serviceMonitorLabels ?? { release: 'prometheus' }) } },
      spec: {
        selector: { matchLabels: { ...selector } },
        namespaceSelector: { matchNames: [ns] },
        endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }],
      },
    }),
  );
  const fromMonitoring = (app: string) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoring } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
  });
  out.push(
    doc('networkpolicy.yaml', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(name),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            // Alertmanager delivers, Prometheus scrapes, standbys forward decision reads to the leader.
            from: [fromMonitoring('alertmanager'), fromMonitoring('prometheus'), { podSelector: { matchLabels: selector } }],
            ports: [{ protocol: 'TCP', port: PORT }],
          },
        ],
      },
    }),
  );
  out.push(
    doc('poddisruptionbudget.yaml', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(name),
      // One replica at a time: a drain never takes the leader and its standby together.
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    }),
  );
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  namespace: string | undefined,
  roleKind: string,
  sa: string,
  saNs: string,
  labels: object,
) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: saNs }],
  };
}

/** The trigger's resource name for one of several policies (`vigil-rollback-trigger-<file>`). */
export function triggerName(policyFile: string, many: boolean): string {
  if (!many) return 'vigil-rollback-trigger';
  return kubeName('vigil-rollback-trigger', path.posix.basename(policyFile.replaceAll('\\', '/')).replace(/\.ya?ml$/, ''));
}
