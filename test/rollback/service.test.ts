import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/runtime/logger.js';
import { startRollbackService, type RunningService } from '../../src/rollback/serve.js';
import { TOKEN, alert, call, flagFile, payload, policyFrom, tempDir, type ServiceBody } from './helpers.js';

const labels = {
  alertname: 'ErrorBudgetBurn',
  slo: 'gpu-inference-availability',
  service: 'gpu-inference',
  severity: 'critical',
  model: 'resnet',
  long_window: '1h',
  short_window: '5m',
  environment: 'prod',
};

function policyYaml(flagPath: string, extra = ''): string {
  return `apiVersion: vigil/v1
kind: RollbackPolicy
defaults: { cooldown: 30m, maxActionsPerHour: 2 }
${extra}
targets:
  model-flag:
    flagdFlag: { file: ${JSON.stringify(flagPath)}, flag: "model-version-{{model}}", variant: stable }
rules:
  - name: inference-page
    match: { service: gpu-inference, severity: critical }
    target: model-flag
`;
}

/** The flagd flag file as these tests read it back. */
interface FlagFile {
  flags: Record<string, { state: string; defaultVariant: string; targeting?: unknown }>;
}

describe('rollback trigger service', () => {
  let dir: string;
  let flagPath: string;
  let svc: RunningService | undefined;
  let logLines: string[];

  async function start(extra = '', maxBodyBytes?: number): Promise<RunningService> {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    svc = await startRollbackService({
      policy: policyFrom(policyYaml(flagPath, extra)),
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      stateDir: path.join(dir, 'state'),
      logger: createLogger({ component: 'rollback', level: 'debug', destination: sink }),
      ...(maxBodyBytes ? { maxBodyBytes } : {}),
    });
    return svc;
  }
  const flag = async () => (JSON.parse(await fs.readFile(flagPath, 'utf8')) as FlagFile).flags['model-version-resnet'];

  beforeEach(async () => {
    dir = await tempDir();
    flagPath = path.join(dir, 'flags.json');
    await fs.writeFile(flagPath, JSON.stringify(flagFile(), null, 2));
    logLines = [];
  });
  afterEach(async () => {
    await svc?.close();
    svc = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('flips the model flag to the stable variant once for a firing page and records why', async () => {
    const s = await start();
    const res = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]));
    expect(res.status).toBe(200);
    expect(res.body.results?.[0]).toMatchObject({ result: 'decided', verdict: 'act' });
    await s.trigger.idle();
    expect(await flag()).toMatchObject({ defaultVariant: 'stable', state: 'ENABLED' });
    expect((await flag())!.targeting).toBeUndefined();
    const d = await call(s.url, 'GET', '/v1/decisions');
    expect(d.body.decisions).toHaveLength(1);
    expect(d.body.decisions?.[0]?.decision).toMatchObject({
      verdict: 'act',
      rule: 'inference-page',
      target: `flagd:${flagPath}#model-version-resnet`,
      alert: { fingerprint: 'c0ffee1234abcd56' },
    });
    expect(d.body.decisions?.[0]?.outcome).toMatchObject({ status: 'success', attempts: 1 });
  });

  it('acts once when Alertmanager delivers the same alert five times, concurrently and in sequence', async () => {
    const s = await start();
    const body = payload([alert(labels)]);
    const concurrent = await Promise.all([1, 2, 3].map(() => call(s.url, 'POST', '/v1/alertmanager', body)));
    await s.trigger.idle();
    const repeats = [
      await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)], 'repeat interval elapsed')),
      await call(s.url, 'POST', '/v1/alertmanager', body),
    ];
    expect([...concurrent, ...repeats].map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect([...concurrent, ...repeats].filter((r) => r.body.results![0]!.result === 'decided')).toHaveLength(1);
    const decisions = (await call(s.url, 'GET', '/v1/decisions')).body.decisions;
    expect(decisions).toHaveLength(1);
    expect(decisions?.[0]?.outcome?.status).toBe('success');
    const metrics = (await call<string>(s.url, 'GET', '/metrics', undefined, { token: null })).body;
    expect(metrics).toMatch(/vigil_rollback_duplicate_alerts_total 4/);
    expect(metrics).toMatch(/vigil_rollback_actions_total\{kind="flagd-flag",outcome="success"\} 1/);
  });

  it('never acts on a resolved alert, and a resolve only closes the incident record', async () => {
    const s = await start();
    const r1 = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels, { status: 'resolved' })], 'all alerts resolved'));
    expect(r1.body.results?.[0]?.result).toBe('ignored-resolved');
    await s.trigger.idle();
    expect((await flag())?.defaultVariant).toBe('canary');
    expect((await call(s.url, 'GET', '/v1/decisions')).body.decisions).toHaveLength(0);

    await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]));
    await s.trigger.idle();
    const r2 = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels, { status: 'resolved' })], 'all alerts resolved'));
    expect(r2.body.results?.[0]?.result).toBe('resolved');
    const [view] = (await call(s.url, 'GET', '/v1/decisions')).body.decisions ?? [];
    expect(view?.resolvedAt).toBeTypeOf('string');
    expect((await flag())?.defaultVariant).toBe('stable'); // not reversed
  });

  it('holds a second alert on the same target within the cooldown and records it as skipped', async () => {
    const s = await start();
    await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]));
    await s.trigger.idle();
    await fs.writeFile(flagPath, JSON.stringify(flagFile(), null, 2)); // someone re-enabled the canary
    const r = await call(
      s.url,
      'POST',
      '/v1/alertmanager',
      payload([alert({ ...labels, long_window: '6h', short_window: '30m' }, { fingerprint: 'beef000000000001' })]),
    );
    expect(r.body.results?.[0]?.verdict).toBe('skip-cooldown');
    await s.trigger.idle();
    expect((await flag())?.defaultVariant).toBe('canary');
  });

  it('survives a restart mid-incident: the decision is kept and the repeat after restart does nothing', async () => {
    let s = await start();
    await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]));
    await s.trigger.idle();
    await s.close();
    svc = undefined;
    await fs.writeFile(flagPath, JSON.stringify(flagFile(), null, 2)); // would be flipped again if the trigger forgot
    s = await start();
    const r = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)], 'repeat interval elapsed'));
    expect(r.body.results?.[0]?.result).toBe('duplicate');
    await s.trigger.idle();
    expect((await flag())?.defaultVariant).toBe('canary');
    const decisions = (await call(s.url, 'GET', '/v1/decisions')).body.decisions;
    expect(decisions).toHaveLength(1);
    expect(decisions?.[0]?.outcome?.status).toBe('success');
  });

  it('resumes a decision that was written but not acted on before a crash, exactly once', async () => {
    const stateDir = path.join(dir, 'state');
    await fs.mkdir(stateDir, { recursive: true });
    const record = {
      type: 'decision',
      id: 'd-crash-1',
      key: 'c0ffee1234abcd56|2026-08-20T10:00:00Z',
      at: new Date().toISOString(),
      correlationId: 'cid-before-crash',
      verdict: 'act',
      reason: 'test',
      alert: { fingerprint: 'c0ffee1234abcd56', startsAt: '2026-08-20T10:00:00Z', labels, source: 'alertmanager' },
      rule: 'inference-page',
      targetName: 'model-flag',
      target: `flagd:${flagPath}#model-version-resnet`,
      action: { kind: 'flagdFlag', file: flagPath, flag: 'model-version-resnet', variant: 'stable' },
    };
    await fs.writeFile(path.join(stateDir, 'decisions.jsonl'), `${JSON.stringify(record)}\n{"type":"outc`); // torn last line
    const s = await start();
    await s.trigger.idle();
    expect((await flag())?.defaultVariant).toBe('stable');
    const r = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]));
    expect(r.body.results?.[0]).toMatchObject({ result: 'duplicate', decisionId: 'd-crash-1' });
    const [view] = (await call(s.url, 'GET', '/v1/decisions')).body.decisions ?? [];
    expect(view?.outcome?.status).toBe('success');
    expect(logLines.some((l) => l.includes('cid-before-crash') && l.includes('rollback action finished'))).toBe(true);
  });

  it('waits for approval in production when the policy says so, then acts on POST /v1/approvals/{id}', async () => {
    const s = await start('environments: { prod: { requireApproval: true } }');
    const r = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]));
    expect(r.body.results?.[0]?.verdict).toBe('await-approval');
    await s.trigger.idle();
    expect((await flag())?.defaultVariant).toBe('canary');
    const id = r.body.results![0]!.decisionId!;
    expect((await call(s.url, 'POST', `/v1/approvals/${id}`, { by: 'alice' }, { token: 'wrong-token' })).status).toBe(401);
    expect((await call(s.url, 'POST', '/v1/approvals/d-unknown', { by: 'alice' })).status).toBe(404);
    const ok = await call(s.url, 'POST', `/v1/approvals/${id}`, { approved: true, by: 'alice' });
    expect(ok.status).toBe(200);
    await s.trigger.idle();
    expect((await flag())?.defaultVariant).toBe('stable');
    const again = await call(s.url, 'POST', `/v1/approvals/${id}`, { approved: true, by: 'bob' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/already approved by alice/);
  });

  it('refuses an approval after the alert resolved', async () => {
    const s = await start('environments: { prod: { requireApproval: true } }');
    const r = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]));
    await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels, { status: 'resolved' })]));
    const res = await call(s.url, 'POST', `/v1/approvals/${r.body.results![0]!.decisionId!}`, { by: 'alice' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/resolved/);
    expect((await flag())?.defaultVariant).toBe('canary');
  });

  it('records a dry-run decision and leaves the flag file untouched', async () => {
    const s = await start('environments: { prod: { dryRun: true } }');
    const before = await fs.readFile(flagPath, 'utf8');
    const r = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]));
    expect(r.body.results?.[0]?.verdict).toBe('dry-run');
    await s.trigger.idle();
    expect(await fs.readFile(flagPath, 'utf8')).toBe(before);
  });

  it('answers bad input with 400/401/404/405/413 and a reason, never 5xx', async () => {
    const s = await start('', 4096);
    const good = payload([alert(labels)]);
    const cases: [string, Promise<{ status: number; body: ServiceBody }>, number, RegExp][] = [
      ['no token', call(s.url, 'POST', '/v1/alertmanager', good, { token: null }), 401, /bearer token/],
      ['wrong token', call(s.url, 'POST', '/v1/alertmanager', good, { token: `${TOKEN}x` }), 401, /bearer token/],
      ['not JSON', call(s.url, 'POST', '/v1/alertmanager', undefined, { raw: '{"version": "4",' }), 400, /not valid JSON/],
      ['version 3', call(s.url, 'POST', '/v1/alertmanager', { ...good, version: '3' }), 400, /version/],
      ['labels not strings', call(s.url, 'POST', '/v1/alertmanager', { ...good, alerts: [{ ...alert(labels), labels: { slo: 5 } }] }), 400, /labels/],
      ['bad startsAt', call(s.url, 'POST', '/v1/alertmanager', { ...good, alerts: [{ ...alert(labels), startsAt: 'yesterday' }] }), 400, /startsAt/],
      ['too large', call(s.url, 'POST', '/v1/alertmanager', undefined, { raw: 'x'.repeat(5000) }), 413, /larger than 4096/],
      ['wrong method', call(s.url, 'GET', '/v1/alertmanager'), 405, /not allowed/],
      ['unknown path', call(s.url, 'GET', '/nope'), 404, /no such endpoint/],
      ['decisions need the token', call(s.url, 'GET', '/v1/decisions', undefined, { token: null }), 401, /bearer token/],
      ['bad limit', call(s.url, 'GET', '/v1/decisions?limit=abc'), 400, /limit/],
      ['approval body not an object', call(s.url, 'POST', '/v1/approvals/d-1', undefined, { raw: '[1]' }), 400, /JSON object/],
    ];
    for (const [name, p, status, reason] of cases) {
      const r = await p;
      expect({ name, status: r.status }).toEqual({ name, status });
      expect(r.body.error).toMatch(reason);
    }
    expect((await call(s.url, 'GET', '/healthz', undefined, { token: null })).status).toBe(200);
    expect(logLines.join('')).not.toContain(TOKEN);
  });

  it('refuses an alert over the size limits with 413 and the reason, and stores nothing for it', async () => {
    const s = await start();
    const withLabels = (extra: Record<string, string>, annotations: Record<string, string> = {}) =>
      payload([{ ...alert({ ...labels, ...extra }), annotations: { summary: 'budget burning', ...annotations } }]);
    const cases: [string, unknown, RegExp][] = [
      ['one label value over 4 KiB', withLabels({ big: 'x'.repeat(4097) }), /^\/alerts\/0\/labels\/big: value is 4097 bytes, the limit is 4096 bytes/],
      [
        'one annotation over 4 KiB (UTF-8 bytes)',
        withLabels({}, { description: 'é'.repeat(2049) }),
        /^\/alerts\/0\/annotations\/description: value is 4098 bytes/,
      ],
      [
        'labels and annotations over 16 KiB together',
        withLabels({ a: 'x'.repeat(4000), b: 'x'.repeat(4000), c: 'x'.repeat(4000) }, { d: 'x'.repeat(4000), e: 'x'.repeat(400) }),
        /^\/alerts\/0: labels and annotations are \d+ bytes, the limit is 16384 bytes per alert/,
      ],
    ];
    for (const [name, body, reason] of cases) {
      const r = await call(s.url, 'POST', '/v1/alertmanager', body);
      expect({ name, status: r.status }).toEqual({ name, status: 413 });
      expect(r.body.error).toMatch(reason);
    }
    expect(s.trigger.state.size).toBe(0);
    // At the limits exactly, the alert is decided.
    const atLimit = await call(s.url, 'POST', '/v1/alertmanager', withLabels({ big: 'x'.repeat(4096) }));
    expect(atLimit.status).toBe(200);
    expect(s.trigger.state.size).toBe(1);
  });

  it('carries one correlation id from the webhook to the action in the logs, and never logs the token', async () => {
    const s = await start();
    const r = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]), { headers: { 'x-correlation-id': 'incident-42' } });
    expect(r.headers.get('x-correlation-id')).toBe('incident-42');
    await s.trigger.idle();
    const mine = logLines.map((l) => JSON.parse(l) as { correlationId?: string; msg?: string }).filter((l) => l.correlationId === 'incident-42');
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['rollback decision', 'rollback action attempt', 'rollback action finished']));
    expect(logLines.join('')).not.toContain(TOKEN);
  });

  it('answers 503 (so Alertmanager retries) when the decision cannot be stored, and stores nothing', async () => {
    const s = await start();
    await s.log.close(); // the disk "goes away"
    const r = await call(s.url, 'POST', '/v1/alertmanager', payload([alert(labels)]));
    expect(r.status).toBe(503);
    expect(s.trigger.decisions()).toHaveLength(0);
    expect((await flag())?.defaultVariant).toBe('canary');
  });
});
