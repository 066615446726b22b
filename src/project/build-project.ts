import { Diagnostics } from '../diagnostics.js';
import { MetricCatalog, type Artifact, type BuildContext } from './types.js';
import { projectParts } from './parts.js';

export interface BuildResult {
  readonly artifacts: readonly Artifact[];
  readonly diagnostics: Diagnostics;
  readonly context: BuildContext;
}

/**
 * Loads, validates and generates everything under `root`. Artifacts are returned even when
 * diagnostics hold errors (callers decide; `render` writes nothing then). Paths are unique:
 * two parts producing one path is an internal error.
 */
export async function buildProject(root: string, options: { env?: string } = {}): Promise<BuildResult> {
  const diags = new Diagnostics();
  const ctx: BuildContext = { root, env: options.env, diags, metrics: new MetricCatalog(), slos: [] };
  const artifacts: Artifact[] = [];
  const seen = new Map<string, string>();
  for (const part of projectParts) {
    for (const a of await part.build(ctx)) {
      const owner = seen.get(a.path);
      if (owner) throw new Error(`parts ${owner} and ${part.name} both generate ${a.path}`);
      seen.set(a.path, part.name);
      artifacts.push(a);
    }
  }
  artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { artifacts, diagnostics: diags, context: ctx };
}
