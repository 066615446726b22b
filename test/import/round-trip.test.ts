import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../src/diagnostics.js';
import { exportOpenslo } from '../../src/import/openslo/export-openslo.js';
import { opensloImporter } from '../../src/import/openslo/import-openslo.js';
import { loadSlos } from '../../src/load/load-slos.js';
import type { SloModel } from '../../src/model/types.js';

const repo = path.resolve(import.meta.dirname, '../..');
const projects = [repo, ...fs.readdirSync(path.join(repo, 'test/cases')).map((d) => path.join(repo, 'test/cases', d))].filter((d) =>
  fs.existsSync(path.join(d, 'slos')),
);

/** The model without where it was written (the re-imported spec is a different file). */
/** The model without where it was read from (`source`, and the per-field positions in `at`). */
function comparable(m: SloModel): Omit<SloModel, 'source' | 'at'> {
  return Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'source' && k !== 'at')) as Omit<SloModel, 'source' | 'at'>;
}

describe('vigil export openslo, then vigil import openslo', () => {
  it('covers this repo and every test/cases project with SLOs', () => {
    expect(projects.map((p) => path.relative(repo, p) || '.')).toEqual(
      expect.arrayContaining(['.', 'test/cases/ratio-errors-30d', 'test/cases/latency-grouped-28d', 'test/cases/gauge-and-raw-7d']),
    );
  });

  for (const root of projects) {
    it(`gives the same SloModel objects back for ${path.relative(repo, root) || 'this repo'}`, async () => {
      const diags = new Diagnostics();
      const models = await loadSlos(root, diags);
      expect(diags.errors).toEqual([]);
      expect(models.length).toBeGreaterThan(0);
      const { files, notExported } = exportOpenslo(models);
      expect(notExported).toEqual([]);
      const run = opensloImporter.importFiles(files.map((f) => ({ file: f.path, text: f.content })));
      // Every object imports cleanly: no warning, no error.
      expect(run.diagnostics).toEqual([]);
      expect(run.objects.flatMap((o) => o.diagnostics)).toEqual([]);
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-roundtrip-'));
      fs.mkdirSync(path.join(tmp, 'slos'));
      for (const o of run.outputs) fs.writeFileSync(path.join(tmp, 'slos', o.path), o.content);
      const back = new Diagnostics();
      const reloaded = await loadSlos(tmp, back);
      expect(back.errors).toEqual([]);
      expect(reloaded.map(comparable)).toEqual(models.map(comparable));
    });
  }
});
