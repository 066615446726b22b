import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

/**
 * Docs that cannot rot: every fenced block marked ```yaml file=PATH or ```ts file=PATH in the
 * README and docs/*.md is a file of that document's example project. Each project is written to
 * a folder inside this repository (so `vigil-monitoring/dashboards` resolves to this package) and
 * must pass `vigil check --strict` and `vigil render` (and, when its configuration declares
 * environments, `vigil check --all-envs --strict` and `vigil render --all-envs`). A document that shows a warning on purpose
 * names its code in `<!-- example-warnings: CODE ... -->`; any other warning fails.
 */
const REPO = path.resolve(import.meta.dirname, '../..');
const documents = [
  'README.md',
  ...fs
    .readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const made: string[] = [];

/** The file blocks of one markdown document: path → content. */
function fileBlocks(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of markdown.matchAll(/^```(?:yaml|ts) file=(\S+)\n([\s\S]*?)^```$/gm)) {
    expect(files.has(m[1]!), `${m[1]} is given twice`).toBe(false);
    files.set(m[1]!, m[2]!);
  }
  return files;
}

async function vigil(argv: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await run(argv, { cwd, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) } });
  return { code, out };
}

afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the examples in the docs', () => {
  it('include a complete project of every input kind (docs/examples.md)', () => {
    const files = [...fileBlocks(fs.readFileSync(path.join(REPO, 'docs/examples.md'), 'utf8')).entries()];
    const kinds = new Set(files.flatMap(([, text]) => [...text.matchAll(/^kind: (\w+)$/gm)].map((k) => k[1])));
    expect([...kinds].sort()).toEqual([
      'AlertPack',
      'AlertParams',
      'AlertRouting',
      'ExternalMetrics',
      'ModelServers',
      'RollbackPolicy',
      'ServiceLevelObjectives',
      'VigilConfig',
    ]);
    expect(files.some(([p]) => p.startsWith('dashboards/') && p.endsWith('.ts'))).toBe(true);
  });

  for (const doc of documents) {
    const markdown = fs.readFileSync(path.join(REPO, doc), 'utf8');
    const files = fileBlocks(markdown);
    if (files.size === 0) continue;
    const allowed = (/<!-{2} example-warnings: ([A-Z0-9 ]+) -{2}>/.exec(markdown)?.[1] ?? '').split(' ').filter(Boolean);
    it(`${doc}: its ${files.size} file block(s) pass vigil check --strict and render`, async () => {
      const root = fs.mkdtempSync(path.join(REPO, '.docs-example-'));
      made.push(root);
      for (const [rel, text] of files) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
      const check = await vigil(['check', '--root', root, '--format', 'json'], root);
      const diagnostics = (JSON.parse(check.out) as { diagnostics: { severity: string; code: string }[] }).diagnostics;
      expect(diagnostics.filter((d) => d.severity === 'error' || !allowed.includes(d.code))).toEqual([]);
      expect(check.code, check.out).toBe(0);
      if (allowed.length === 0) expect((await vigil(['check', '--strict', '--root', root], root)).code).toBe(0);
      const render = await vigil(['render', '--root', root], root);
      expect(render.code, render.out).toBe(0);
      // A project that declares environments: every environment's overrides are checked and rendered too.
      if (/^environments:/m.test(files.get('vigil.config.yaml') ?? '')) {
        const all = await vigil(['check', '--all-envs', ...(allowed.length === 0 ? ['--strict'] : []), '--root', root], root);
        expect(all.code, all.out).toBe(0);
        const renderAll = await vigil(['render', '--all-envs', '--root', root, '--out', path.join(root, 'build-all')], root);
        expect(renderAll.code, renderAll.out).toBe(0);
      }
    });
  }
});
