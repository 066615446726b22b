import path from 'node:path';
import { Diagnostics } from '../../../src/diagnostics.js';
import { readYamlFile } from '../../../src/load/read-yaml.js';
import { validateWithSchema } from '../../../src/load/validate-schema.js';
import type { YamlSource } from '../../../src/load/yaml-source.js';
import { parseDurationMs } from '../../../src/runtime/duration.js';
import { ModelsFileSchema, type ModelsFile } from './models-schema.js';

/** Diagnostic codes of the models file. */
export const MODELS_CODES = {
  unknownKey: 'EXP001',
  missingKey: 'EXP002',
  wrongType: 'EXP003',
  badValue: 'EXP004',
  duplicate: 'EXP005',
  mapping: 'EXP006',
} as const;

/** A validated models file with the durations resolved to milliseconds. */
export interface ModelsConfig {
  readonly file: string;
  readonly spec: ModelsFile;
  /** ms */
  readonly scrapeIntervalMs: number;
  /** ms */
  readonly scrapeTimeoutMs: number;
}

/**
 * Reads and validates a models file. Every problem becomes a positioned diagnostic in `diags`;
 * the result is undefined when there was any error.
 */
export async function loadModelsFile(absPath: string, root: string, diags: Diagnostics): Promise<ModelsConfig | undefined> {
  const source = await readYamlFile(root, absPath, diags);
  if (!source) return undefined;
  return checkModelsSource(source, diags);
}

/** Validates an already parsed models file (schema, then cross-field rules). */
export function checkModelsSource(source: YamlSource, diags: Diagnostics): ModelsConfig | undefined {
  const before = diags.errors.length;
  if (!validateWithSchema(ModelsFileSchema, source, diags, MODELS_CODES)) return undefined;
  const spec = source.value as ModelsFile;
  const at = (p: (string | number)[]) => ({
    file: source.file,
    ...pos(source, p),
    path: p
      .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
      .join('')
      .replace(/^\./, ''),
  });
  const names = new Map<string, number>();
  spec.servers.forEach((s, i) => {
    const prev = names.get(s.name);
    if (prev !== undefined)
      diags.error(MODELS_CODES.duplicate, `server name ${JSON.stringify(s.name)} is already used by servers[${prev}]`, at(['servers', i, 'name']));
    names.set(s.name, i);
    if (s.type === 'generic' && !s.mapping)
      diags.error(
        MODELS_CODES.mapping,
        'a generic server needs a mapping (queueDepth, optional running, modelLabel)',
        at(['servers', i]),
        'add mapping: { queueDepth: { metric: NAME } }',
      );
    if (s.type !== 'generic' && s.mapping)
      diags.error(MODELS_CODES.mapping, `mapping is only for type generic; ${s.type} metrics are known`, at(['servers', i, 'mapping']));
    if (s.type === 'tgi' && (s.models?.length ?? 0) > 1)
      diags.error(MODELS_CODES.mapping, 'a TGI server serves one model; declare at most one', at(['servers', i, 'models']));
    const models = new Set<string>();
    s.models?.forEach((m, j) => {
      if (models.has(m.name))
        diags.error(MODELS_CODES.duplicate, `model ${JSON.stringify(m.name)} is declared twice on this server`, at(['servers', i, 'models', j, 'name']));
      models.add(m.name);
      const sc = m.scale;
      if (sc && (sc.minReplicas ?? 1) > (sc.maxReplicas ?? 10))
        diags.error(
          MODELS_CODES.badValue,
          `minReplicas ${sc.minReplicas ?? 1} is above maxReplicas ${sc.maxReplicas ?? 10}`,
          at(['servers', i, 'models', j, 'scale']),
        );
    });
  });
  const interval = parseDurationMs(spec.scrapeInterval ?? '10s')!;
  const timeout = parseDurationMs(spec.scrapeTimeout ?? '2s')!;
  if (interval < 100) diags.error(MODELS_CODES.badValue, 'scrapeInterval must be at least 100ms', at(['scrapeInterval']));
  if (timeout > interval)
    diags.error(
      MODELS_CODES.badValue,
      `scrapeTimeout ${spec.scrapeTimeout ?? '2s'} is longer than scrapeInterval ${spec.scrapeInterval ?? '10s'}`,
      at(['scrapeTimeout']),
    );
  if (diags.errors.length > before) return undefined;
  return { file: source.file, spec, scrapeIntervalMs: interval, scrapeTimeoutMs: timeout };
}

function pos(source: YamlSource, p: (string | number)[]): { line: number; column: number } {
  return source.positionOf(p);
}

/** Convenience for callers outside a project root (the CLI): relative file names in diagnostics. */
export async function loadModelsFileFrom(cwd: string, file: string): Promise<{ config: ModelsConfig | undefined; diags: Diagnostics }> {
  const diags = new Diagnostics();
  const config = await loadModelsFile(path.resolve(cwd, file), cwd, diags);
  return { config, diags };
}
