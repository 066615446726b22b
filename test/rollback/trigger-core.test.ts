import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileDecisionLog } from '../../src/rollback/adapters/file-decision-log.js';
import { PrometheusHttpQuery } from '../../src/rollback/adapters/prometheus-http-query.js';
import { decideRollback } from '../../src/rollback/app/decide-rollback.js';
import { DecisionState } from '../../src/rollback/app/decision-state.js';
import { BurnRatePoller, burnRateQuery } from '../../src/rollback/app/poll-burn-rates.js';
import { RollbackTrigger } from '../../src/rollback/app/rollback-trigger.js';
import type { ActionContext, ActionOutcome, AlertView, DecisionEvent, DecisionLog, ResolvedActionSpec } from '../../src/rollback/ports.js';
import { noopMetrics } from '../../src/rollback/ports.js';
import { listen, policyFrom, tempDir } from './helpers.js';

const POLICY = `apiVersion: vigil/v1
kind: RollbackPolicy
environmentLabel: env
defaults: { cooldown: 10m, maxActionsPerHour: 2 }
environments: { dev: { dryRun: true }, prod: { requireApproval: true } }
targets:
  docs: { argoRollout: { namespace: docs, name: doc-api, operation: abort } }
  model: { flagdFlag: { file: /f.json, flag: "mv-{{model}}", variant: stable }, cooldown: 1m, maxActionsPerHour: 2 }
rules:
  - name: docs-staging-prod
    match: { service: document-processing, severity: critical }
    environments: [staging, prod]
    target: docs
  - name: model
    match: { service: gpu-inference }
    matchRegex: { severity: "critical|page" }
    target: model
`;

let n = 0;
function a(labels: Record<string, string>, fingerprint = `fp${++n}`): AlertView {
  return { fingerprint, startsAt: '2026-08-20T10:00:00Z', status: 'firing', labels, source: 'alertmanager' };
}
const T0 = Date.parse('2026-08-20T10:00:00Z');

describe('decideRollback', () => {
  const policy = policyFrom(POLICY);
  const decide = (state: DecisionState, alert: AlertView, at = T0) => {
    const d = decideRollback(alert, policy, state, at, { id: `id${++n}`, correlationId: 'c' });
    if (d.kind === 'new') state.apply(d.record);
    return d;
  };
  const verdict = (d: ReturnType<typeof decide>) => (d.kind === 'new' ? d.record.verdict : 'duplicate');

  it('scopes rules by environment: dev is dry-run, staging acts, prod waits for approval, unknown env matches no scoped rule', () => {
    const s = new DecisionState();
    const docs = { service: 'document-processing', severity: 'critical' };
    expect(verdict(decide(s, a({ ...docs, env: 'staging' })))).toBe('act');
    expect(verdict(decide(new DecisionState(), a({ ...docs, env: 'prod' })))).toBe('await-approval');
    expect(verdict(decide(new DecisionState(), a({ ...docs, env: 'dev' })))).toBe('no-rule');
    expect(verdict(decide(new DecisionState(), a({ ...docs })))).toBe('no-rule');
    expect(verdict(decide(new DecisionState(), a({ service: 'gpu-inference', severity: 'page', model: 'm', env: 'dev' })))).toBe('dry-run');
  });

  it('never rolls back for SLOIndicatorBroken, even when a rule matches its slo/service labels', () => {
    const labels = { alertname: 'SLOIndicatorBroken', service: 'gpu-inference', severity: 'critical', model: 'm', env: 'staging', reason: 'all_bad' };
    const d = decide(new DecisionState(), a(labels));
    expect(d).toMatchObject({ kind: 'new', record: { verdict: 'no-rule', reason: expect.stringContaining('broken SLI') as unknown } });
    // The same labels under another alert name act: the guard is the alert name alone.
    expect(verdict(decide(new DecisionState(), a({ ...labels, alertname: 'SLOErrorBudgetBurn' })))).toBe('act');
  });

  it('never guesses a target: a templated target without its label is recorded as no-rule with the reason', () => {
    const d = decide(new DecisionState(), a({ service: 'gpu-inference', severity: 'critical', env: 'staging' }));
    expect(d).toMatchObject({ kind: 'new', record: { verdict: 'no-rule', reason: expect.stringContaining('needs alert label(s) model') as unknown } });
  });

  it('keeps cooldowns and hourly limits per resolved target (per model), not per rule', () => {
    const s = new DecisionState();
    const m = (model: string) => ({ service: 'gpu-inference', severity: 'critical', model, env: 'staging' });
    expect(verdict(decide(s, a(m('resnet')), T0))).toBe('act');
    expect(verdict(decide(s, a(m('bert')), T0))).toBe('act');
    expect(verdict(decide(s, a(m('resnet')), T0 + 30_000))).toBe('skip-cooldown');
    expect(verdict(decide(s, a(m('resnet')), T0 + 61_000))).toBe('act');
    expect(verdict(decide(s, a(m('resnet')), T0 + 130_000))).toBe('skip-rate-limit');
    expect(verdict(decide(s, a(m('resnet')), T0 + 3_700_000))).toBe('act');
  });

  it('treats the same fingerprint and startsAt as the same alert instance', () => {
    const s = new DecisionState();
    const first = decide(s, a({ service: 'document-processing', severity: 'critical', env: 'staging' }, 'same'));
    const again = decide(s, a({ service: 'document-processing', severity: 'critical', env: 'staging' }, 'same'));
    expect(again).toEqual({ kind: 'duplicate', id: first.kind === 'new' ? first.record.id : '' });
  });
});

