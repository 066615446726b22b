import { afterEach, describe, expect, it } from 'vitest';
import { applyGrafana } from '../../src/apply/apply-grafana.js';
import { GrafanaClient } from '../../src/apply/grafana-client.js';
import { FakeGrafana, type FakeGrafanaOptions } from './fake-grafana.js';
import { cli, seeded, tokenFile } from './helpers.js';

const fakes: FakeGrafana[] = [];
async function grafana(o: FakeGrafanaOptions = {}): Promise<FakeGrafana> {
  const g = new FakeGrafana(o);
  await g.start();
  fakes.push(g);
  return g;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((g) => g.stop()));
});

const TOKEN = tokenFile('secret-token');
const saves = (g: FakeGrafana) => g.requests.filter((r) => r === 'POST /api/dashboards/db').length;

describe('vigil apply grafana against the fake Grafana (contract test)', () => {
  it('creates the folder and every dashboard, then a diff and a second apply change nothing', async () => {
    const g = await grafana();
    const first = await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN, '--folder', 'Platform monitoring']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect([...g.folders.values()].map((f) => [f.uid, f.title])).toEqual([['platform-monitoring', 'Platform monitoring']]);
    expect([...g.dashboards.keys()].sort()).toEqual(
      expect.arrayContaining([
        'vigil-gpu-fleet',
        'vigil-inference',
        'vigil-logs',
        'vigil-sla-overview',
        'vigil-cluster-health',
        'vigil-slo-document-processing',
      ]),
    );
    for (const d of g.dashboards.values()) {
      expect(d.folderUid).toBe('platform-monitoring');
      expect(d.messages[0]).toMatch(/^vigil apply( from git [0-9a-f]{12}( \(uncommitted changes\))?)?$/);
    }
    expect(first.stdout).toContain(`${g.dashboards.size} to create, 0 to update, 0 to delete`);

    const diff = await cli(['diff', '--grafana-url', g.url, '--token-file', TOKEN, '--folder', 'Platform monitoring']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe(`0 to create, 0 to update, 0 to delete, ${g.dashboards.size} unchanged, 0 conflict(s)\n`);

    const before = saves(g);
    const second = await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN, '--folder', 'Platform monitoring']);
    expect(second.code).toBe(0);
    expect(saves(g)).toBe(before);
    expect(g.folders.size).toBe(1);
  });

  it('shows a changed panel as an update with the JSON path that differs', async () => {
    const g = await grafana();
    await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN]);
    const stored = g.dashboards.get('vigil-sla-overview')!;
    (stored.dashboard.panels as { title?: string }[])[1]!.title = 'Edited in the UI';
    const diff = await cli(['diff', '--grafana-url', g.url, '--token-file', TOKEN]);
    expect(diff.stdout).toContain('~ update vigil-sla-overview (SLA overview)\n    panels[1].title\n');
    await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN]);
    expect((g.dashboards.get('vigil-sla-overview')!.dashboard.panels as { title?: string }[])[1]!.title).toBe('P95 latency');
  });

  it('changes nothing on --dry-run, not even the folder', async () => {
    const g = await grafana();
    const r = await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ would create folder "vigil" (uid vigil)');
    expect(r.stdout).toContain('dry run, nothing changed');
    expect(g.dashboards.size).toBe(0);
    expect(g.folders.size).toBe(0);
    expect(g.requests.filter((x) => !x.startsWith('GET'))).toEqual([]);
  });

  it('prunes only dashboards vigil owns in its folder', async () => {
    const g = await grafana();
    await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN]);
    g.seed({ uid: 'vigil-old', title: 'Removed from the repo', tags: ['managed-by-vigil', 'vigil'] }, 'vigil');
    g.seed({ uid: 'hand-made', title: "Someone's dashboard", tags: ['vigil'] }, 'vigil');
    g.seed({ uid: 'other-team', title: 'Owned elsewhere', tags: ['managed-by-vigil'] }, '');
    const r = await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN, '--prune']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('- delete vigil-old (Removed from the repo)');
    expect(g.dashboards.has('vigil-old')).toBe(false);
    expect(g.dashboards.has('hand-made')).toBe(true);
    expect(g.dashboards.has('other-team')).toBe(true);
  });

  it('never overwrites a dashboard it does not own that holds one of its uids', async () => {
    const g = await grafana();
    g.seed({ uid: 'vigil-logs', title: 'Hand-made logs', tags: [] });
    const r = await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('! conflict vigil-logs (Logs)');
    expect(r.stderr).toContain('vigil-logs: a dashboard vigil does not own ("Hand-made logs", no managed-by-vigil tag) has this uid');
    expect(g.dashboards.get('vigil-logs')!.dashboard.title).toBe('Hand-made logs');
    expect(g.dashboards.has('vigil-gpu-fleet')).toBe(true);
  });

  it('explains 401, 403 and 412 name-exists in words', async () => {
    const g = await grafana({ viewerToken: 'viewer', uniqueTitles: true });
    const bad = await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', tokenFile('wrong')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Grafana rejected the token (401) (Grafana said: Unauthorized); check --token-file');
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const viewer = await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', tokenFile('viewer')]);
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain('the token lacks permission (403)');

    await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN, '--dry-run']);
    g.folders.set('vigil', { id: 99, uid: 'vigil', title: 'vigil', version: 1 });
    g.seed({ uid: 'someone-else', title: 'GPU fleet', tags: [] }, 'vigil');
    const clash = await cli(['apply', 'grafana', '--grafana-url', g.url, '--token-file', TOKEN]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(
      'vigil-gpu-fleet: save dashboard vigil-gpu-fleet: a different dashboard with the same title already exists in the folder (412 name-exists',
    );
    expect(g.dashboards.has('vigil-inference')).toBe(true);
  });

  it('rejects bad flags with exit 2 and unreadable token files with exit 1', async () => {
    expect((await cli(['apply'])).code).toBe(2);
    expect((await cli(['apply', 'grafna'])).code).toBe(2);
    expect((await cli(['apply', 'grafana', '--token-file', TOKEN])).code).toBe(2);
    expect((await cli(['apply', 'grafana', '--grafana-url', 'ftp://x', '--token-file', TOKEN])).code).toBe(2);
    expect((await cli(['apply', 'grafana', '--grafana-url', 'http://127.0.0.1:9', '--token-file', '/nonexistent/token'])).code).toBe(1);
    expect((await cli(['diff'])).code).toBe(2);
  });
});

