// Regenerates the committed JSON Schemas: `npx tsx scripts/write-schemas.ts`.
import fs from 'node:fs';
import { sloJsonSchemaText } from '../src/spec/slo-json-schema.js';

fs.mkdirSync('schemas', { recursive: true });
fs.writeFileSync('schemas/slo.v1.json', sloJsonSchemaText());
console.log('wrote schemas/slo.v1.json');