class MemoryLog implements DecisionLog {
  events: DecisionEvent[] = [];
  readAll() {
    return Promise.resolve([...this.events]);
  }
  append(e: DecisionEvent) {
    this.events.push(e);
    return Promise.resolve();
  }
  async close() {}
}

describe('executeRollback retries', () => {
  function trigger(outcomes: ActionOutcome[], retry = '') {
    const policy = policyFrom(POLICY.replace('environmentLabel: env', `environmentLabel: env\n${retry}`));
    const sleeps: number[] = [];
    const calls: ResolvedActionSpec[] = [];
    const contexts: ActionContext[] = [];
    const log = new MemoryLog();
    let clock = T0;
    const t = new RollbackTrigger({
      policy,
      log,
      clock: () => clock,
      sleep: (ms) => {
        sleeps.push(ms);
        clock += ms;
        return Promise.resolve();
      },
      actions: {
        create: (spec) => ({
          kind: 'fake',
          target: 'fake',
          execute: (ctx) => {
            calls.push(spec);
            contexts.push(ctx);
            return Promise.resolve(outcomes.shift() ?? { status: 'success', detail: 'ok' });
          },
        }),
      },
    });
    return { t, sleeps, calls, log, contexts };
  }
  const fire = (t: RollbackTrigger) => t.handleAlert(a({ service: 'document-processing', severity: 'critical', env: 'staging' }), 'cid');

  it('retries retryable failures with doubling backoff and records one outcome with the attempt count', async () => {
    const { t, sleeps, log } = trigger(
      [
        { status: 'failed', detail: '503', retryable: true },
        { status: 'failed', detail: '503', retryable: true },
      ],
      'retry: { maxAttempts: 5, initialBackoff: 100ms, maxBackoff: 150ms, budget: 1m }',
    );
    await fire(t);
    await t.idle();
    expect(sleeps).toEqual([100, 150]);
    expect(log.events.filter((e) => e.type === 'outcome')).toEqual([expect.objectContaining({ status: 'success', attempts: 3 })]);
  });

  it("tells the action what it rolls back: service, SLO, environment, policy target and rule, and the alert's labels", async () => {
    const { t, contexts, log } = trigger([]);
    await t.handleAlert(a({ service: 'document-processing', slo: 'doc-availability', severity: 'critical', env: 'staging' }), 'cid');
    await t.idle();
    const decision = log.events.find((e) => e.type === 'decision')!;
    expect(decision.type === 'decision' && decision.verdict).toBe('act');
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.subject).toEqual({
      service: 'document-processing',
      slo: 'doc-availability',
      environment: 'staging',
      target: decision.type === 'decision' ? decision.targetName : undefined,
      rule: decision.type === 'decision' ? decision.rule : undefined,
      alert: {
        fingerprint: expect.any(String) as unknown,
        startsAt: expect.any(String) as unknown,
        labels: { service: 'document-processing', slo: 'doc-availability', severity: 'critical', env: 'staging' },
      },
    });
    expect(contexts[0]!.subject!.target).toEqual(expect.any(String));
  });

  it('stops at a permanent failure, and at the attempt budget', async () => {
    const permanent = trigger([{ status: 'failed', detail: '403', retryable: false }]);
    await fire(permanent.t);
    await permanent.t.idle();
    expect(permanent.calls).toHaveLength(1);
    const flaky = trigger(
      Array.from({ length: 10 }, () => ({ status: 'failed' as const, detail: '503', retryable: true })),
      'retry: { maxAttempts: 3, initialBackoff: 1s }',
    );
    await fire(flaky.t);
    await flaky.t.idle();
    expect(flaky.calls).toHaveLength(3);
    expect(flaky.log.events.at(-1)).toMatchObject({ type: 'outcome', status: 'failed', attempts: 3 });
  });
});

