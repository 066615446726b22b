import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemaText, PUBLISHED_SCHEMAS } from '../../src/project/published-schemas.js';

describe('the committed JSON Schema', () => {
  it('matches the TypeBox schema it is generated from (regenerate with npx tsx scripts/write-schemas.ts)', () => {
    const committed = fs.readFileSync(path.join(import.meta.dirname, '../../schemas/slo.v1.json'), 'utf8');
    expect(committed).toBe(jsonSchemaText('slo.v1'));
  });

  for (const name of Object.keys(PUBLISHED_SCHEMAS)) {
    it(`schemas/${name}.json matches its TypeBox schema`, () => {
      const committed = fs.readFileSync(path.join(import.meta.dirname, `../../schemas/${name}.json`), 'utf8');
      expect(committed).toBe(jsonSchemaText(name));
    });
  }

  it('gives every schema a spec file in this repo refers to', () => {
    const refs = new Set<string>();
    for (const dir of ['slos', 'alerts', 'exporters/gpu']) {
      for (const f of fs.readdirSync(path.join(import.meta.dirname, '../..', dir)).filter((n) => n.endsWith('.yaml'))) {
        const m = /\$schema=\.\.\/(?:\.\.\/)*schemas\/([a-z0-9.-]+)\.json/.exec(fs.readFileSync(path.join(import.meta.dirname, '../..', dir, f), 'utf8'));
        if (m) refs.add(m[1]!);
      }
    }
    expect(refs.size).toBeGreaterThan(0);
    for (const r of refs) expect(Object.keys(PUBLISHED_SCHEMAS)).toContain(r);
  });

  it('rejects unknown keys at every level', () => {
    const schema = JSON.parse(jsonSchemaText('slo.v1')) as {
      additionalProperties: boolean;
      properties: { slos: { items: { additionalProperties: boolean } } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.slos.items.additionalProperties).toBe(false);
  });
});
