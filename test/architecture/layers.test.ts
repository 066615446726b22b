import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The folder layers of vigil, lowest first (docs/architecture.md explains them). A module may
 * import from its own folder and from folders of lower layers only; folders in one layer never
 * import each other. A new folder must be placed here before it can be imported.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['src/(top)', 'src/runtime'], // conventions, diagnostics; service plumbing
  ['src/query'], // PromQL parsing helpers
  ['src/loki', 'src/model'], // LogQL builders; the SLO model and its math
  ['src/load'], // YAML with positions, schemas, the SLO loader
  ['src/alerts', 'src/routing', 'src/dashboards', 'src/rollback', 'exporters/gpu'], // one kind of input each
  ['src/project'], // ProjectModel and loadProject
  ['src/live'], // checks of the model against a live Prometheus (check --prometheus-url)
  ['src/report'], // SLO history read from Prometheus → report.json, HTML pages, `vigil status`
  ['src/generate'], // pure generators: model → documents
  ['src/import', 'src/k6'], // k6: end-of-test summaries read and judged against the SLOs (vigil k6 verify|compare); import: interop: Sloth/Pyrra/OpenSLO → SLO specs, vigil SLOs → OpenSLO, Grafana dashboards → modules, Prometheus rules → AlertPacks
  ['src/validate'], // cross-kind checks over the model
  ['src/parity'], // the semantic difference of two environments' models (vigil parity)
  ['src/render'], // documents → bytes
  ['src/write'], // atomic write of a render
  ['src/build'], // the pipeline: load → validate → render
  ['src/apply', 'src/backfill'], // apply to Grafana and Prometheus; backfill SLO rules over past data (promtool)
  ['src/cli'], // the commands
  ['src/(entry)'], // src/index.ts: the package's public authoring API, re-exporting from below
];

const repo = path.resolve(import.meta.dirname, '../..');
const rank = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

/** `src/x/...` → `src/x`; files directly in src/ → `src/(top)` (but src/index.ts, the package entry); `exporters/gpu/...` → `exporters/gpu`. */
function folderOf(file: string): string {
  const parts = path.relative(repo, file).split(path.sep);
  if (parts[0] === 'exporters') return `exporters/${parts[1]}`;
  if (parts.join('/') === 'src/index.ts') return 'src/(entry)';
  return parts.length > 2 ? `src/${parts[1]}` : 'src/(top)';
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('scripts/'))
    .map((f) => path.join(dir, f));
}

/** Every relative import (static, re-export or dynamic) between two folders. */
function crossFolderImports(): { from: string; to: string; site: string }[] {
  const edges: { from: string; to: string; site: string }[] = [];
  for (const file of [...sourceFiles(path.join(repo, 'src')), ...sourceFiles(path.join(repo, 'exporters'))]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts'));
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) edges.push({ from, to, site: `${path.relative(repo, file)} → ${path.relative(repo, target)}` });
    }
  }
  return edges;
}

describe('the folder layers', () => {
  const edges = crossFolderImports();

  it('place every folder that takes part in an import', () => {
    const unplaced = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((f) => !rank.has(f));
    expect(unplaced).toEqual([]);
  });

  it('are only ever imported downwards (no cycles, no import from a lower layer to a higher one)', () => {
    const upwards = edges.filter((e) => (rank.get(e.to) ?? -1) >= (rank.get(e.from) ?? -1)).map((e) => e.site);
    expect(upwards).toEqual([]);
  });

  it('see real imports (the scan is not empty)', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.some((e) => e.from === 'src/cli' && e.to === 'src/build')).toBe(true);
  });
});
