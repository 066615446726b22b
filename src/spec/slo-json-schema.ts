import { SloFileSchema } from './slo-schema.js';

/** The committed `schemas/slo.v1.json` text (deterministic; a test fails when the file drifts). */
export function sloJsonSchemaText(): string {
  const schema = { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(SloFileSchema)) };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
