import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { buildProject } from '../../src/build/build-project.js';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

const PROMETHEUS = '/usr/bin/prometheus';
const ROOT = path.resolve(import.meta.dirname, '../..');
const NVIDIA_FIXTURE = path.join(ROOT, 'test/exporter/fixtures/dcgm-exporter-dashboard.yaml');
const FLEET_ARTIFACT = 'grafana/dashboards/vigil-gpu-fleet.json';

/** One dashboard panel: its title and the PromQL of its targets, Grafana variables unreplaced. */
export interface PanelQueries {
  readonly title: string;
  readonly exprs: readonly string[];
}

/** A query variable: `label_values(SELECTOR, LABEL)`. */
export interface LabelVariable {
  readonly name: string;
  readonly query: string;
}

/** A dashboard's panels and variables, as the coverage check needs them. */
export interface DashboardQueries {
  readonly name: string;
  /** Where the queries come from (commit or render artifact). */
  readonly source: string;
  readonly panels: readonly PanelQueries[];
  readonly variables: readonly LabelVariable[];
}

/** Which NVIDIA dashboard version (see the fixture's header). */
export type NvidiaDashboardVersion = 'current' | 'legacy';

/** NVIDIA's dcgm-exporter dashboard, from the facts recorded in the fixture. */
export function nvidiaDashboard(version: NvidiaDashboardVersion): DashboardQueries {
  const doc = parse(fs.readFileSync(NVIDIA_FIXTURE, 'utf8')) as Record<
    NvidiaDashboardVersion,
    { commit: string; variables: LabelVariable[]; panels: { title: string; expr: string }[] }
  >;
  const v = doc[version];
  return {
    name: `NVIDIA dcgm-exporter dashboard (${version})`,
    source: `NVIDIA/dcgm-exporter grafana/dcgm-exporter-dashboard.json @ ${v.commit.slice(0, 8)}`,
    panels: v.panels.map((p) => ({ title: p.title, exprs: [p.expr] })),
    variables: v.variables,
  };
}

interface GrafanaPanel {
  type?: string;
  title?: string;
  targets?: { expr?: string }[];
  panels?: GrafanaPanel[];
}

/** This repo's GPU fleet dashboard, rendered in-process like `vigil render` (default environment). */
export async function gpuFleetDashboard(): Promise<DashboardQueries> {
  const build = await buildProject(ROOT);
  const errors = build.diagnostics.errors.map(formatDiagnostic);
  if (errors.length > 0) throw new Error(`render failed:\n${errors.join('\n')}`);
  const artifact = build.artifacts.find((a) => a.path === FLEET_ARTIFACT);
  if (!artifact) throw new Error(`${FLEET_ARTIFACT} is not among the render artifacts`);
  const json = JSON.parse(artifact.content) as { panels: GrafanaPanel[]; templating: { list: { type: string; name: string; query?: unknown }[] } };
  const flat = (ps: GrafanaPanel[]): GrafanaPanel[] => ps.flatMap((p) => [p, ...flat(p.panels ?? [])]);
  return {
    name: 'vigil GPU fleet dashboard',
    source: `build/${FLEET_ARTIFACT}`,
    panels: flat(json.panels)
      .filter((p) => p.type !== 'row')
      .map((p) => ({ title: p.title ?? '', exprs: (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])) })),
    variables: json.templating.list.filter((v) => v.type === 'query' && typeof v.query === 'string').map((v) => ({ name: v.name, query: v.query as string })),
  };
}

/**
 * Replaces Grafana's variables the way the dashboard looks with every picker on "All" over the
 * last few minutes: interval macros become `1m`, every other `$var` / `${var}` the regex `.*`.
 */
export function withVariablesReplaced(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range|\$\{__rate_interval\}|\$\{__interval\}|\$\{__range\}/g, '1m')
    .replace(/\$\{\w+(?::\w+)?\}|\$\w+/g, '.*');
}

/** A panel's result: data means at least one series with a finite value. */
export interface PanelCoverage {
  readonly title: string;
  readonly hasData: boolean;
  readonly series: number;
}

/** A variable's result: how many values Grafana would offer. */
export interface VariableCoverage {
  readonly name: string;
  readonly values: readonly string[];
}

export interface DashboardCoverage {
  readonly dashboard: DashboardQueries;
  readonly panels: readonly PanelCoverage[];
  readonly variables: readonly VariableCoverage[];
}

/** Titles of the panels that have data. */
export const withData = (c: DashboardCoverage) => c.panels.filter((p) => p.hasData).map((p) => p.title);

