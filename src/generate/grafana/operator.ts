import { grafanaDashboardResourceName, outputPaths } from '../../conventions.js';
import type { YamlDocument } from '../document.js';
import type { DashboardJson } from '../../dashboards/types.js';

/**
 * A grafana-operator `GrafanaDashboard` for one dashboard: the JSON inline, the uid pinned (the
 * operator's `uid` is immutable and overrides the JSON's), into the folder by title, for Grafana
 * instances labelled `dashboards: vigil`.
 */
export function generateGrafanaDashboardResource(
  d: DashboardJson,
  json: string,
  specPath: string,
  o: { readonly folder?: string; readonly namespace?: string; readonly instanceSelector?: Readonly<Record<string, string>> } = {},
): YamlDocument {
  const uid = d.uid ?? '';
  const doc = {
    apiVersion: 'grafana.integreatly.org/v1beta1',
    kind: 'GrafanaDashboard',
    metadata: {
      name: grafanaDashboardResourceName(uid),
      ...(o.namespace ? { namespace: o.namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'vigil' },
    },
    spec: {
      instanceSelector: { matchLabels: o.instanceSelector ?? { dashboards: 'vigil' } },
      uid,
      folder: o.folder ?? 'vigil',
      resyncPeriod: '10m',
      json,
    },
  };
  return { path: outputPaths.grafanaDashboardResource(uid), format: 'yaml', source: specPath, value: doc };
}
