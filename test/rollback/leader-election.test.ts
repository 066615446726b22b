import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { KubeClient } from '../../src/rollback/adapters/kube-client.js';
import { KubeLeaseStore } from '../../src/rollback/adapters/kube-lease-store.js';
import { fenceActions } from '../../src/rollback/app/fenced-actions.js';
import { LeaderElector, leaseTimingsProblem, microTime, type LeaseTimings } from '../../src/rollback/app/leader-election.js';
import type { ActionContext, FencingToken, LeaseObject, LeaseStore } from '../../src/rollback/ports.js';
import { startFakeLeaseApi } from './fakes/fake-lease-api.js';
import { waitFor } from './helpers.js';

/**
 * Issue 13, item 7: leader election on a coordination.k8s.io/v1 Lease, against an in-repo fake of
 * the Lease API that is strict about resourceVersion (a contract test; no Kubernetes here).
 */
const KUBE_TOKEN = 'kube-token-for-the-fake';
const T: LeaseTimings = { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 150 };

describe('the fake Lease API and KubeLeaseStore', () => {
  let api: Awaited<ReturnType<typeof startFakeLeaseApi>>;
  afterEach(() => api?.close());

  it('creates once, refuses a second create and a stale update with 409, and accepts the current resourceVersion', async () => {
    api = await startFakeLeaseApi(KUBE_TOKEN);
    const store = new KubeLeaseStore(new KubeClient({ server: api.url, token: KUBE_TOKEN }), 'vigil', 'trigger');
    expect(await store.get()).toBeUndefined();
    const lease: LeaseObject = {
      metadata: { name: 'trigger', namespace: 'vigil' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0, renewTime: microTime(0) },
    };
    const created = await store.create(lease);
    expect(created).not.toBe('conflict');
    const v1 = (created as LeaseObject).metadata.resourceVersion!;
    expect(await store.create(lease)).toBe('conflict');
    const renewed = await store.update({ ...(created as LeaseObject), spec: { ...lease.spec, renewTime: microTime(1000) } });
    expect((renewed as LeaseObject).metadata.resourceVersion).not.toBe(v1);
    // b read version v1 before a renewed: its update is stale.
    expect(await store.update({ ...(created as LeaseObject), spec: { ...lease.spec, holderIdentity: 'b' } })).toBe('conflict');
    expect(api.lease('vigil', 'trigger')?.spec.holderIdentity).toBe('a');
    await expect(store.update({ ...(renewed as LeaseObject), spec: { renewTime: '2026-12-06T10:00:00Z' } })).rejects.toThrow(/422.*MicroTime/);
    const wrongToken = new KubeLeaseStore(new KubeClient({ server: api.url, token: 'nope' }), 'vigil', 'trigger');
    await expect(wrongToken.get()).rejects.toThrow(/HTTP 401/);
  });

  it('writes MicroTime with six fractional digits', () => {
    expect(microTime(Date.UTC(2026, 11, 6, 10, 0, 0, 123))).toBe('2026-12-06T10:00:00.123000Z');
    expect(leaseTimingsProblem({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 })).toMatch(/lease duration must exceed/);
    expect(leaseTimingsProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 2000, retryPeriodMs: 2000 })).toMatch(/1\.2/);
  });
});

/** A store that can be cut off, like a pod partitioned from the API server. */
function partitionable(inner: LeaseStore) {
  let cut = false;
  const guard = async <R>(f: () => Promise<R>) => {
    if (cut) throw new Error('connect ETIMEDOUT');
    return f();
  };
  const store: LeaseStore = {
    get: (s) => guard(() => inner.get(s)),
    create: (l, s) => guard(() => inner.create(l, s)),
    update: (l, s) => guard(() => inner.update(l, s)),
  };
  return { store, cut: (v: boolean) => (cut = v) };
}

