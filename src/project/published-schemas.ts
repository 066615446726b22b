import type { TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { AlertPackSchema, AlertPackUseSchema, AlertParamsSchema, ExternalMetricsSchema } from '../alerts/schema.js';
import { RoutingSchema } from '../routing/schema.js';
import { PolicySchema } from '../rollback/policy/schema.js';
import { ModelsFileSchema } from '../../exporters/gpu/models/models-schema.js';
import { ConfigSchema } from '../load/config-schema.js';
import { SloFileSchema } from '../load/slo-schema.js';

/**
 * The committed JSON Schemas (`schemas/<name>.json`), generated from the TypeBox schemas the
 * loaders validate with; editors use them through `# yaml-language-server: $schema=...`. A test
 * fails when a committed file drifts.
 */
export const PUBLISHED_SCHEMAS: Readonly<Record<string, TSchema>> = {
  'slo.v1': SloFileSchema,
  'config.v1': ConfigSchema,
  // A pack of its own, or one that uses a built-in pack by reference.
  'alert-pack.v1': Type.Union([AlertPackSchema, AlertPackUseSchema]),
  'alert-params.v1': AlertParamsSchema,
  'external-metrics.v1': ExternalMetricsSchema,
  'routing.v1': RoutingSchema,
  'rollback-policy.v1': PolicySchema,
  'models.v1': ModelsFileSchema,
};

/** The text of `schemas/<name>.json` (deterministic). */
export function jsonSchemaText(name: string): string {
  const schema = PUBLISHED_SCHEMAS[name];
  if (!schema) throw new Error(`no published schema ${name}`);
  return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(schema)) }, null, 2)}\n`;
}
