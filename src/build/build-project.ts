import { UserError, type Diagnostics } from '../diagnostics.js';
import { nearestName } from '../load/nearest-name.js';
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
  checkEnvironment(model);
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

/** `--env NAME` must be an environment the project declares: a typo would otherwise render the defaults silently (usage error, exit 2). */
function checkEnvironment(model: ProjectModel): void {
  if (model.env === undefined || model.environments.includes(model.env)) return;
  const meant = nearestName(model.env, model.environments);
  const declared =
    model.environments.length > 0 ? `declared: ${model.environments.join(', ')}` : 'the project declares none (alert pack environments:, AlertParams env:)';
  throw new UserError(`--env ${model.env}: no such environment; ${declared}${meant ? ` (did you mean ${meant}?)` : ''}`, 2);
}
