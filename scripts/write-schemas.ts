// Regenerates the committed JSON Schemas: `npx tsx scripts/write-schemas.ts`.
import fs from 'node:fs';
import { jsonSchemaText, PUBLISHED_SCHEMAS } from '../src/project/published-schemas.js';

fs.mkdirSync('schemas', { recursive: true });
for (const name of Object.keys(PUBLISHED_SCHEMAS)) {
  fs.writeFileSync(`schemas/${name}.json`, jsonSchemaText(name));
  console.log(`wrote schemas/${name}.json`);
}
