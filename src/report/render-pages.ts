import { escapeHtml } from './html-escape.js';
import {
  formatAttainment,
  formatBudget,
  formatCoverage,
  formatInstant,
  formatLabels,
  formatLatency,
  formatPercent,
  formatSeconds,
  statusText,
} from './format.js';
import { PAGE_STYLE } from './page-style.js';
import type { Report, SloReport } from './report-model.js';
import { renderChartSvg, type ChartBand } from './svg-chart.js';

/** One file of the report, relative to the output dir. */
export interface ReportFile {
  readonly path: string;
  readonly content: string;
}

/** The whole report as files: `index.html`, one `<service>.html` each, and `report.json` (pure). */
export function renderReportFiles(report: Report): ReportFile[] {
  return [
    { path: 'index.html', content: renderIndex(report) },
    ...report.services.map((s) => ({ path: s.page, content: renderServicePage(report, s) })),
    { path: 'report.json', content: reportJson(report) },
  ];
}

/** report.json: indented, with each chart point `[t, value]` on one line (a 30-day report stays small to diff and read). */
export function reportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2).replace(/\[\n\s+(-?[\d.e+-]+),\n\s+(-?[\d.e+-]+|null)\n\s+\]/g, '[$1, $2]')}\n`;
}

const e = escapeHtml;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function meta(report: Report): string {
  const env = report.environment ? ` · environment <strong>${e(report.environment)}</strong>` : '';
  return `<p class="meta">${e(formatInstant(report.fromSeconds))} to ${e(formatInstant(report.toSeconds))}${env} · from ${e(report.prometheusUrl)} · ${e(report.generatedBy)}</p>`;
}

/** A table cell holding one number of report.json: `data-field` names it, `data-value` is its exact value. */
function cell(r: SloReport, field: string, value: number | null, text: string, label: string, cls = 'num'): string {
  return `<td class="${cls}" data-label="${e(label)}" data-slo="${e(r.id)}" data-field="${e(field)}" data-value="${value === null ? '' : value}">${e(text)}</td>`;
}

function status(r: SloReport): string {
  return `<span class="status status-${r.status}">${e(statusText(r.status))}</span>`;
}

function sloRow(r: SloReport, withService: string | undefined): string {
  const name = withService !== undefined ? `<a href="${e(withService)}#slo-${e(r.id)}">${e(r.name)}</a>` : `<a href="#slo-${e(r.id)}">${e(r.name)}</a>`;
  return [
    '<tr>',
    withService !== undefined ? `<td data-label="Service">${e(r.service)}</td>` : '',
    `<td data-label="SLO" data-slo-name="${e(r.id)}">${name}</td>`,
    cell(r, 'objectivePercent', r.objectivePercent, `${r.objectivePercent} %`, 'Objective'),
    cell(r, 'attainment', r.attainment, formatAttainment(r), 'Attained'),
    cell(r, 'errorBudgetRemaining', r.errorBudgetRemaining, formatBudget(r), 'Budget left'),
    `<td data-label="Status" data-slo="${e(r.id)}" data-field="status" data-value="${r.status}">${status(r)}</td>`,
    cell(r, 'coverage.seconds', r.coverage.seconds, formatCoverage(r.coverage), 'Data', ''),
    cell(r, 'alerts.pageSeconds', r.alerts.pageSeconds, formatSeconds(r.alerts.pageSeconds), 'Paging'),
    '</tr>',
  ].join('');
}

function sloTable(slos: readonly SloReport[], linkPage: ((r: SloReport) => string) | undefined): string {
  const head = `<thead><tr>${linkPage ? '<th>Service</th>' : ''}<th>SLO</th><th class="num">Objective</th><th class="num">Attained</th><th class="num">Error budget left</th><th>Status</th><th>Data</th><th class="num">Page alerts firing</th></tr></thead>`;
  return `<table class="stack slos">${head}<tbody>${slos.map((r) => sloRow(r, linkPage?.(r))).join('')}</tbody></table>`;
}

function slaTable(slos: readonly SloReport[], pageOf: ((r: SloReport) => string) | undefined): string {
  const lines = slos.filter((r) => r.sla);
  if (lines.length === 0) return '<p class="muted">No SLO declares an SLA line (<code>sla:</code> in its spec).</p>';
  const rows = lines.map((r) => {
    const sla = r.sla!;
    const result =
      sla.met === null
        ? `<span class="status status-no-data">${e(statusText(r.status))}</span>`
        : sla.met
          ? '<span class="sla-met">Met</span>'
          : '<span class="sla-missed">Missed</span>';
    const by = pageOf ? `<a href="${e(pageOf(r))}#slo-${e(r.id)}">${e(r.id)}</a>` : e(r.id);
    return `<tr><td data-label="Service">${e(r.service)}</td><td data-label="SLA" data-sla="${e(r.id)}">${e(sla.text)}</td><td data-label="Measured by">${by}</td>${cell(r, 'sla.objectivePercent', sla.objectivePercent, `${sla.objectivePercent} %`, 'Promised')}${cell(r, 'attainment', r.attainment, formatAttainment(r), 'Attained')}<td data-label="Result" data-slo="${e(r.id)}" data-field="sla.met" data-value="${sla.met === null ? '' : sla.met}">${result}</td><td data-label="Data">${e(formatCoverage(r.coverage))}</td></tr>`;
  });
  return `<table class="stack sla"><thead><tr><th>Service</th><th>SLA</th><th>Measured by</th><th class="num">Promised</th><th class="num">Attained</th><th>Result</th><th>Data</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function tally(slos: readonly SloReport[]): string {
  const n = (s: SloReport['status']) => slos.filter((r) => r.status === s).length;
  return `${slos.length} SLO(s): ${n('met')} met, ${n('at-risk')} at risk, ${n('breached')} breached, ${n('no-traffic')} without traffic, ${n('no-data')} without data.`;
}

