import { UserError, Diagnostics } from '../diagnostics.js';
import { loadConfig } from '../load/load-config.js';
import { loadEnvironment, reportUnknownEnvironment } from '../load/load-environment.js';
import { loadSlos } from '../load/load-slos.js';
import type { SloModel } from '../model/types.js';
import { PrometheusQueryError, PrometheusUnavailableError } from '../live/prometheus-api.js';
import { EXIT_INVALID, EXIT_USAGE, type CliIo } from './io.js';
import { reportDiagnostics } from './report.js';

/** The SLOs and Prometheus URL `vigil status` and `vigil report` work from. */
export interface PrometheusSource {
  readonly url: string;
  readonly slos: readonly SloModel[];
}

/**
 * Loads the project's config and SLOs for `flags.env` (its overrides applied; an undeclared name is
 * CFG010), no dashboards or alert packs (they are not needed), and picks
 * the Prometheus URL: `--prometheus-url`, else `prometheus.url` of vigil.config.yaml, else a usage
 * error. Returns undefined after printing diagnostics when the specs have errors (exit 1).
 */
export async function loadPrometheusSource(
  root: string,
  flags: { url: string | undefined; service: string | undefined; format: string; env?: string | undefined },
  io: CliIo,
  usage: string,
): Promise<PrometheusSource | undefined> {
  if (flags.url !== undefined && !/^https?:\/\/[^/\s]+/.test(flags.url))
    throw new UserError(`--prometheus-url must be an http(s) URL like http://prometheus:9090, got ${JSON.stringify(flags.url)}\nusage: ${usage}`, EXIT_USAGE);
  const diags = new Diagnostics();
  const config = await loadConfig(root, diags, flags.env);
  if (flags.env !== undefined && config.environments.length === 0) reportUnknownEnvironment(flags.env, config, diags);
  const slos = await loadSlos(root, diags, await loadEnvironment(root, flags.env, config, diags));
  if (diags.hasErrors) {
    reportDiagnostics(io, flags.format, diags.sorted());
    return undefined;
  }
  const url = flags.url ?? config.prometheusUrl;
  if (url === undefined)
    throw new UserError(`no Prometheus to ask: give --prometheus-url URL or set prometheus.url in vigil.config.yaml\nusage: ${usage}`, EXIT_USAGE);
  const chosen = flags.service === undefined ? slos : slos.filter((s) => s.service === flags.service);
  if (flags.service !== undefined && chosen.length === 0) {
    const known = [...new Set(slos.map((s) => s.service))].sort();
    throw new UserError(
      `no service ${JSON.stringify(flags.service)} in slos/; known: ${known.length ? known.join(', ') : '(none)'}\nusage: ${usage}`,
      EXIT_USAGE,
    );
  }
  return { url, slos: chosen };
}

/** The URL as the report shows it: no user, password or query string (they may hold credentials). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * What a command throws for an error from asking Prometheus: a Prometheus that cannot be asked is a
 * usage error (exit 2), a query it refused exit 1, both one line without a stack; anything else is
 * thrown as it is. `catch (err) { throw prometheusUserError(err); }`
 */
export function prometheusUserError(err: unknown): unknown {
  if (err instanceof PrometheusUnavailableError) return new UserError(err.message, EXIT_USAGE);
  if (err instanceof PrometheusQueryError) return new UserError(`Prometheus refused a query: ${err.message}`, EXIT_INVALID);
  return err;
}

/** `--concurrency`: a whole number from 1 to 64 (else exit 2). */
export function parseConcurrency(value: string, usage: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UserError(`--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(value)}\nusage: ${usage}`, EXIT_USAGE);
  return n;
}
