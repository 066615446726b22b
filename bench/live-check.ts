/**
 * `vigil check --prometheus-url` on this repo's specs against a loopback Prometheus (issue 11,
 * item 3). Prometheus 2.42 scrapes itself and the simulated GPU exporter (4 GPUs), so some of the
 * repo's selectors match series and most SLO selectors do not (nothing serves the document API).
 * Measured: the whole command in a fresh process (wall and CPU time, with and without the flag,
 * runs alternated), and the live stage alone in-process on a loaded model at concurrency 8 (the
 * default) and 1, on loopback and through a proxy that delays each request by 20 ms. Run with
 * `npm run bench live-check`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { checkLive } from '../src/live/check-live.js';
import { loadProject } from '../src/project/load-project.js';
import { freePort } from '../test/support/free-port.js';
import { median, writeSection } from './lib/report.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const PROCESS_RUNS = 5;
const STAGE_RUNS = 9;
/** Round-trip time the delaying proxy adds to every request (a Prometheus in another data centre). */
const REMOTE_DELAY_MS = 20;

/** A loopback proxy to `target` that answers each request `delayMs` late. */
async function delayingProxy(target: string, delayMs: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      void fetch(`${target}${req.url ?? '/'}`).then(async (r) => {
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Wall and CPU time (user + system) of one `vigil check` process, from the import of the CLI to its exit code. */
function checkProcess(args: readonly string[]): { ms: number; cpuMs: number } {
  const argv = JSON.stringify(['check', '--root', ROOT, ...args]);
  const script = `const t0 = performance.now(); const { run } = await import(${JSON.stringify(path.join(ROOT, 'src/cli/main.ts'))}); let err = ''; const code = await run(${argv}, { stdout: { write() {} }, stderr: { write: (s) => (err += s) }, cwd: process.cwd() }); const u = process.cpuUsage(); process.stdout.write(JSON.stringify({ code, err, ms: performance.now() - t0, cpuMs: (u.user + u.system) / 1000 }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`vigil check failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout) as { code: number; err: string; ms: number; cpuMs: number };
  if (res.code !== 0) throw new Error(`vigil check ${args.join(' ')} exited ${res.code}: ${res.err}`);
  lastSummary = res.err.trim().split('\n').at(-1) ?? '';
  return { ms: res.ms, cpuMs: res.cpuMs };
}

let lastSummary = '';

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-live-'));
  const children: ChildProcess[] = [];
  try {
    const exporterPort = await freePort();
    const promPort = await freePort();
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
          '4',
          '--listen',
          `127.0.0.1:${exporterPort}`,
          '--log-level',
          'error',
        ],
        { cwd: ROOT, stdio: 'ignore' },
      ),
    );
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: gpu-exporter\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:${promPort}']\n`,
    );
    children.push(
      spawn(
        '/usr/bin/prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--log.level=warn',
        ],
        { stdio: 'ignore' },
      ),
    );
    const url = `http://127.0.0.1:${promPort}`;
    await waitFor('the first scrape of the exporter', async () => {
      const body = (await (await fetch(`${url}/api/v1/series?match[]=DCGM_FI_DEV_GPU_TEMP`)).json()) as { data: unknown[] };
      return body.data.length === 4;
    });

    const plain: { ms: number; cpuMs: number }[] = [];
    const withLive: { ms: number; cpuMs: number }[] = [];
    const loadBefore = os.loadavg()[0]!.toFixed(1);
    for (let i = 0; i < PROCESS_RUNS; i++) {
      plain.push(checkProcess([]));
      withLive.push(checkProcess(['--prometheus-url', url]));
    }
    const summary = lastSummary.replace(url, 'http://127.0.0.1:PORT');

    const { model } = await loadProject(ROOT);
    const stage = async (concurrency: number, at = url) => {
      const times: number[] = [];
      let last: Awaited<ReturnType<typeof checkLive>> | undefined;
      for (let i = 0; i < STAGE_RUNS; i++) {
        const t0 = performance.now();
        last = await checkLive(model, { url: at, concurrency });
        times.push(performance.now() - t0);
      }
      return { ms: median(times), result: last! };
    };
    const c8 = await stage(8);
    const c1 = await stage(1);
    const proxy = await delayingProxy(url, REMOTE_DELAY_MS);
    const r8 = await stage(8, proxy.url);
    const r1 = await stage(1, proxy.url);
    await proxy.close();
    const load = os.loadavg()[0]!.toFixed(1);
    const byCode = new Map<string, number>();
    for (const d of c8.result.diagnostics) byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);
    const codes = [...byCode]
      .sort()
      .map(([c, n]) => `${c} × ${n}`)
      .join(', ');

    const ms = (x: number) => `${Math.round(x)} ms`;
    writeSection(
      'live-check',
      `## \`vigil check --prometheus-url\` on this repo (loopback Prometheus)

Prometheus 2.42 on 127.0.0.1 scraping itself and the simulated GPU exporter (4 GPUs, 1 s scrape
interval); this repo's ${model.slos.length} SLOs, ${model.alertPacks.length} alert packs and ${model.dashboards.length} dashboards. Whole command: a fresh Node
process (tsx) importing the CLI and running \`check\` to its exit code, wall and CPU (user + system)
time, median of ${PROCESS_RUNS} runs each, with and without the flag alternated. Live stage: \`checkLive\` alone on the loaded model, median of ${STAGE_RUNS} runs.

| what | median |
| --- | ---: |
| \`vigil check\`: wall / CPU | ${ms(median(plain.map((x) => x.ms)))} / ${ms(median(plain.map((x) => x.cpuMs)))} |
| \`vigil check --prometheus-url\`: wall / CPU | ${ms(median(withLive.map((x) => x.ms)))} / ${ms(median(withLive.map((x) => x.cpuMs)))} |
| live stage, concurrency 8 (default) | ${ms(c8.ms)} |
| live stage, concurrency 1 | ${ms(c1.ms)} |
| live stage, ${REMOTE_DELAY_MS} ms added per request, concurrency 8 | ${ms(r8.ms)} |
| live stage, ${REMOTE_DELAY_MS} ms added per request, concurrency 1 | ${ms(r1.ms)} |

The live stage read ${c8.result.probes} selector uses, ${c8.result.selectors} distinct selectors, in ${c8.result.requests} HTTP requests (names,
metadata, one series request per distinct selector whose metric exists, label values to explain
empty ones); findings: ${codes || 'none'}. Last summary line: \`${summary}\`. On loopback the
stage is CPU-bound (parsing every expression, explaining the empty selectors), so concurrency only
pays once requests travel: the ${REMOTE_DELAY_MS} ms rows go through a loopback proxy that answers each
request that much later. The machine is shared with other builds (load average ${loadBefore} at the start, ${load} at the end, 1 min, on 2 cores): CPU time is the steadier figure.`,
    );
    console.log(
      `check ${ms(median(plain.map((x) => x.cpuMs)))} CPU, with --prometheus-url ${ms(median(withLive.map((x) => x.cpuMs)))} CPU; live stage ${ms(c8.ms)} (c=8), ${ms(c1.ms)} (c=1); +${REMOTE_DELAY_MS} ms: ${ms(r8.ms)} (c=8), ${ms(r1.ms)} (c=1)`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