function renderIndex(report: Report): string {
  const all = report.services.flatMap((s) => s.slos);
  const pageOf = (r: SloReport) => report.services.find((s) => s.name === r.service)!.page;
  const services = report.services
    .map((s) => `<li><a href="${e(s.page)}">${e(s.name)}</a> (${s.slos.length} SLO${s.slos.length === 1 ? '' : 's'})</li>`)
    .join('');
  return page(
    'SLO report',
    `<header><h1>SLO report</h1>${meta(report)}<p>${e(tally(all))}</p></header>
<main>
<h2>SLA</h2>
${slaTable(all, pageOf)}
<h2>Every SLO</h2>
${sloTable(all, pageOf)}
<h2>Services</h2>
<ul class="services">${services}</ul>
<p class="muted">Attained: share of good events over the data in the range (missing data is not counted as good). Error budget left: 1 − error ratio ÷ (1 − objective); negative when overspent. Status: breached below the objective, at risk with less than 25 % of the budget left.</p>
</main>`,
  );
}

function renderServicePage(report: Report, service: Report['services'][number]): string {
  return page(
    `${service.name} — SLO report`,
    `<nav><a href="index.html">← All services</a></nav>
<header><h1>${e(service.name)}</h1>${meta(report)}<p>${e(tally(service.slos))}</p></header>
<main>
${service.slos.some((r) => r.sla) ? `<h2>SLA</h2>${slaTable(service.slos, undefined)}` : ''}
<h2>SLOs</h2>
${sloTable(service.slos, undefined)}
${service.slos.map((r) => sloSection(report, r)).join('\n')}
</main>`,
  );
}

function fact(r: SloReport, label: string, field: string, value: number | string | null, text: string): string {
  return `<div><dt>${e(label)}</dt><dd data-slo="${e(r.id)}" data-field="${e(field)}" data-value="${value === null ? '' : e(String(value))}">${e(text)}</dd></div>`;
}

function bandsOf(r: SloReport): ChartBand[] {
  return r.alerts.bands.map((b) => {
    return {
      fromSeconds: b.fromSeconds,
      toSeconds: b.toSeconds,
      className: `band-${b.tier}`,
      label: `${b.severity} alert firing ${formatInstant(b.fromSeconds)} – ${formatInstant(b.toSeconds)}`,
    };
  });
}