interface InstantSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A GPU exporter on the simulated source scraped by a real Prometheus, both on 127.0.0.1. */
export interface GpuStack {
  readonly prometheus: string;
  readonly exporter: string;
  /** Instant query; throws on a PromQL error. */
  query(q: string): Promise<InstantSample[]>;
  coverage(d: DashboardQueries): Promise<DashboardCoverage>;
  stop(): Promise<void>;
}

export interface GpuStackOptions {
  readonly simGpus: number;
  readonly simMigGpus?: number;
  readonly hostname?: string;
  /** Faults file contents (YAML). */
  readonly faults?: string;
  /** Path of a models file for `--models`. */
  readonly modelsFile?: string;
  /** Samples of every GPU series Prometheus must hold before `startGpuStack` returns (rates need two). */
  readonly minScrapes?: number;
}

/**
 * The simulated fleet the dashboard checks run on (test and bench alike): 8 GPUs on one node, the
 * first 2 in MIG mode, an XID storm on GPU 5 and corrected ECC errors on GPU 4, so the error panels
 * have something to show.
 */
export const SIMULATED_FLEET = {
  simGpus: 8,
  simMigGpus: 2,
  hostname: 'gpu-node-e2e',
  faults: 'xidStorm:\n  - { gpu: 5, xid: 31, perCycle: 1 }\necc:\n  - { gpu: 4, corrected: 2 }\n',
} as const satisfies GpuStackOptions;

/**
 * Starts `vigil exporter --source simulated` and Prometheus (scrape every 500ms) and waits until
 * Prometheus holds `minScrapes` (default 4) scrapes of the GPU series.
 */
export async function startGpuStack(options: GpuStackOptions): Promise<GpuStack> {
  if (!fs.existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-gpu-dash-'));
  const faults = path.join(dir, 'faults.yaml');
  fs.writeFileSync(faults, options.faults ?? '{}\n');
  const exporterPort = await freePort();
  const promPort = await freePort();
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    children.push(
      spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/run-cli.ts',
          'exporter',
          '--source',
          'simulated',
          '--sim-gpus',
          String(options.simGpus),
          '--sim-mig-gpus',
          String(options.simMigGpus ?? 0),
          '--listen',
          `127.0.0.1:${exporterPort}`,
          '--interval',
          '300ms',
          '--faults',
          faults,
          '--hostname',
          options.hostname ?? 'gpu-node-e2e',
          '--log-level',
          'error',
          ...(options.modelsFile ? ['--models', options.modelsFile] : []),
        ],
        { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
      ),
    );
    const exporter = `http://127.0.0.1:${exporterPort}`;
    await waitFor('exporter', async () => ((await fetch(`${exporter}/healthz`)).ok ? true : undefined));
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 500ms\nscrape_configs:\n  - job_name: gpu-exporter\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`,
    );
    children.push(
      spawn(
        PROMETHEUS,
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      ),
    );
    const prometheus = `http://127.0.0.1:${promPort}`;
    await waitFor('prometheus ready', async () => ((await fetch(`${prometheus}/-/ready`)).ok ? true : undefined));
    const api = async <T>(p: string): Promise<T> => {
      const body = (await (await fetch(`${prometheus}${p}`)).json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`${p}: ${body.error ?? JSON.stringify(body)}`);
      return body.data;
    };
    const query = async (q: string) => (await api<{ result: InstantSample[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`)).result;
    const minScrapes = options.minScrapes ?? 4;
    await waitFor(`${minScrapes} scrapes of the GPU series`, async () =>
      (await query(`count_over_time(DCGM_FI_DEV_FB_FREE[1m]) >= ${minScrapes}`)).length > 0 ? true : undefined,
    );
    const coverage = async (d: DashboardQueries): Promise<DashboardCoverage> => {
      const panels: PanelCoverage[] = [];
      for (const p of d.panels) {
        let series = 0;
        for (const e of p.exprs) series += (await query(withVariablesReplaced(e))).filter((s) => Number.isFinite(Number(s.value[1]))).length;
        panels.push({ title: p.title, hasData: series > 0, series });
      }
      const variables: VariableCoverage[] = [];
      for (const v of d.variables) {
        const m = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query.trim());
        if (!m) throw new Error(`variable ${v.name}: not a label_values() query: ${v.query}`);
        const values = await api<string[]>(`/api/v1/label/${m[2]}/values?match[]=${encodeURIComponent(withVariablesReplaced(m[1]!))}`);
        variables.push({ name: v.name, values });
      }
      return { dashboard: d, panels, variables };
    };
    return { prometheus, exporter, query, coverage, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