/** `n` distinct owned dashboards. */
function manyDashboards(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    id: null,
    uid: `bench-${i}`,
    title: `Dashboard ${i}`,
    tags: ['managed-by-vigil'],
    panels: [],
    schemaVersion: 42,
    editable: false,
  }));
}

describe('apply under failures', () => {
  it('applies 200 dashboards at 8 concurrent requests with 10% injected 5xx: all applied, none duplicated', async () => {
    const random = seeded(42);
    const g = await grafana({ latencyMs: 2, fault: ({ method }) => (random() < 0.1 ? (method === 'POST' && random() < 0.5 ? 'after:502' : 503) : undefined) });
    const client = new GrafanaClient({ url: g.url, token: 'secret-token', retry: { baseDelayMs: 2, maxDelayMs: 20, retries: 8 } });
    const r = await applyGrafana(client, manyDashboards(200), { folder: 'bench', prune: false, dryRun: false, concurrency: 8, message: 'test' });
    expect(r.failures).toEqual([]);
    expect(client.retries).toBeGreaterThan(10);
    expect(g.dashboards.size).toBe(200);
    expect(new Set([...g.dashboards.values()].map((d) => d.id)).size).toBe(200);
    expect(g.maxInFlight).toBe(8);
    expect(g.folders.size).toBe(1);
  });

  it('retries a request that times out', async () => {
    let hung = false;
    const g = await grafana({
      fault: ({ path }) => {
        if (path === '/api/dashboards/uid/bench-0' && !hung) {
          hung = true;
          return 'hang';
        }
        return undefined;
      },
    });
    const client = new GrafanaClient({ url: g.url, token: 'secret-token', timeoutMs: 300, retry: { baseDelayMs: 1 } });
    const r = await applyGrafana(client, manyDashboards(1), { folder: undefined, prune: false, dryRun: false, message: 'test' });
    expect(r.failures).toEqual([]);
    expect(client.retries).toBe(1);
    expect(g.dashboards.get('bench-0')?.folderUid).toBe('');
  });

  it('gives up after the retries with the last status in the message', async () => {
    const g = await grafana({ fault: ({ method }) => (method === 'POST' ? 500 : undefined) });
    const client = new GrafanaClient({ url: g.url, token: 'secret-token', retry: { baseDelayMs: 1, retries: 2 } });
    const r = await applyGrafana(client, manyDashboards(1), { folder: undefined, prune: false, dryRun: false, message: 'test' });
    expect(r.failures).toEqual([{ uid: 'bench-0', message: 'save dashboard bench-0: Grafana answered 500 (Grafana said: injected failure)' }]);
    expect(g.requests.filter((x) => x === 'POST /api/dashboards/db')).toHaveLength(3);
  });
});
