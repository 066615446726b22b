import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGrafanaDashboard } from '../../../src/import/grafana-dashboard/import-grafana-dashboard.js';
import { compareDashboards } from '../../../src/import/grafana-dashboard/compare-dashboards.js';
import { loadProject } from '../../../src/project/load-project.js';
import { IMPORT_FROM, REPO, renderModules } from './render-modules.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const of = (r: ReturnType<typeof importGrafanaDashboard>, status: string) => r.findings.filter((f) => f.status === status);

describe("importing NVIDIA's dcgm-exporter dashboard", () => {
  const source = fixture('dcgm-exporter-dashboard.json');
  const r = importGrafanaDashboard(source, 'dcgm-exporter-dashboard.json', { importFrom: IMPORT_FROM });

  it('writes helper calls for its panels, queries and variables, with the rest in raw()', () => {
    expect(of(r, 'not-importable')).toEqual([]);
    const text = r.moduleText!;
    expect(text.match(/\btimeseries\('/g)).toHaveLength(6);
    expect(text.match(/\bgauge\('/g)).toHaveLength(2);
    expect(text.match(/\blabelVariable\('/g)).toHaveLength(2);
    expect(text).toContain('prom(\'max(DCGM_FI_DEV_GPU_TEMP{Hostname=~"$Hostname", gpu=~"$gpu"}) by (Hostname, gpu, uuid)\', \'{{Hostname}} - GPU {{gpu}}\')');
    expect(text).toMatch(/raw\(\s*timeseries\('GPU Temperature'/);
    expect(text).not.toMatch(/^import \{[^}]*\bverbatim\b/m);
  });

  it('reports what vigil lint asks of it as needs attention (editable, variable refresh, panel descriptions)', () => {
    const lint = of(r, 'needs-attention').map((f) => /^lint (\w+)/.exec(f.reason)?.[1]);
    expect(lint.filter((c) => c === 'DASH011')).toHaveLength(8);
    expect([...new Set(lint)].sort()).toEqual(['DASH003', 'DASH005', 'DASH011']);
  });

  it('renders, through the type-checked module, to JSON equivalent to the published file', async () => {
    const { dashboards, diagnostics } = await renderModules(new Map([['dcgm', r.moduleText!]]));
    expect(diagnostics).toEqual([]);
    expect(compareDashboards(source, dashboards.get('dcgm') as unknown as Record<string, unknown>)).toEqual([]);
  });
});

describe('importing the node-exporter-full dashboard (2017, schemaVersion 14)', () => {
  it('says its rows[] layout is not importable and writes no module', () => {
    const r = importGrafanaDashboard(fixture('node-exporter-full.excerpt.json'), 'node-exporter-full.json');
    expect(r.moduleText).toBeUndefined();
    expect(r.findings).toEqual([{ status: 'not-importable', path: 'rows', reason: expect.stringContaining('pre-schemaVersion-16 layout') as unknown }]);
  });
});

describe("this repository's dashboards", () => {
  it('round-trip: render, import, render the imported module: N/N equivalent, every part imported', async () => {
    const { model } = await loadProject(REPO);
    const sources = model.dashboards.map((d) => d.dashboard as unknown as Record<string, unknown>);
    expect(sources.length).toBeGreaterThanOrEqual(9);
    const modules = new Map<string, string>();
    sources.forEach((d, i) => {
      const r = importGrafanaDashboard(d, `dashboard ${String(d.uid)}`, { importFrom: IMPORT_FROM });
      expect(r.findings.filter((f) => f.status !== 'imported')).toEqual([]);
      modules.set(`m${i}`, r.moduleText!);
    });
    const { dashboards, diagnostics } = await renderModules(modules);
    expect(diagnostics).toEqual([]);
    const unequal = sources.filter((d, i) => compareDashboards(d, dashboards.get(`m${i}`) as unknown as Record<string, unknown>).length > 0).map((d) => d.uid);
    expect(unequal).toEqual([]);
    expect(dashboards.size).toBe(sources.length);
  }, 120_000);
});

/** A hand-made dashboard with the shapes the real ones above lack. */
function mixedDashboard(): Record<string, unknown> {
  const ts = (id: number, title: string, gridPos: object, expr: string) => ({
    id,
    type: 'timeseries',
    title,
    gridPos,
    datasource: { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' },
    targets: [{ refId: 'A', expr, datasource: { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' } }],
    fieldConfig: {
      defaults: { unit: 'bytes' },
      overrides: [{ matcher: { id: 'byName', options: 'x' }, properties: [{ id: 'color', value: { mode: 'fixed' } }] }],
    },
    options: {},
  });
  return {
    uid: 'mixed-1',
    title: 'Mixed shapes',
    schemaVersion: 39,
    timezone: 'browser',
    editable: true,
    time: { from: 'now-1h', to: 'now-5m' },
    links: [{ title: 'Runbook', type: 'link', url: 'https://runbooks.example/x', targetBlank: true }],
    panels: [
      { id: 1, type: 'text', title: 'Read me', gridPos: { x: 0, y: 0, w: 24, h: 3 }, options: { mode: 'markdown', content: '# Hello' } },
      ts(2, 'Right half first', { x: 12, y: 3, w: 12, h: 8 }, 'sum(rate(http_requests_total[$__rate_interval]))'),
      ts(3, 'Left half second', { x: 0, y: 3, w: 12, h: 8 }, 'node_memory_MemAvailable_bytes'),
      {
        id: 4,
        type: 'graph',
        title: 'Old graph',
        gridPos: { x: 0, y: 11, w: 24, h: 6 },
        targets: [{ refId: 'A', expr: 'up' }],
        datasource: { type: 'prometheus', uid: '$ds' },
      },
      {
        id: 5,
        type: 'row',
        title: 'Logs (collapsed)',
        collapsed: true,
        gridPos: { x: 0, y: 17, w: 24, h: 1 },
        panels: [
          {
            id: 6,
            type: 'logs',
            title: 'Errors',
            gridPos: { x: 0, y: 18, w: 24, h: 10 },
            datasource: { type: 'loki', uid: '${loki}' },
            targets: [{ refId: 'A', expr: '{app="api"} |= "error"', datasource: { type: 'loki', uid: '${loki}' }, queryType: 'range' }],
          },
          { id: 7, type: 'bargauge', title: 'Shared', gridPos: { x: 0, y: 28, w: 8, h: 5 }, libraryPanel: { uid: 'lib-1', name: 'Shared gauge' } },
        ],
      },
    ],
    templating: {
      list: [
        { name: 'ds', type: 'datasource', query: 'prometheus' },
        { name: 'loki', type: 'datasource', query: 'loki' },
        { name: 'env', type: 'custom', query: 'prod, staging,dev', current: { text: 'prod', value: 'prod' }, options: [] },
        { name: 'trace', type: 'textbox', query: '', label: 'Trace id' },
        { name: 'region', type: 'constant', query: '${VAR_REGION}', hide: 2 },
        { name: 'step', type: 'interval', query: '1m,5m,1h', auto: false },
        { name: 'job', type: 'query', datasource: { type: 'prometheus', uid: '$ds' }, query: 'query_result(up)', refresh: 2, regex: '/job="(.*)"/' },
      ],
    },
  };
}

describe('importing shapes the helpers do not cover', () => {
  const source = mixedDashboard();
  const r = importGrafanaDashboard(source, 'mixed.json', { importFrom: IMPORT_FROM });

  it('keeps them verbatim and says which need a person', () => {
    expect(of(r, 'not-importable')).toEqual([
      { status: 'not-importable', path: 'panels[4].panels[1]', reason: expect.stringContaining('library panel "Shared gauge"') as unknown },
    ]);
    const attention = of(r, 'needs-attention').filter((f) => !f.reason.startsWith('lint '));
    expect(attention.map((f) => f.path)).toEqual([
      'panels[1].targets[0].datasource',
      'panels[1].datasource',
      'panels[2].targets[0].datasource',
      'panels[2].datasource',
      'panels[3]',
      'templating.list[4]',
    ]);
    expect(r.moduleText).toContain("verbatim({ type: 'text'");
    expect(r.moduleText).toContain("customVariable('env', ['prod', 'staging', 'dev']");
    expect(r.moduleText).toMatch(/logs\('Errors'/);
  });

  it('still renders to an equivalent dashboard: fixed positions, collapsed rows, links and settings included', async () => {
    const { dashboards, diagnostics } = await renderModules(new Map([['mixed', r.moduleText!]]));
    expect(diagnostics).toEqual([]);
    expect(compareDashboards(source, dashboards.get('mixed') as unknown as Record<string, unknown>)).toEqual([]);
  });
});

describe('the equivalence check', () => {
  const source = fixture('dcgm-exporter-dashboard.json');
  const copy = () => JSON.parse(JSON.stringify(source)) as { panels: Record<string, unknown>[]; templating: { list: Record<string, unknown>[] } };

  it('finds a changed query, grid position or variable', () => {
    const d = copy();
    (d.panels[0]!.targets as { expr: string }[])[0]!.expr = 'up';
    (d.panels[1]!.gridPos as { y: number }).y = 3;
    d.templating.list[1]!.regex = '.+';
    expect(compareDashboards(source, d).map((x) => x.path)).toEqual(['panels[0].targets[0].expr', 'panels[1].gridPos.y', 'templating.list[0].regex']);
  });

  it('ignores only what Grafana assigns or vigil adds: ids, pluginVersion, datasource variable names, the vigil link and tags', () => {
    const d = copy();
    d.panels.forEach((p, i) => {
      p.id = 100 + i;
      delete p.pluginVersion;
      p.datasource = { type: 'prometheus', uid: '${datasource}' };
    });
    Object.assign(d, {
      id: 7,
      version: 12,
      tags: ['vigil', 'managed-by-vigil'],
      description: `${String(source.description)}\n\ngenerated by vigil from x.ts, do not edit`,
    });
    d.templating.list[0] = { name: 'other', type: 'datasource', query: 'prometheus' };
    expect(compareDashboards(source, d)).toEqual([]);
  });
});
