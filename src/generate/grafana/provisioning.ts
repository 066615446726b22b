import { outputPaths } from '../../conventions.js';
import type { YamlDocument } from '../document.js';

/**
 * Grafana file provisioning for the rendered dashboards (`build/grafana/dashboards/*.json` mounted
 * at `path`). UI edits are refused: the files are the source of truth.
 */
export function generateDashboardProvisioning(o: { readonly path?: string; readonly folder?: string } = {}): YamlDocument {
  const doc = {
    apiVersion: 1,
    providers: [
      {
        name: 'vigil',
        orgId: 1,
        folder: o.folder ?? 'vigil',
        type: 'file',
        disableDeletion: false,
        updateIntervalSeconds: 30,
        allowUiUpdates: false,
        options: { path: o.path ?? '/var/lib/grafana/dashboards/vigil', foldersFromFilesStructure: false },
      },
    ],
  };
  return { path: outputPaths.dashboardProvisioning, format: 'yaml', source: 'dashboards/', value: doc };
}
