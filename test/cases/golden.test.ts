import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProject } from '../../src/build/build-project.js';

/**
 * Golden files: each test/cases/<case>/ holds a project (slos/...) and expected/ with the
 * Prometheus rules and tests vigil must generate for it, byte for byte. UPDATE_GOLDEN=1 rewrites
 * them; reviewers read the diff.
 */
const casesDir = import.meta.dirname;
const cases = fs.readdirSync(casesDir).filter((d) => fs.statSync(path.join(casesDir, d)).isDirectory());

describe('generated SLO rules and tests (golden files)', () => {
  for (const name of cases) {
    it(`${name} renders exactly its expected files`, async () => {
      const root = path.join(casesDir, name);
      const result = await buildProject(root);
      expect(result.diagnostics.errors).toEqual([]);
      const got = new Map(result.artifacts.filter((a) => a.path.startsWith('prometheus/')).map((a) => [a.path, a.content]));
      const expectedDir = path.join(root, 'expected');
      if (process.env.UPDATE_GOLDEN) {
        fs.rmSync(expectedDir, { recursive: true, force: true });
        for (const [p, content] of got) {
          fs.mkdirSync(path.dirname(path.join(expectedDir, p)), { recursive: true });
          fs.writeFileSync(path.join(expectedDir, p), content);
        }
      }
      const want = new Map<string, string>();
      const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, e.name);
          if (e.isDirectory()) walk(full);
          else want.set(path.relative(expectedDir, full), fs.readFileSync(full, 'utf8'));
        }
      };
      walk(expectedDir);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [p, content] of want) expect(got.get(p), p).toBe(content);
    });
  }

  it('renders byte-identical output twice in a row', async () => {
    const root = path.join(casesDir, cases[0]!);
    const a = await buildProject(root);
    const b = await buildProject(root);
    expect(a.artifacts).toEqual(b.artifacts);
  });
});
