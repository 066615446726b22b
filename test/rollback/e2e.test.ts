import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { DecisionView } from '../../src/rollback/app/decision-state.js';
import { TOKEN, listen, tempDir, waitFor } from './helpers.js';
import { freePort } from '../support/free-port.js';

/**
 * End to end with real binaries on 127.0.0.1: a target exposing counters, Prometheus evaluating
 * the SLO rules `vigil render` generated for a 1d-period SLO (page pairs from 5m/1m), Alertmanager
 * routing the page to `vigil rollback serve` (a child process), which flips a flagd flag.
 */
const SLO = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: e2e-svc
labels: { team: e2e }
period: 1d
# Evaluated every second like the rest of this test's Prometheus (SLO groups default to 1m).
evaluationInterval: 1s
slos:
  - name: availability
    objective: 99
    indicator:
      ratio:
        errors: e2e_requests_total{code=~"5.."}
        total: e2e_requests_total
    groupBy: [model]
`;

describe('rollback trigger end to end (Prometheus + Alertmanager + vigil rollback serve)', () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const f of cleanups.reverse()) await f().catch(() => undefined);
  });

  it('pages once, flips the flag once, ignores repeats and a restart, and does nothing on resolve', async () => {
    const root = await tempDir('vigil-rb-e2e-');
    cleanups.push(() => fs.rm(root, { recursive: true, force: true }));
    await fs.mkdir(path.join(root, 'slos'));
    await fs.writeFile(path.join(root, 'slos', 'e2e-svc.yaml'), SLO);
    const out: string[] = [];
    const sink = { write: (s: string) => out.push(s) };
    expect(await run(['render', '--root', root, '--out', path.join(root, 'build')], { cwd: root, stdout: sink, stderr: sink })).toBe(0);
    const rules = path.join(root, 'build', 'prometheus', 'rules', 'e2e-svc.slo.rules.yaml');
    expect(await fs.readFile(rules, 'utf8')).toContain('severity: critical');

    // The target: 20 requests/s for model resnet, all 500s once `failing` is set.
    let failing = false;
    const counts = { ok: 0, err: 0 };
    const traffic = setInterval(() => (failing ? (counts.err += 2) : (counts.ok += 2)), 100);
    cleanups.push(() => {
      clearInterval(traffic);
      return Promise.resolve();
    });
    const target = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        `# TYPE e2e_requests_total counter\ne2e_requests_total{model="resnet",code="200"} ${counts.ok}\ne2e_requests_total{model="resnet",code="500"} ${counts.err}\n`,
      );
    });
    cleanups.push(target.close);

    const [promPort, amPort, trigPort] = [await freePort(), await freePort(), await freePort()];
    const flagPath = path.join(root, 'flags.json');
    const flagDoc = (variant: string) =>
      JSON.stringify({
        flags: {
          'model-version-resnet': {
            state: 'ENABLED',
            variants: { stable: 'resnet@1', canary: 'resnet@2' },
            defaultVariant: variant,
            targeting: {
              fractional: [
                ['canary', 50],
                ['stable', 50],
              ],
            },
          },
        },
      });
    await fs.writeFile(flagPath, flagDoc('canary'));
    await fs.writeFile(path.join(root, 'token'), `${TOKEN}\n`);
    await fs.writeFile(
      path.join(root, 'policy.yaml'),
      `apiVersion: vigil/v1\nkind: RollbackPolicy\ndefaults: { cooldown: 30m }\ntargets:\n  model:\n    flagdFlag: { file: ${JSON.stringify(flagPath)}, flag: "model-version-{{model}}", variant: stable }\nrules:\n  - name: e2e-page\n    match: { service: e2e-svc, severity: critical }\n    target: model\n`,
    );
    await fs.writeFile(
      path.join(root, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\nrule_files: [${JSON.stringify(rules)}]\nalerting:\n  alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:${amPort}'] }] }]\nscrape_configs:\n  - job_name: e2e\n    static_configs: [{ targets: ['${new URL(target.url).host}'] }]\n`,
    );
    await fs.writeFile(
      path.join(root, 'alertmanager.yml'),
      `route:\n  receiver: rollback\n  group_by: [alertname, slo]\n  group_wait: 1s\n  group_interval: 2s\n  repeat_interval: 4s\nreceivers:\n  - name: rollback\n    webhook_configs:\n      - url: http://127.0.0.1:${trigPort}/v1/alertmanager\n        send_resolved: true\n        http_config:\n          authorization: { type: Bearer, credentials_file: ${JSON.stringify(path.join(root, 'token'))} }\n`,
    );

    const spawnLogged = (cmd: string, args: string[], name: string) => {
      const c = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout.on('data', (d: Buffer) => out.push(`[${name}] ${d.toString('utf8')}`));
      c.stderr.on('data', (d: Buffer) => out.push(`[${name}] ${d.toString('utf8')}`));
      children.push(c);
      return c;
    };
    const startTrigger = () =>
      spawnLogged(
        process.execPath,
        [
          '--import',
          pathToFileURL(path.resolve(import.meta.dirname, '../../node_modules/tsx/dist/loader.mjs')).href,
          path.join(import.meta.dirname, 'fixtures', 'vigil-cli.ts'),
          'rollback',
          'serve',
          '--policy',
          'policy.yaml',
          '--listen',
          `127.0.0.1:${trigPort}`,
          '--token-file',
          'token',
          '--state-dir',
          'state',
        ],
        'trigger',
      );
    const trigUrl = `http://127.0.0.1:${trigPort}`;
    const up = (url: string) =>
      fetch(url).then(
        (r) => r.ok,
        () => false,
      );
    let trigger = startTrigger();
    spawnLogged(
      '/usr/bin/prometheus-alertmanager',
      [
        `--config.file=${path.join(root, 'alertmanager.yml')}`,
        `--storage.path=${path.join(root, 'am')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
      ],
      'alertmanager',
    );
    spawnLogged(
      '/usr/bin/prometheus',
      [
        `--config.file=${path.join(root, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(root, 'prom')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--rules.alert.resend-delay=1s',
      ],
      'prometheus',
    );
    const report = () => out.join('').slice(-4000);
    try {
      await waitFor(() => up(`${trigUrl}/healthz`), 30_000, 'trigger');
      await waitFor(() => up(`http://127.0.0.1:${amPort}/-/ready`), 30_000, 'alertmanager');
      const burn = async () =>
        ((
          (await (
            await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent('slo:burn_rate:rate1m')}`).catch(() => undefined)
          )
            ?.json()
            .catch(() => undefined)) as { data?: { result?: unknown[] } } | undefined
        )?.data?.result?.length ?? 0) > 0;
      // The base rule compares each counter with its value one base window (1m here) earlier, so the first
      // recorded rates need a minute of scraped history.
      await waitFor(burn, 100_000, 'recorded burn-rate series');

      const decisions = async () =>
        ((await (await fetch(`${trigUrl}/v1/decisions`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { decisions: DecisionView[] }).decisions;
      const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${trigUrl}/metrics`)).text())?.[1] ?? 0);
      const variant = async () =>
        (JSON.parse(await fs.readFile(flagPath, 'utf8')) as { flags: Record<string, { defaultVariant: string }> }).flags['model-version-resnet']!
          .defaultVariant;

      const failedAt = Date.now();
      failing = true;
      await waitFor(async () => (await variant()) === 'stable', 90_000, 'flag flip');
      const secondsToAction = (Date.now() - failedAt) / 1000;
      console.log(`e2e: ${secondsToAction.toFixed(1)}s from first failing request to the flagd flip`);

      // Alertmanager repeats the page every few seconds: deduplicated, nothing acts again.
      await waitFor(async () => (await metric('vigil_rollback_duplicate_alerts_total')) >= 2, 30_000, 'repeated deliveries');
      // The flag file is written before the outcome is appended to the decision log.
      await waitFor(async () => (await decisions()).find((d) => d.decision.verdict === 'act')?.outcome, 30_000, 'action outcome recorded');
      const acted = (await decisions()).filter((d) => d.decision.verdict === 'act');
      expect(acted).toHaveLength(1);
      expect(acted[0]?.outcome?.status).toBe('success');
      expect(acted[0]?.decision.alert.labels).toMatchObject({ slo: 'e2e-svc-availability', service: 'e2e-svc', model: 'resnet', severity: 'critical' });

      // Kill the trigger mid-incident; someone puts the canary back; repeats after restart change nothing.
      trigger.kill('SIGKILL');
      await new Promise((r) => trigger.once('exit', r));
      await fs.writeFile(flagPath, flagDoc('canary'));
      trigger = startTrigger();
      await waitFor(() => up(`${trigUrl}/healthz`), 30_000, 'trigger restart');
      await waitFor(async () => (await metric('vigil_rollback_duplicate_alerts_total')) >= 2, 30_000, 'repeated deliveries after restart');
      expect(await variant()).toBe('canary');
      expect((await decisions()).filter((d) => d.decision.verdict === 'act')).toHaveLength(1);

      // Recovery: the page resolves; the resolved notification closes the record and reverses nothing.
      failing = false;
      await waitFor(async () => (await decisions()).find((d) => d.decision.verdict === 'act')?.resolvedAt, 150_000, 'resolved notification');
      expect(await variant()).toBe('canary');
      expect((await decisions()).filter((d) => d.decision.verdict === 'act')).toHaveLength(1);
      expect(secondsToAction).toBeLessThan(60);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- logs ---\n${report()}`);
    }
  }, 280_000);
});
