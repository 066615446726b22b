import fs from 'node:fs/promises';
import path from 'node:path';
import { ENV_OVERLAY_FOLDERS, inputPaths } from '../conventions.js';
import type { Diagnostics } from '../diagnostics.js';
import { nearestName } from './nearest-name.js';
import { listSpecFiles } from './read-spec-files.js';
import { readYamlFile } from './read-yaml.js';
import type { YamlSource } from './yaml-source.js';

/**
 * The overlay files of `env` (`envs/<env>/slos/*.yaml`, `envs/<env>/alerts/*.yaml`,
 * `envs/<env>/exporters/gpu/*.yaml`) by folder, parsed. Whatever `env` is, every folder under
 * `envs/` must be a declared environment (CFG011), and a file elsewhere in an environment's folder
 * is not read (CFG015, a warning).
 */
export async function readEnvironmentOverlays(
  root: string,
  env: string | undefined,
  declared: readonly string[],
  diags: Diagnostics,
): Promise<Map<string, YamlSource[]>> {
  const out = new Map<string, YamlSource[]>();
  const top = path.join(root, inputPaths.envOverlays);
  const names = await subfolders(top);
  for (const name of names) {
    if (declared.includes(name)) continue;
    const meant = nearestName(name, declared);
    diags.error(
      'CFG011',
      `environment ${JSON.stringify(name)} is not declared${declared.length > 0 ? ` (declared: ${declared.join(', ')})` : ''}${meant ? `; did you mean ${meant}?` : ''}`,
      { file: `${inputPaths.envOverlays}/${name}/` },
      'envs/<env>/ holds the overlay files of one declared environment (vigil.config.yaml environments:)',
    );
  }
  if (env === undefined || !names.includes(env)) return out;
  const dir = path.join(top, env);
  await reportStrayFiles(root, dir, diags);
  for (const folder of ENV_OVERLAY_FOLDERS) {
    const files = (await listSpecFiles(path.join(dir, folder))).filter((f) => /\.ya?ml$/.test(f));
    const sources = await Promise.all(files.map((f) => readYamlFile(root, f, diags)));
    out.set(
      folder,
      sources.filter((s): s is YamlSource => s !== undefined),
    );
  }
  return out;
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** CFG015: files of an environment's folder that are not in a folder overlays are read from. */
async function reportStrayFiles(root: string, dir: string, diags: Diagnostics): Promise<void> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const rel = path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    const folder = path.posix.dirname(rel);
    if ((ENV_OVERLAY_FOLDERS as readonly string[]).includes(folder) && /\.ya?ml$/.test(rel)) continue;
    diags.warning(
      'CFG015',
      'ignored: an environment overlay is a YAML file in slos/, alerts/ or exporters/gpu/ under envs/<env>/',
      { file: path.relative(root, path.join(dir, rel)) },
      'move it to the folder whose document it patches',
    );
  }
}
