import { Diagnostics, formatDiagnostic } from '../diagnostics.js';
import { loadConfig } from '../load/load-config.js';
import { loadProject } from '../project/load-project.js';
import type { ProjectModel } from '../project/project-model.js';
import type { Artifact } from '../render/artifact.js';
import { renderProject } from '../render/render-project.js';
import { validateProject } from '../validate/validate-project.js';

/** A loaded and validated project, and how to render it. */
export interface CheckedProject {
  readonly model: ProjectModel;
  readonly diagnostics: Diagnostics;
}

/** A checked project with its artifacts. */
export interface BuildResult extends CheckedProject {
  /**
   * Sorted by path; each artifact's text is rendered when read. With errors, what the valid part
   * of the model renders (tests and editors show it; `render` writes nothing then).
   */
  readonly artifacts: readonly Artifact[];
}

/** Stage 1 and 2: load `root` into the model (per-file validation), then the cross-kind checks. */
export async function checkProject(root: string, options: { env?: string | undefined } = {}): Promise<CheckedProject> {
  const { model, diagnostics } = await loadProject(root, options);
  validateProject(model, diagnostics);
  return { model, diagnostics };
}

/**
 * Loads, validates and renders everything under `root` into memory (tests, `vigil test`, apply).
 * `vigil render` streams `renderProject` into the writer instead.
 */
export async function buildProject(root: string, options: { env?: string | undefined; fullProofs?: boolean } = {}): Promise<BuildResult> {
  const checked = await checkProject(root, options);
  const artifacts = [...renderProject(checked.model, { partial: checked.diagnostics.hasErrors, ...(options.fullProofs ? { fullProofs: true } : {}) })];
  return { ...checked, artifacts: artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/** Every declared environment, checked: the models by environment (in declared order) and the diagnostics of all of them. */
export interface CheckedEnvironments {
  readonly environments: readonly { readonly env: string; readonly model: ProjectModel }[];
  readonly diagnostics: Diagnostics;
}

/**
 * Checks the project once per declared environment (vigil.config.yaml `environments:`). A
 * diagnostic several environments share is reported once; none declared is CFG016.
 */
export async function checkAllEnvironments(root: string): Promise<CheckedEnvironments> {
  const all = new Diagnostics();
  const config = await loadConfig(root, all);
  if (all.hasErrors) return { environments: [], diagnostics: all };
  if (config.environments.length === 0) {
    all.error(
      'CFG016',
      '--all-envs: the project declares no environments',
      { file: config.file ?? 'vigil.config.yaml' },
      'declare them in vigil.config.yaml, e.g. environments: [prod, staging]',
    );
    return { environments: [], diagnostics: all };
  }
  const seen = new Set(all.items.map((d) => `${d.severity} ${formatDiagnostic(d)}`));
  const environments: { env: string; model: ProjectModel }[] = [];
  // One after another: dashboard modules run in this process and share its module cache.
  for (const env of config.environments) {
    const { model, diagnostics } = await checkProject(root, { env });
    for (const d of diagnostics.items) {
      const key = `${d.severity} ${formatDiagnostic(d)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      all.add(d);
    }
    environments.push({ env, model });
  }
  return { environments, diagnostics: all };
}
