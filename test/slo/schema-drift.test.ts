import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sloJsonSchemaText } from '../../src/spec/slo-json-schema.js';

describe('the committed JSON Schema', () => {
  it('matches the TypeBox schema it is generated from (regenerate with npx tsx scripts/write-schemas.ts)', () => {
    const committed = fs.readFileSync(path.join(import.meta.dirname, '../../schemas/slo.v1.json'), 'utf8');
    expect(committed).toBe(sloJsonSchemaText());
  });

  it('rejects unknown keys at every level', () => {
    const schema = JSON.parse(sloJsonSchemaText()) as { additionalProperties: boolean; properties: { slos: { items: { additionalProperties: boolean } } } };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.slos.items.additionalProperties).toBe(false);
  });
});
