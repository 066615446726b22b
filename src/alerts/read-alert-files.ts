import path from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import { listSpecFiles, readSpecFiles } from '../load/read-spec-files.js';
import type { YamlSource } from '../load/yaml-source.js';
import { withEnvironment, type EnvironmentLoad } from '../load/env-overlay.js';

/** The kinds of file vigil reads from `alerts/`. */
export const ALERT_FILE_KINDS = ['AlertPack', 'AlertParams', 'ExternalMetrics', 'AlertRouting', 'RollbackPolicy'] as const;
export type AlertFileKind = (typeof ALERT_FILE_KINDS)[number];

export type AlertFiles = Record<AlertFileKind, YamlSource[]>;

/**
 * Reads and parses every `alerts/*.yaml` (not `*.bad.yaml` fixtures) once and sorts it by `kind`.
 * A vigil file with an unknown kind is a warning (ALR002) so a typo does not silently drop a pack.
 */
export async function readAlertFiles(root: string, diags: Diagnostics, environment?: EnvironmentLoad): Promise<AlertFiles> {
  const out: AlertFiles = { AlertPack: [], AlertParams: [], ExternalMetrics: [], AlertRouting: [], RollbackPolicy: [] };
  const files = await listSpecFiles(path.join(root, 'alerts'));
  const sources = withEnvironment(await readSpecFiles(root, files, diags, 'alerts'), 'alerts', environment, diags);
  for (const source of sources) {
    if (!source) continue;
    const kind = typeof source.value === 'object' && source.value !== null ? (source.value as Record<string, unknown>).kind : undefined;
    if ((ALERT_FILE_KINDS as readonly unknown[]).includes(kind)) {
      out[kind as AlertFileKind].push(source);
      continue;
    }
    const pos = kind === undefined ? source.positionOf([]) : source.positionOf(['kind']);
    const readable = ALERT_FILE_KINDS.filter((k) => k !== 'RollbackPolicy').join(', ');
    diags.warning(
      'ALR002',
      `ignored: kind ${kind === undefined ? 'is missing' : JSON.stringify(kind)} is not one vigil reads from alerts/ (${readable})`,
      { file: source.file, ...pos, path: 'kind' },
      'set kind: AlertPack for an alert pack',
    );
  }
  return out;
}
