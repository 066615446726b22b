import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { startFakeLeaseApi } from './fakes/fake-lease-api.js';
import { TOKEN, alert, listen, payload, readBody, tempDir, waitFor } from './helpers.js';

/**
 * Issue 13, item 7: two `vigil rollback serve --ha-lease` processes against the fake Lease API.
 * kill -9 of the leader → the standby leads within the lease duration (measured); a leader paused
 * with SIGSTOP past its lease and resumed after the other took over never acts again and steps
 * down (proved with a webhook action endpoint that records every call and its lease generation).
 */
const KUBE_TOKEN = 'kube-token-for-the-fake';
const LEASE_S = 3;
const RETRY_MS = 500;

interface Hook {
  at: number;
  slo: string;
  holder: string;
  generation: number;
}

describe('rollback trigger failover between two processes', () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGCONT');
        c.kill('SIGKILL');
      }
    }
    for (const f of cleanups.reverse()) await f().catch(() => undefined);
  });

  it('fails over after kill -9 within the lease duration, and a resumed paused leader never acts', { timeout: 90_000 }, async () => {
    const root = await tempDir('vigil-rb-ha-');
    cleanups.push(() => fs.rm(root, { recursive: true, force: true }));
    const api = await startFakeLeaseApi(KUBE_TOKEN);
    cleanups.push(api.close);

    // The action endpoint: records who acted under which generation; /hook/flaky always fails retryably.
    const hooks: Hook[] = [];
    const sink = await listen(async (req, res) => {
      const body = JSON.parse(await readBody(req)) as { slo: string; lease?: { holder: string; generation: number } };
      hooks.push({ at: Date.now(), slo: body.slo, holder: body.lease?.holder ?? 'none', generation: body.lease?.generation ?? -1 });
      res.writeHead(req.url === '/hook/flaky' ? 503 : 200).end();
    });
    cleanups.push(sink.close);

    await fs.writeFile(path.join(root, 'token'), `${TOKEN}\n`);
    await fs.writeFile(path.join(root, 'hook-secret'), 'hook-secret-0123456789\n');
    await fs.writeFile(
      path.join(root, 'kubeconfig'),
      `apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters: [{ name: fake, cluster: { server: "${api.url}" } }]\nusers: [{ name: u, user: { token: ${KUBE_TOKEN} } }]\ncontexts: [{ name: fake, context: { cluster: fake, user: u } }]\n`,
    );
    await fs.writeFile(
      path.join(root, 'policy.yaml'),
      [
        'apiVersion: vigil/v1',
        'kind: RollbackPolicy',
        'defaults: { cooldown: 30m }',
        'retry: { maxAttempts: 5, initialBackoff: 2s, maxBackoff: 2s, budget: 1m }',
        `kubernetes: { kubeconfig: ${JSON.stringify(path.join(root, 'kubeconfig'))} }`,
        `webhook: { secretFile: ${JSON.stringify(path.join(root, 'hook-secret'))} }`,
        'targets:',
        `  hook: { webhook: { url: "${sink.url}/hook/{{slo}}" } }`,
        'rules:',
        '  - { name: page, match: { service: ha-svc }, target: hook }',
        '',
      ].join('\n'),
    );

    const logs: string[] = [];
    const ports = { a: await freePort(), b: await freePort() };
    const start = (id: 'a' | 'b') => {
      const c = spawn(
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
          `127.0.0.1:${ports[id]}`,
          '--token-file',
          'token',
          '--state-dir',
          `state-${id}`,
          '--no-poll',
          '--ha-lease',
          'vigil-monitoring/vigil-rollback-trigger',
          '--identity',
          `trigger-${id}`,
          '--advertise-url',
          `http://127.0.0.1:${ports[id]}`,
          '--lease-duration',
          `${LEASE_S}s`,
          '--lease-renew-deadline',
          '2s',
          '--lease-retry-period',
          `${RETRY_MS}ms`,
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      c.stdout.on('data', (d: Buffer) => logs.push(`[${id}] ${d.toString('utf8')}`));
      c.stderr.on('data', (d: Buffer) => logs.push(`[${id}] ${d.toString('utf8')}`));
      children.push(c);
      return c;
    };
    const url = (id: 'a' | 'b') => `http://127.0.0.1:${ports[id]}`;
    const ready = (id: 'a' | 'b') =>
      fetch(`${url(id)}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status === 200,
        () => false,
      );
    const deliver = (id: 'a' | 'b', slo: string, fingerprint: string) =>
      fetch(`${url(id)}/v1/alertmanager`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(payload([alert({ alertname: 'ErrorBudgetBurn', service: 'ha-svc', slo, severity: 'critical' }, { fingerprint })])),
      });
    const report = () => `${logs.join('').slice(-6000)}\nhooks: ${JSON.stringify(hooks)}`;

    try {
      // One leads; the other is a standby that refuses deliveries and reads decisions from the leader.
      let a = start('a');
      await waitFor(() => ready('a'), 30_000, 'a leads');
      const b = start('b');
      await waitFor(
        () =>
          fetch(`${url('b')}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
        'b is up',
      );
      await new Promise((r) => setTimeout(r, 2 * RETRY_MS));
      expect(await ready('b'), report()).toBe(false);
      const refused = await deliver('b', 'first', 'f0000001');
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: string }).error).toMatch(/standby: trigger-b .*leader is trigger-a/);
      const first = await deliver('a', 'first', 'f0000001');
      expect(first.status).toBe(200);
      const firstId = ((await first.json()) as { results: { decisionId: string }[] }).results[0]!.decisionId;
      await waitFor(() => hooks.some((h) => h.slo === 'first'), 10_000, 'first action');
      expect(hooks).toEqual([expect.objectContaining({ slo: 'first', holder: 'trigger-a', generation: 0 })]);
      const viaStandby = await fetch(`${url('b')}/v1/decisions`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(viaStandby.headers.get('x-vigil-served-by')).toBe('trigger-a');
      expect(
        ((await viaStandby.json()) as { decisions: { decision: { alert: { labels: { slo: string } } } }[] }).decisions.map((d) => d.decision.alert.labels.slo),
      ).toEqual(['first']);

      // The standby copies the leader's decisions into its own log (every 2.5 retry periods).
      const holds = async (dir: string, text: string) => {
        const files = await fs.readdir(path.join(root, dir)).catch(() => []);
        for (const f of files) if ((await fs.readFile(path.join(root, dir, f), 'utf8').catch(() => '')).includes(text)) return true;
        return false;
      };
      const holdsLine = async (dir: string, parts: string[]) => {
        const files = await fs.readdir(path.join(root, dir)).catch(() => []);
        for (const f of files) {
          const text = await fs.readFile(path.join(root, dir, f), 'utf8').catch(() => '');
          if (text.split('\n').some((line) => parts.every((p) => line.includes(p)))) return true;
        }
        return false;
      };
      // Its outcome too: an action whose outcome the standby has not copied yet is finished again by
      // the next leader (at least once; actions are idempotent by decision id, as the README says),
      // and this test counts the hook's calls.
      await waitFor(() => holds('state-b', firstId), 10_000, 'b replicates the first decision');
      await waitFor(() => holdsLine('state-b', [firstId, '"type":"outcome"']), 15_000, "b replicates the first decision's outcome");

      // kill -9 the leader: b takes over within the lease duration (plus its polling granularity).
      a.kill('SIGKILL');
      const killedAt = Date.now();
      await waitFor(() => ready('b'), 15_000, 'b takes over');
      const failoverMs = Date.now() - killedAt;
      logs.push(`[test] failover after kill -9: ${failoverMs} ms (lease ${LEASE_S}s, retry ${RETRY_MS}ms)\n`);
      console.log(`HA failover after kill -9: ${failoverMs} ms (lease duration ${LEASE_S} s, retry period ${RETRY_MS} ms)`);
      expect(failoverMs, report()).toBeLessThanOrEqual(LEASE_S * 1000 + 3 * RETRY_MS);
      expect(api.lease('vigil-monitoring', 'vigil-rollback-trigger')?.spec).toMatchObject({ holderIdentity: 'trigger-b', leaseTransitions: 1 });
      // b knows a's decision: Alertmanager's redelivery of the same alert is a duplicate, not a second rollback.
      const again = await deliver('b', 'first', 'f0000001');
      expect(((await again.json()) as { results: unknown[] }).results).toEqual([expect.objectContaining({ result: 'duplicate', decisionId: firstId })]);
      const own = await fetch(`${url('b')}/v1/decisions`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(own.headers.get('x-vigil-served-by')).toBeNull();
      expect(((await own.json()) as { decisions: { decision: { id: string } }[] }).decisions.map((d) => d.decision.id)).toEqual([firstId]);
      expect((await deliver('b', 'second', 'f0000002')).status).toBe(200);
      await waitFor(() => hooks.some((h) => h.slo === 'second'), 10_000, 'second action');
      expect(hooks.find((h) => h.slo === 'second')).toMatchObject({ holder: 'trigger-b', generation: 1 });

      // a comes back as a standby. b starts an action that fails retryably (next attempt in 2 s) ...
      a = start('a');
      await waitFor(
        () =>
          fetch(`${url('a')}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
        'a is up again',
      );
      const flaky = await deliver('b', 'flaky', 'f0000003');
      expect(flaky.status).toBe(200);
      const flakyId = ((await flaky.json()) as { results: { decisionId: string }[] }).results[0]!.decisionId;
      await waitFor(() => hooks.some((h) => h.slo === 'flaky'), 10_000, 'first flaky attempt');
      // a, the standby, has copied the committed decision: as the next leader it will finish it.
      await waitFor(() => holds('state-a', flakyId), 10_000, 'a replicates the flaky decision');
      // ... and is paused before the retry, past its lease: a takes over.
      b.kill('SIGSTOP');
      const stoppedAt = Date.now();
      await waitFor(() => ready('a'), 15_000, 'a takes over from the paused b');
      const pausedFailoverMs = Date.now() - stoppedAt;
      console.log(`HA failover after SIGSTOP: ${pausedFailoverMs} ms`);
      expect(api.lease('vigil-monitoring', 'vigil-rollback-trigger')?.spec).toMatchObject({ holderIdentity: 'trigger-a', leaseTransitions: 2 });
      // A delivery reaches the paused process (queued by the kernel) and is handled after it resumes.
      const queued = deliver('b', 'late', 'f0000004');
      await new Promise((r) => setTimeout(r, 500));
      b.kill('SIGCONT');
      const resumedAt = Date.now();
      expect((await queued).status, report()).toBe(503);
      await new Promise((r) => setTimeout(r, 3000));
      // The deposed leader never acted again: no call from trigger-b after it resumed, one flaky attempt only.
      expect(
        hooks.filter((h) => h.holder === 'trigger-b' && h.at >= resumedAt),
        report(),
      ).toEqual([]);
      // b tried the flaky action only while it led (once, or twice when a loaded machine let its 2 s
      // retry come before the pause); a, the new leader, resumed the decision it copied, under generation 2.
      const flakyByB = hooks.filter((h) => h.slo === 'flaky' && h.holder === 'trigger-b');
      expect(flakyByB.length).toBeGreaterThanOrEqual(1);
      expect(flakyByB.every((h) => h.at < stoppedAt && h.generation === 1)).toBe(true);
      await waitFor(() => hooks.some((h) => h.slo === 'flaky' && h.holder === 'trigger-a'), 10_000, 'a resumes the flaky decision');
      expect(hooks.filter((h) => h.slo === 'flaky' && h.holder !== 'trigger-b').every((h) => h.holder === 'trigger-a' && h.generation === 2)).toBe(true);
      expect(hooks.filter((h) => h.slo === 'first')).toHaveLength(1);
      expect(hooks.filter((h) => h.slo === 'late')).toEqual([]);
      expect(await ready('b')).toBe(false);
      expect(await ready('a')).toBe(true);
      const bLog = logs.filter((l) => l.startsWith('[b]')).join('');
      expect(bLog).toMatch(/stopped leading/);
      expect(bLog).toMatch(/fenced: this replica no longer holds the leader lease/);
      // The new leader acts under the newest generation.
      expect((await deliver('a', 'third', 'f0000005')).status).toBe(200);
      await waitFor(() => hooks.some((h) => h.slo === 'third'), 10_000, 'third action');
      expect(hooks.find((h) => h.slo === 'third')).toMatchObject({ holder: 'trigger-a', generation: 2 });
      // Every rejected Lease write was an optimistic-concurrency conflict.
      expect(api.writes.filter((w) => w.status >= 300).every((w) => w.status === 409)).toBe(true);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${report()}`, { cause: err });
    }
  });
});