function sloSection(report: Report, r: SloReport): string {
  const { fromSeconds, toSeconds } = report;
  const bands = bandsOf(r);
  const chartId = (kind: string) => `chart-${r.id}-${kind}`.replace(/[^a-zA-Z0-9_-]/g, '_');
  const budgetChart = renderChartSvg({
    id: chartId('budget'),
    title: `${r.id}: error budget remaining`,
    description: `Share of the error budget left over time, ${formatBudget(r)} at the end; shaded: burn-rate alerts firing.`,
    fromSeconds,
    toSeconds,
    lines: [{ points: r.charts.budgetRemaining, className: 'budget' }],
    references: [{ value: 0, label: 'budget exhausted', className: 'ref-zero' }],
    bands,
    yMax: 1,
    formatY: (v) => formatPercent(v, 0),
  });
  const burnChart = renderChartSvg({
    id: chartId('burn'),
    title: `${r.id}: burn rate`,
    description: `Error ratio divided by the error budget per ${formatSeconds(r.charts.bucketSeconds)}; 1 spends exactly the budget over the period; shaded: alerts firing.`,
    fromSeconds,
    toSeconds,
    lines: [{ points: r.charts.burnRate, className: 'burn' }],
    references: [{ value: 1, label: 'burn rate 1: the budget lasts exactly the period', className: 'ref-budget' }],
    bands,
    yMin: 0,
    formatY: (v) => `${Number(v.toPrecision(3))}x`,
  });
  const legend = `<p class="legend"><span><i class="k-page"></i>page alert firing</span><span><i class="k-ticket"></i>ticket alert firing</span></p>`;
  const events = r.events
    ? fact(
        r,
        'Events',
        'events.total',
        r.events.total,
        `${Math.round(r.events.total).toLocaleString('en')} (${Math.round(r.events.errors).toLocaleString('en')} bad)`,
      )
    : '';
  const members =
    r.groupBy.length === 0
      ? ''
      : `<h3>Members by budget spent</h3>${
          r.worstMembers.length === 0
            ? '<p class="muted">No data per member.</p>'
            : `<table class="stack members"><thead><tr><th>${e(r.groupBy.join(', '))}</th><th class="num">Bad events</th><th class="num">Events</th><th class="num">Error ratio</th><th class="num">Share of the budget spent</th></tr></thead><tbody>${r.worstMembers
                .map(
                  (m, i) =>
                    `<tr><td data-label="Member" data-member="${e(r.id)}">${e(formatLabels(m.labels))}</td><td class="num" data-label="Bad events">${e(Math.round(m.errors).toLocaleString('en'))}</td><td class="num" data-label="Events">${e(Math.round(m.total).toLocaleString('en'))}</td><td class="num" data-label="Error ratio">${m.errorRatio === null ? 'no traffic' : e(formatPercent(m.errorRatio, 3))}</td><td class="num" data-label="Share of budget" data-slo="${e(r.id)}" data-field="worstMembers.${i}.budgetSpent" data-value="${m.budgetSpent ?? ''}">${m.budgetSpent === null ? '—' : e(formatPercent(m.budgetSpent, 1))}</td></tr>`,
                )
                .join('')}</tbody></table>`
        }`;
  let latency = '';
  if (r.latency) {
    const q = `P${Number((r.latency.quantile * 100).toPrecision(6))}`;
    const chart = renderChartSvg({
      id: chartId('latency'),
      title: `${r.id}: ${q} latency`,
      description: `${q} of the request duration histogram per ${formatSeconds(r.latency.stepSeconds || r.charts.bucketSeconds)}; dashed: the ${formatLatency(r.latency.thresholdSeconds)} threshold.`,
      fromSeconds,
      toSeconds,
      lines: [{ points: r.latency.points, className: 'latency' }],
      references: [{ value: r.latency.thresholdSeconds, label: `threshold ${formatLatency(r.latency.thresholdSeconds)}`, className: 'ref-threshold' }],
      yMin: 0,
      formatY: (v) => formatLatency(v),
    });
    latency = `<h3>${e(q)} latency</h3><dl class="facts">${fact(r, `Threshold`, 'latency.thresholdSeconds', r.latency.thresholdSeconds, formatLatency(r.latency.thresholdSeconds))}${fact(r, `Highest ${q}`, 'latency.max', r.latency.max, r.latency.max === null ? 'no data' : formatLatency(r.latency.max))}${fact(r, 'Points above threshold', 'latency.pointsAboveThreshold', r.latency.pointsAboveThreshold, `${r.latency.pointsAboveThreshold} of ${r.latency.pointsWithData} with data`)}</dl><figure>${chart}<figcaption>${e(q)} from histogram_quantile over the raw histogram; gaps: no data.</figcaption></figure>`;
  }
  return `<section class="slo" id="slo-${e(r.id)}" data-slo-section="${e(r.id)}">
<h2>${e(r.name)} <span class="muted">(${e(r.id)})</span></h2>
${r.description ? `<p>${e(r.description)}</p>` : ''}
<dl class="facts">${fact(r, 'Objective', 'objectivePercent', r.objectivePercent, `${r.objectivePercent} % over ${r.period}`)}${fact(r, 'Attained', 'attainment', r.attainment, formatAttainment(r))}${fact(r, 'Error budget left', 'errorBudgetRemaining', r.errorBudgetRemaining, formatBudget(r))}<div><dt>Status</dt><dd>${status(r)}</dd></div>${fact(r, 'Data', 'coverage.seconds', r.coverage.seconds, formatCoverage(r.coverage))}${fact(r, 'Page alerts firing', 'alerts.pageSeconds', r.alerts.pageSeconds, formatSeconds(r.alerts.pageSeconds))}${fact(r, 'Ticket alerts firing', 'alerts.ticketSeconds', r.alerts.ticketSeconds, formatSeconds(r.alerts.ticketSeconds))}${events}</dl>
<figure>${budgetChart}<figcaption>Error budget left, counted from the start of the range.</figcaption></figure>
<figure>${burnChart}<figcaption>Burn rate; dashed: 1 (the budget lasts exactly the period).</figcaption></figure>
${bands.length ? legend : ''}
${members}
${latency}
</section>`;
}
