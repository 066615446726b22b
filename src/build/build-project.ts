import type { Diagnostics } from '../diagnostics.js';
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
