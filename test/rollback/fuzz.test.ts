import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRollbackService, type RunningService } from '../../src/rollback/serve.js';
import { TOKEN, alert, payload, policyFrom, tempDir } from './helpers.js';

const RUNS = 10_000;

describe('webhook fuzzing', () => {
  let dir: string;
  let svc: RunningService;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  beforeAll(async () => {
    dir = await tempDir();
    const flagPath = path.join(dir, 'flags.json');
    await fs.writeFile(flagPath, JSON.stringify({ flags: { 'mv-m': { state: 'ENABLED', variants: { stable: 1, canary: 2 }, defaultVariant: 'canary' } } }));
    const policy = policyFrom(
      `apiVersion: vigil/v1\nkind: RollbackPolicy\ndefaults: { dryRun: true }\ntargets:\n  t: { flagdFlag: { file: ${JSON.stringify(flagPath)}, flag: "mv-{{model}}", variant: stable } }\nrules:\n  - name: r\n    match: { severity: critical }\n    target: t\n`,
    );
    svc = await startRollbackService({
      policy,
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      stateDir: path.join(dir, 'state'),
      maxBodyBytes: 64 * 1024,
      fsync: false,
    });
  });
  afterAll(async () => {
    agent.destroy();
    await svc.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function post(body: string, token: string | null = TOKEN): Promise<number> {
    const u = new URL(`${svc.url}/v1/alertmanager`);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A valid payload with one value replaced somewhere in it. */
  const valid = payload([alert({ alertname: 'ErrorBudgetBurn', severity: 'critical', model: 'm', slo: 's' })]);
  const jsonValue = fc.jsonValue({ maxDepth: 3 });
  const mutated = fc
    .tuple(
      fc.constantFrom(
        'version',
        'groupKey',
        'status',
        'receiver',
        'alerts',
        'commonLabels',
        'truncatedAlerts',
        'alerts.0',
        'alerts.0.labels',
        'alerts.0.status',
        'alerts.0.startsAt',
        'alerts.0.fingerprint',
        'alerts.0.labels.severity',
        'alerts.0.annotations',
      ),
      jsonValue,
      fc.boolean(),
    )
    .map(([where, value, drop]) => {
      // Every prefix of `where` names an object (or the alerts array, indexed by "0") in the valid payload.
      const p: Record<string, unknown> = structuredClone(valid);
      const keys = where.split('.');
      let o = p;
      for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
      if (drop) delete o[keys.at(-1)!];
      else o[keys.at(-1)!] = value;
      return JSON.stringify(p);
    });
  const garbage = fc.oneof(
    fc.string({ maxLength: 200 }),
    jsonValue.map((v) => JSON.stringify(v)),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
  );
  const body = fc.oneof({ arbitrary: mutated, weight: 3 }, { arbitrary: garbage, weight: 2 }, { arbitrary: fc.constant(JSON.stringify(valid)), weight: 1 });

  it(`answers ${RUNS} random and mutated payloads with only 2xx/4xx, stays alive, and keeps memory bounded`, async () => {
    const statuses = new Map<number, number>();
    const heapBefore = process.memoryUsage().heapUsed;
    const samples = fc.sample(fc.tuple(body, fc.constantFrom<string | null>(TOKEN, TOKEN, TOKEN, null, 'wrong')), { numRuns: RUNS, seed: 42 });
    for (let i = 0; i < samples.length; i += 32) {
      const codes = await Promise.all(samples.slice(i, i + 32).map(([b, t]) => post(b, t)));
      for (const c of codes) statuses.set(c, (statuses.get(c) ?? 0) + 1);
    }
    const bad = [...statuses.keys()].filter((s) => !(s >= 200 && s < 300) && !(s >= 400 && s < 500));
    expect(bad).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(100);
    expect(statuses.get(400)).toBeGreaterThan(1000);
    expect(statuses.get(401)).toBeGreaterThan(1000);
    const health = await fetch(`${svc.url}/healthz`);
    expect(health.status).toBe(200);
    global.gc?.();
    // Decisions are kept in memory (one per distinct alert), so growth is bounded by accepted alerts, not requests.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    expect(svc.trigger.state.size).toBeLessThan(RUNS);
  }, 120_000);
});
