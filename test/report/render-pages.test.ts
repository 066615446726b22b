import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/report/html-escape.js';
import { renderReportFiles, reportJson } from '../../src/report/render-pages.js';
import type { Report } from '../../src/report/report-model.js';
import { summarizeSlo } from '../../src/report/summarize-slo.js';
import { linePath, niceTicks, renderChartSvg, scale } from '../../src/report/svg-chart.js';
import { slosOf } from '../support/promtool.js';

describe('the SVG path builder', () => {
  const x = scale(0, 10, 0, 100);
  const y = scale(0, 1, 100, 0);

  it('draws one move and then lines through the points, one decimal', () => {
    expect(
      linePath(
        [
          [0, 0],
          [5, 0.5],
          [10, 1 / 3],
        ],
        x,
        y,
      ),
    ).toBe('M0 100 L50 50 L100 66.7');
  });

  it('breaks the line at a point without data (the gap stays a gap)', () => {
    expect(
      linePath(
        [
          [0, 0],
          [2, null],
          [4, 1],
          [6, 1],
        ],
        x,
        y,
      ),
    ).toBe('M0 100 M40 0 L60 0');
  });

  it('draws nothing without data', () => {
    expect(linePath([[0, null]], x, y)).toBe('');
  });

  it('picks 1-2-5 ticks covering the values', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.5, 1]);
    expect(niceTicks(-0.3, 1)).toEqual([-0.5, 0, 0.5, 1]);
    expect(niceTicks(0, 30)).toEqual([0, 10, 20, 30]);
  });

  it('names the chart for assistive technology and escapes its text', () => {
    const svg = renderChartSvg({
      id: 'c1',
      title: 'budget <of> "x"',
      description: 'd & e',
      fromSeconds: 0,
      toSeconds: 86_400,
      lines: [
        {
          points: [
            [0, 1],
            [86_400, 0.5],
          ],
          className: 'budget',
        },
      ],
      formatY: (v) => String(v),
    });
    expect(svg).toMatch(/^<svg class="chart" id="c1" viewBox="0 0 720 220" role="img" aria-labelledby="c1-title c1-desc"/);
    expect(svg).toContain('<title id="c1-title">budget &lt;of&gt; &quot;x&quot;</title><desc id="c1-desc">d &amp; e</desc>');
    expect(svg).toMatch(/<path class="line budget" d="M56 [\d.]+ L708 [\d.]+"\/>/);
  });
});

describe('the pages', () => {
  it('escapes label values, descriptions and SLA text: a <script> in a model name stays text', () => {
    const [slo] = slosOf(`apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
slos:
  - name: per-model
    description: "Requests <b>succeed</b> & more"
    objective: 99
    sla: { text: "<img src=x onerror=alert(1)>" }
    groupBy: [model]
    indicator:
      ratio:
        errors: inference_total{status="error"}
        total: inference_total
`);
    const range = { fromSeconds: 0, toSeconds: 600 };
    const r = summarizeSlo(
      slo!,
      { times: [300, 600], stepSeconds: 300, members: [{ labels: { model: '<script>alert("x")</script>' }, errors: [0.1, 0], total: [10, 10] }], alerts: [] },
      range,
      { page: ['critical'], ticket: ['warning'] },
    );
    const report: Report = {
      formatVersion: 1,
      generatedBy: 'vigil test',
      prometheusUrl: 'http://p:9090',
      environment: '<env>',
      ...range,
      services: [{ name: 'api', page: 'api.html', slos: [r] }],
      requests: 3,
    };
    const files = renderReportFiles(report);
    expect(files.map((f) => f.path)).toEqual(['index.html', 'api.html', 'report.json']);
    for (const f of files.filter((x) => x.path.endsWith('.html'))) {
      expect(f.content).not.toMatch(/<script|<img|<b>|<env>/i);
      expect(f.content).not.toMatch(/<link|@import|url\(|https?:\/\/(?!p:9090)/);
    }
    const page = files[1]!.content;
    expect(page).toContain(escapeHtml('model="<script>alert(\\"x\\")</script>"'));
    expect(page).toContain('Requests &lt;b&gt;succeed&lt;/b&gt; &amp; more');
    expect(files[0]!.content).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(JSON.parse(files[2]!.content)).toEqual(JSON.parse(JSON.stringify(report)));
  });
});

describe('report.json', () => {
  it('puts each chart point on one line and parses back to the same report', () => {
    const report = {
      formatVersion: 1,
      points: [
        [1_700_000_000, 0.5],
        [1_700_000_300, null],
        [1_700_000_600, -1.5e-7],
      ],
      list: ['a', 'b'],
    };
    const text = reportJson(report as unknown as Report);
    expect(text).toContain('\n    [1700000000, 0.5],\n    [1700000300, null],\n    [1700000600, -1.5e-7]\n');
    expect(JSON.parse(text)).toEqual(report);
  });
});
