import type { Diagnostics } from '../diagnostics.js';
import type { EnvironmentLoad } from './env-overlay.js';
import type { ProjectConfig } from './load-config.js';
import { nearestName } from './nearest-name.js';
import { readEnvironmentOverlays } from './read-env-overlays.js';

/**
 * What loading needs to apply `env` to every input kind: the declared environments and the
 * overlay files of `env`. An `env` the configuration does not declare is CFG010, at the
 * configuration's `environments:` (nothing is applied then, so the run reports and stops).
 */
export async function loadEnvironment(root: string, env: string | undefined, config: ProjectConfig, diags: Diagnostics): Promise<EnvironmentLoad> {
  const declared = config.environments;
  // A project that declares no environments may still use the alert packs' own (the caller checks those).
  if (env !== undefined && declared.length > 0 && !declared.includes(env)) reportUnknownEnvironment(env, config, diags);
  const overlays = await readEnvironmentOverlays(root, env, declared, diags);
  return { context: { env, declared, overlays }, overrides: [] };
}

/** CFG010: `--env NAME` names no declared environment. */
export function reportUnknownEnvironment(env: string, config: ProjectConfig, diags: Diagnostics, declared: readonly string[] = config.environments): void {
  const meant = nearestName(env, declared);
  diags.error(
    'CFG010',
    `--env ${env}: no such environment; ${declared.length > 0 ? `declared: ${declared.join(', ')}` : 'the project declares none'}${meant ? ` (did you mean ${meant}?)` : ''}`,
    config.environmentsAt ?? { file: config.file ?? 'vigil.config.yaml' },
    declared.length > 0
      ? 'use one of the declared names, or add the environment to vigil.config.yaml environments:'
      : 'declare environments in vigil.config.yaml: environments: [prod, staging]',
  );
}
