import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../diagnostics.js';
import { buildProject } from '../build/build-project.js';
import type { Artifact } from '../render/artifact.js';

/** Builds the project; any error ends the command with its diagnostics (exit 1), nothing applied. */
export async function buildForApply(root: string, env: string | undefined): Promise<readonly Artifact[]> {
  const r = await buildProject(root, env !== undefined ? { env } : {});
  if (r.diagnostics.hasErrors) throw new UserError(`${r.diagnostics.errors.length} error(s) in the project; nothing was applied`, 1, r.diagnostics.sorted());
  return r.artifacts;
}

/** The rendered dashboards, parsed, in uid order. */
export function dashboardsOf(artifacts: readonly Artifact[]): Record<string, unknown>[] {
  return artifacts
    .filter((a) => a.path.startsWith('grafana/dashboards/') && a.path.endsWith('.json'))
    .map((a) => JSON.parse(a.content) as Record<string, unknown>);
}

/** The token from `--token-file` (trimmed); a missing or empty file is bad input. */
export function readToken(cwd: string, file: string | undefined, required: boolean): string {
  if (file === undefined) {
    if (required) throw new UserError('--token-file is required (a file holding a Grafana service account token)', 2);
    return '';
  }
  const p = path.resolve(cwd, file);
  let token: string;
  try {
    token = fs.readFileSync(p, 'utf8').trim();
  } catch {
    throw new UserError(`cannot read --token-file ${file}`, 1);
  }
  if (token === '') throw new UserError(`--token-file ${file} is empty`, 1);
  return token;
}

/** Validates `--grafana-url` (http or https, no credentials in it). */
export function grafanaUrl(value: string | undefined, usage: string): string {
  if (!value) throw new UserError(`--grafana-url is required\nusage: ${usage}`, 2);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UserError(`--grafana-url must be a URL like https://grafana.example:3000, got ${JSON.stringify(value)}\nusage: ${usage}`, 2);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`--grafana-url must be http or https, got ${u.protocol}`, 2);
  if (u.username || u.password) throw new UserError('--grafana-url must not carry credentials; use --token-file', 2);
  return value;
}
