import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  compare,
  correlationQuery,
  countOverTime,
  grafanaExploreUrl,
  logs,
  parseStreamSelector,
  quantileOverTime,
  rate,
  sumBy,
  unwrappedRangeOf,
} from '../../src/loki/logql.js';
import { parseLogql } from '../../src/loki/parse-logql.js';
import { REPO, vigil } from '../alerts/helpers.js';

describe('the LogQL builder', () => {
  const base = logs({ namespace: 'ai-platform' });

  it('builds the error-rate query the logs pack uses, and lezer-logql parses it as a metric query', () => {
    const q = compare(sumBy(['service'], rate(base.json().withoutErrors().where('level', '=', 'error'), '5m')), '>', 1);
    expect(q).toBe('sum by (service) (rate({namespace="ai-platform"} | json | __error__="" | level="error" [5m])) > 1');
    expect(parseLogql(q)).toEqual({ metric: true });
  });

  it('renders line filters, logfmt, numeric label filters and unwrap, all valid LogQL', () => {
    const queries = [
      base.contains('timeout').notContains('healthz').matches('CUDA (error|out of memory)').notMatches('debug').toString(),
      countOverTime(base.logfmt().where('status', '>=', 500), '10m'),
      quantileOverTime(0.99, base.json().unwrap('duration_ms').withoutErrors(), '5m'),
      aggregate('max', ['service'], unwrappedRangeOf('max_over_time', base.json({ latency: 'response.latency_ms' }).unwrap('latency'), '1m')),
      base.json().lineFormat('{{.service}} {{.msg}}').toString(),
    ];
    for (const q of queries) expect(parseLogql(q).error, q).toBeUndefined();
    expect(queries[1]).toBe('count_over_time({namespace="ai-platform"} | logfmt | status >= 500 [10m])');
    expect(queries[2]).toBe('quantile_over_time(0.99, {namespace="ai-platform"} | json | unwrap duration_ms | __error__="" [5m])');
  });

  it('escapes quotes and backslashes in strings so user input cannot break out of a literal', () => {
    const q = base.contains('a"b\\c').toString();
    expect(q).toBe('{namespace="ai-platform"} |= "a\\"b\\\\c"');
    expect(parseLogql(q).error).toBeUndefined();
  });

  it('refuses a selector that matches the empty string, bad label names and bad ranges', () => {
    expect(() => logs([{ label: 'app', op: '=~', value: '.*' }])).toThrow(/rejects the empty string/);
    expect(() => base.where('bad-label', '=', 'x')).toThrow(/not a label name/);
    expect(() => rate(base, '5 minutes')).toThrow(/not a duration/);
  });

  it('follows one correlation id: substring filter first, then the exact parsed field', () => {
    const q = correlationQuery('7f3a9c2e', { selector: parseStreamSelector('{namespace=~".+"}'), service: 'doc-api' }).toString();
    expect(q).toBe('{namespace=~".+"} |= "7f3a9c2e" | json | correlation_id="7f3a9c2e" | service="doc-api"');
    expect(parseLogql(q).error).toBeUndefined();
  });

  it('builds a Grafana Explore URL whose panes hold the query', () => {
    const url = new URL(grafanaExploreUrl('http://grafana:3000/', '{a="b"}', { datasourceUid: 'loki' }));
    expect(url.pathname).toBe('/explore');
    const panes = JSON.parse(url.searchParams.get('panes')!) as Record<string, { queries: { expr: string }[]; range: { from: string } }>;
    expect(Object.values(panes)[0]!.queries[0]!.expr).toBe('{a="b"}');
    expect(Object.values(panes)[0]!.range.from).toBe('now-6h');
  });
});

describe('vigil logs', () => {
  it('prints the query, and the Explore URL with --grafana-url', async () => {
    const r = await vigil(['logs', '--correlation-id', 'req-42', '--grafana-url', 'https://grafana.example.internal', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { query: string; exploreUrl: string };
    expect(out.query).toBe('{namespace=~".+"} |= "req-42" | json | correlation_id="req-42"');
    expect(out.exploreUrl).toMatch(/^https:\/\/grafana\.example\.internal\/explore\?schemaVersion=1&orgId=1&panes=/);
  });

  it('is a usage error (exit 2) without a correlation id, with a bad selector or a bad URL', async () => {
    expect((await vigil(['logs'])).code).toBe(2);
    const sel = await vigil(['logs', '--correlation-id', 'x', '--selector', '{app=~".*"}']);
    expect(sel.code).toBe(2);
    expect(sel.stderr).toMatch(/rejects the empty string/);
    expect((await vigil(['logs', '--correlation-id', 'x', '--grafana-url', 'grafana'])).code).toBe(2);
  });
});

/**
 * Loki cannot run here, so the ruler file is checked against the published Loki ruler format:
 * Prometheus-style groups whose rules have only the documented keys, with LogQL metric queries.
 */
describe('the Loki ruler file of the logs pack', () => {
  it('uses only the ruler format keys and metric LogQL queries that parse', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-loki-')), 'b');
    const r = await vigil(['render', '--root', REPO, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const doc = parse(fs.readFileSync(path.join(out, 'loki/rules/logs.rules.yaml'), 'utf8')) as { groups: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(['groups']);
    const names = new Set<string>();
    for (const g of doc.groups) {
      for (const k of Object.keys(g)) expect(['name', 'interval', 'limit', 'rules']).toContain(k);
      expect(names.has(g.name as string)).toBe(false);
      names.add(g.name as string);
      for (const rule of g.rules as Record<string, unknown>[]) {
        for (const k of Object.keys(rule)) expect(['alert', 'record', 'expr', 'for', 'labels', 'annotations']).toContain(k);
        expect(parseLogql(rule.expr as string), rule.alert as string).toEqual({ metric: true });
        expect((rule.labels as Record<string, string>).severity).toMatch(/^(critical|warning|info)$/);
      }
    }
    expect(doc.groups.flatMap((g) => (g.rules as { alert: string }[]).map((x) => x.alert))).toEqual([
      'ServiceErrorLogRate',
      'CudaOutOfMemoryLogged',
      'FailedRequestsSpike',
    ]);
  });
});
