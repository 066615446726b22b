import fs from 'node:fs';
import path from 'node:path';
import { EXPORTER_METRICS } from '../metric-catalog.js';
import { loadModelsFile } from '../models/load-models-file.js';
import type { BuildContext, ProjectPart } from '../../../src/project/types.js';
import { generateExporterManifests } from './generate-exporter-manifests.js';

/** Where a project keeps its models file. */
export const MODELS_FILE = 'exporters/gpu/models.yaml';

/**
 * Render part: declares every metric the exporter produces in the catalog, validates
 * `exporters/gpu/models.yaml` when present, and emits the exporter's Kubernetes manifests and
 * queue-depth autoscaling into build/kubernetes/.
 */
export const exporterPart: ProjectPart = {
  name: 'exporter',
  async build(ctx: BuildContext) {
    for (const m of EXPORTER_METRICS) ctx.metrics.add(m.name, 'exporter');
    const file = path.join(ctx.root, MODELS_FILE);
    if (!fs.existsSync(file)) return generateExporterManifests(undefined);
    const config = await loadModelsFile(file, ctx.root, ctx.diags);
    if (!config) return [];
    return generateExporterManifests(config.spec, { specPath: MODELS_FILE });
  },
};
