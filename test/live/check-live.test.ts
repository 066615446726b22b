import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLive } from '../../src/live/check-live.js';
import { collectProbes, dashboardSelectors } from '../../src/live/live-probes.js';
import { loadProject } from '../../src/project/load-project.js';
import type { ProjectModel } from '../../src/project/project-model.js';

const PROJECT = path.resolve(import.meta.dirname, 'fixtures/project');

describe('the live check against a fake Prometheus that counts requests', () => {
  let model: ProjectModel;
  let url = '';
  let server: http.Server;
  let inFlight = 0;
  let maxInFlight = 0;
  const seriesAsked: string[] = [];

  beforeAll(async () => {
    model = (await loadProject(PROJECT)).model;
    server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const answer = (data: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data }));
      };
      if (u.pathname === '/api/v1/label/__name__/values') return answer(['http_requests_total', 'http_request_duration_seconds_bucket', 'up']);
      if (u.pathname === '/api/v1/metadata') return answer({});
      if (u.pathname.startsWith('/api/v1/label/')) return answer([]);
      if (u.pathname !== '/api/v1/series') return answer(null);
      seriesAsked.push(u.searchParams.get('match[]') ?? '');
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Slow enough that every worker is busy at once.
      setTimeout(() => {
        inFlight--;
        answer([]);
      }, 30);
      return undefined;
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }, 60_000);

  afterAll(() => new Promise((r) => server.close(r)));

  it('asks about each distinct selector once, never more than --concurrency at a time, and only about metrics Prometheus has', async () => {
    const probes = collectProbes(model);
    const r = await checkLive(model, { url, concurrency: 3 });
    const known = new Set(['http_requests_total', 'http_request_duration_seconds_bucket', 'up']);
    const distinctKnown = new Set(probes.filter((p) => known.has(p.selector.metric)).map((p) => p.text));
    expect(r.probes).toBe(probes.length);
    expect(r.selectors).toBeLessThan(r.probes);
    expect([...seriesAsked].sort()).toEqual([...distinctKnown].sort());
    expect(maxInFlight).toBe(3);
  });
});

describe('the selectors of a dashboard query', () => {
  it('drop matchers whose value is a template variable and skip selectors named by one', () => {
    const uses = dashboardSelectors(
      'sum by (code) (rate(http_requests_total{job="api", code=~"$code", model="${model:regex}"}[$__rate_interval])) / ${metric}',
    );
    expect(
      uses.map((u) => ({ metric: u.selector.metric, matchers: u.selector.matchers.map((m) => `${m.name}${m.op}${m.value}`), enclosing: u.enclosing })),
    ).toEqual([{ metric: 'http_requests_total', matchers: ['job=api'], enclosing: ['rate', 'sum'] }]);
  });
});