describe('file decision log', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('group-commits concurrent appends into few fsyncs and reads them back in order', async () => {
    const log = await FileDecisionLog.open(dir);
    const at = new Date().toISOString();
    const events = Array.from({ length: 200 }, (_, i): DecisionEvent => ({
      type: 'decision',
      id: `d${i}`,
      key: `fp${i}|${at}`,
      at,
      correlationId: 'c',
      verdict: 'no-rule',
      reason: 'r',
      alert: { fingerprint: `fp${i}`, startsAt: at, labels: {}, source: 'alertmanager' },
    }));
    await Promise.all(events.map((e) => log.append(e)));
    expect(log.syncs).toBeGreaterThan(0);
    expect(log.syncs).toBeLessThan(10);
    expect(await log.readAll()).toEqual(events);
    await log.close();
    const mode = (await fs.stat(path.join(dir, 'decisions.jsonl'))).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});

describe('poll mode', () => {
  it('queries the recorded burn-rate series by convention name', () => {
    expect(burnRateQuery('docs-availability', '1h')).toBe('slo:burn_rate:rate1h{slo="docs-availability"}');
  });

  it('treats empty and NaN results as no data, breaches only when both windows exceed the factor, and resolves after', async () => {
    const answers: Record<string, { metric: Record<string, string>; value: [number, string] }[]> = {};
    const prom = await listen((req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: answers[q] ?? [] } }));
    });
    try {
      const results: string[] = [];
      const poller = new BurnRatePoller(
        [{ slo: 'gpu-inference-availability', long: '1h', short: '5m', burnRateFactor: 14.4 }],
        new PrometheusHttpQuery(prom.url),
        { ...noopMetrics, pollResult: (r) => results.push(r) },
      );
      const set = (long: string, short: string) => {
        const metric = { __name__: 'x', slo: 'gpu-inference-availability', service: 'gpu-inference', model: 'resnet' };
        answers[burnRateQuery('gpu-inference-availability', '1h')] = [{ metric, value: [0, long] }];
        answers[burnRateQuery('gpu-inference-availability', '5m')] = short === 'absent' ? [] : [{ metric, value: [0, short] }];
      };
      expect(await poller.poll()).toEqual([]); // empty result
      set('NaN', 'NaN');
      expect(await poller.poll()).toEqual([]);
      set('20', 'absent');
      expect(await poller.poll()).toEqual([]);
      set('20', '+Inf');
      expect(await poller.poll()).toEqual([]);
      set('20', '3');
      expect(await poller.poll()).toEqual([]);
      set('20', '30');
      const [firing] = await poller.poll();
      expect(firing).toMatchObject({
        status: 'firing',
        source: 'prometheus-poll',
        labels: {
          slo: 'gpu-inference-availability',
          service: 'gpu-inference',
          model: 'resnet',
          severity: 'critical',
          alertname: 'ErrorBudgetBurn',
          long_window: '1h',
          short_window: '5m',
        },
      });
      expect((await poller.poll())[0]).toMatchObject({ fingerprint: firing!.fingerprint, startsAt: firing!.startsAt });
      set('NaN', '30');
      expect(await poller.poll()).toEqual([]); // no data neither fires nor resolves
      set('1', '1');
      expect(await poller.poll()).toEqual([expect.objectContaining({ status: 'resolved', fingerprint: firing!.fingerprint })]);
      expect(results).toEqual(['no-data', 'no-data', 'no-data', 'no-data', 'ok', 'breach', 'breach', 'no-data', 'ok']);
    } finally {
      await prom.close();
    }
  });
});
