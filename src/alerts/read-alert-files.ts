import path from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import { listYamlFiles, readYamlFile } from '../load/read-yaml.js';
import type { YamlSource } from '../load/yaml-source.js';

/** The kinds of file vigil reads from `alerts/`. Anything else there (rollback policy, ...) belongs to another feature. */
export const ALERT_FILE_KINDS = ['AlertPack', 'AlertParams', 'ExternalMetrics', 'AlertRouting'] as const;
export type AlertFileKind = (typeof ALERT_FILE_KINDS)[number];

/** Kinds that other features keep in `alerts/`; ignored here without a word. */
const FOREIGN_KINDS = new Set(['RollbackPolicy']);

export type AlertFiles = Record<AlertFileKind, YamlSource[]>;

/**
 * Reads every `alerts/*.yaml` (not `*.bad.yaml` fixtures) and sorts it by `kind`. A vigil file
 * with an unknown kind is a warning (ALR002) so a typo does not silently drop a pack.
 */
export async function readAlertFiles(root: string, diags: Diagnostics): Promise<AlertFiles> {
  const out: AlertFiles = { AlertPack: [], AlertParams: [], ExternalMetrics: [], AlertRouting: [] };
  const files = await listYamlFiles(path.join(root, 'alerts'), (n) => n.endsWith('.bad.yaml'));
  for (const file of files) {
    // Parse quietly first: a foreign file's syntax is its owner's business.
    const probe = await readYamlFile(root, file, { error() {}, warning() {}, add() {} } as unknown as Diagnostics);
    const kind = probe && typeof probe.value === 'object' && probe.value !== null ? (probe.value as Record<string, unknown>).kind : undefined;
    if (typeof kind === 'string' && FOREIGN_KINDS.has(kind)) continue;
    const source = probe ?? (await readYamlFile(root, file, diags));
    if (!source) continue;
    if ((ALERT_FILE_KINDS as readonly unknown[]).includes(kind)) {
      out[kind as AlertFileKind].push(source);
      continue;
    }
    const pos = kind === undefined ? source.positionOf([]) : source.positionOf(['kind']);
    diags.warning('ALR002', `ignored: kind ${kind === undefined ? 'is missing' : JSON.stringify(kind)} is not one vigil reads from alerts/ (${ALERT_FILE_KINDS.join(', ')})`, { file: source.file, ...pos, path: 'kind' }, 'set kind: AlertPack for an alert pack');
  }
  return out;
}