describe('LeaderElector', () => {
  let api: Awaited<ReturnType<typeof startFakeLeaseApi>>;
  const electors: LeaderElector[] = [];
  afterEach(async () => {
    for (const e of electors.splice(0)) await e.close();
    await api?.close();
  });

  const candidate = (identity: string, store: LeaseStore, events: string[]) => {
    const e = new LeaderElector({
      store,
      namespace: 'vigil',
      name: 'trigger',
      identity,
      timings: T,
      advertiseUrl: `http://${identity}:9470`,
      onStartedLeading: (t) => events.push(`${identity} leads g${t.generation} @${Date.now()}`),
      onStoppedLeading: () => events.push(`${identity} stops @${Date.now()}`),
    });
    electors.push(e);
    return e;
  };

  it('elects one leader; a partitioned leader stops acting before the standby takes over, with the next generation', async () => {
    api = await startFakeLeaseApi(KUBE_TOKEN);
    const store = () => new KubeLeaseStore(new KubeClient({ server: api.url, token: KUBE_TOKEN }), 'vigil', 'trigger');
    const events: string[] = [];
    const a = partitionable(store());
    const ea = candidate('a', a.store, events);
    ea.start();
    await waitFor(() => ea.isLeader(), 3000, 'a leads');
    const eb = candidate('b', store(), events);
    eb.start();
    await new Promise((r) => setTimeout(r, 3 * T.leaseDurationMs));
    // a renewed all along: b never took over, and b learned where the leader is.
    expect(ea.isLeader()).toBe(true);
    expect(eb.isLeader()).toBe(false);
    expect(eb.leader()).toEqual({ identity: 'a', url: 'http://a:9470' });
    const tokenA = await ea.check();
    expect(tokenA).toEqual({ holder: 'a', generation: 0 });
    expect(await eb.check()).toBeUndefined();

    a.cut(true);
    const cutAt = Date.now();
    await waitFor(() => eb.isLeader(), 5000, 'b takes over');
    const tookOver = Date.now() - cutAt;
    const stopA = Number(/a stops @(\d+)/.exec(events.join('\n'))?.[1]);
    const leadB = Number(/b leads g1 @(\d+)/.exec(events.join('\n'))?.[1]);
    expect(stopA).toBeGreaterThan(0);
    // a gave up within its renew deadline; b took over later, after the lease duration.
    expect(stopA).toBeLessThan(leadB);
    expect(tookOver).toBeLessThanOrEqual(T.leaseDurationMs + 3 * T.retryPeriodMs + 300);
    expect(api.lease('vigil', 'trigger')?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(api.lease('vigil', 'trigger')?.metadata.annotations).toEqual({ 'vigil.dev/leader-url': 'http://b:9470' });

    // Healed, a finds b's record and stays a standby; its old generation fences nothing through.
    a.cut(false);
    await new Promise((r) => setTimeout(r, 3 * T.retryPeriodMs));
    expect(ea.isLeader()).toBe(false);
    expect(await ea.check()).toBeUndefined();
    expect(await eb.check()).toEqual({ holder: 'b', generation: 1 });
    // Every rejected write was a 409 on a stale resourceVersion or an existing name, never a lost update.
    expect(api.writes.filter((w) => w.status !== 200 && w.status !== 201).every((w) => w.status === 409)).toBe(true);
  });

  it('releases the lease on close so the standby takes over at once', async () => {
    api = await startFakeLeaseApi(KUBE_TOKEN);
    const store = () => new KubeLeaseStore(new KubeClient({ server: api.url, token: KUBE_TOKEN }), 'vigil', 'trigger');
    const events: string[] = [];
    const ea = candidate('a', store(), events);
    ea.start();
    await waitFor(() => ea.isLeader(), 3000, 'a leads');
    const eb = candidate('b', store(), events);
    eb.start();
    await new Promise((r) => setTimeout(r, 2 * T.retryPeriodMs));
    const closedAt = Date.now();
    await ea.close();
    await waitFor(() => eb.isLeader(), 3000, 'b takes over');
    expect(Date.now() - closedAt).toBeLessThan(T.leaseDurationMs);
  });

  it('fenced actions run only under a valid token and carry it', async () => {
    const seen: (FencingToken | undefined)[] = [];
    let token: FencingToken | undefined = { holder: 'a', generation: 3 };
    const factory = fenceActions(
      {
        create: () => ({
          kind: 'webhook',
          target: 'webhook:x',
          execute: (ctx: ActionContext) => {
            seen.push(ctx.fencing);
            return Promise.resolve({ status: 'success' as const, detail: 'ok' });
          },
        }),
      },
      { check: () => Promise.resolve(token) },
    );
    const action = factory.create({ kind: 'webhook', url: 'http://x' });
    expect(await action.execute({ decisionId: 'd', correlationId: 'c', reason: 'r' })).toEqual({ status: 'success', detail: 'ok' });
    token = undefined;
    expect(await action.execute({ decisionId: 'd', correlationId: 'c', reason: 'r' })).toMatchObject({ status: 'failed', retryable: true, detail: /fenced/ });
    expect(seen).toEqual([{ holder: 'a', generation: 3 }]);
  });
});

describe('rollback serve --ha-lease flags', () => {
  const serve = async (...extra: string[]) => {
    let stderr = '';
    const sink = { write: (s: string) => (stderr += s) };
    const code = await run(['rollback', 'serve', '--policy', 'p.yaml', '--listen', '127.0.0.1:0', '--token-file', 't', '--state-dir', 's', ...extra], {
      cwd: '/nonexistent',
      stdout: sink,
      stderr: sink,
    });
    return { code, stderr };
  };

  it.each([
    [['--ha-lease', 'trigger'], /--ha-lease must be NAMESPACE\/NAME/],
    [['--ha-lease', 'Vigil/trigger'], /--ha-lease must be NAMESPACE\/NAME/],
    [['--identity', 'a'], /--identity needs --ha-lease/],
    [['--ha-lease', 'vigil/t', '--lease-duration', '10s'], /the lease duration must exceed the renew deadline/],
    [['--ha-lease', 'vigil/t', '--lease-retry-period', '9s'], /renew deadline must exceed 1\.2 × the retry period/],
    [['--ha-lease', 'vigil/t', '--lease-duration', '15.5s'], /whole seconds/],
    [['--ha-lease', 'vigil/t', '--advertise-url', 'http://u:p@host:9470'], /--advertise-url must be/],
  ])('%j is a usage error', async (flags, message) => {
    const { code, stderr } = await serve(...flags);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
