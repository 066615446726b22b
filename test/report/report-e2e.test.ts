import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { formatAttainment, formatBudget, formatCoverage } from '../../src/report/format.js';
import type { Report, SloReport } from '../../src/report/report-model.js';
import type { SloNow } from '../../src/report/read-status.js';
import { Prom } from '../support/prometheus-server.js';
import { createSloHistory, type SloTraffic } from '../support/slo-history.js';
import { BURST, DAYS, MINUTES, ODD_MODEL, eventsUpTo, loadScenarioSlos, scenarioTraffic, writeProject } from './scenario.js';

/**
 * `vigil report` and `vigil status` against a real Prometheus 2.42 holding four days of synthetic
 * history (tsdb blocks from OpenMetrics), and the report looked at in headless Chromium the way a
 * person would: every SLO there, the numbers those of report.json, charts drawn and named, no
 * network, readable at 390 px and printed to PDF.
 */

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/report');

function io(cwd: string, tty = false) {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s), ...(tty ? { isTTY: true } : {}) }, stderr: { write: (s: string) => (err += s) }, cwd },
    out: () => out,
    err: () => err,
  };
}

let work: string;
let root: string;
let prom: Prom;
let startSeconds: number;
let traffic: SloTraffic[];
let report: Report;
let outDir: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-report-'));
  root = path.join(work, 'project');
  writeProject(root);
  const slos = await loadScenarioSlos(root);
  const t = scenarioTraffic(slos);
  traffic = t.slos;
  // The data ends half an hour after now; its start is on a 5-minute boundary, as the base ticks are.
  startSeconds = Math.floor(Date.now() / 1000 / 300) * 300 - DAYS * 86_400;
  await createSloHistory({ startSeconds, minutes: MINUTES, raw: t.raw, slos: t.slos, workDir: work, dataDir: path.join(work, 'data') });
  prom = new Prom(path.join(work, 'data'), path.join(work, 'prometheus.log'));
  await prom.start();
  writeProject(root, prom.url);
  outDir = path.join(work, 'report');
  const r = io(root);
  const code = await run(['report', '--out', outDir, '--period', '30d', '--env', 'prod'], r.io);
  expect(r.err()).toContain('vigil report: [4/4]');
  expect(code).toBe(0);
  report = JSON.parse(fs.readFileSync(path.join(outDir, 'report.json'), 'utf8')) as Report;
}, 90_000);

afterAll(async () => {
  await prom?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const slo = (id: string): SloReport => report.services.flatMap((s) => s.slos).find((s) => s.id === id)!;
const trafficOf = (id: string) => traffic.find((t) => t.slo.id === id)!;
/** Minutes of data inside the report's range: the range ends at `to`, the data starts at startSeconds. */
const coveredMinutes = () => (report.toSeconds - startSeconds) / 60;

describe('vigil report against a real Prometheus', () => {
  it('writes index.html, one page per service and report.json', () => {
    expect(fs.readdirSync(outDir).sort()).toEqual(['document-processing.html', 'gpu-inference.html', 'index.html', 'report.json']);
    expect(report.services.map((s) => [s.name, s.slos.map((x) => x.name)])).toEqual([
      ['document-processing', ['availability', 'latency']],
      ['gpu-inference', ['availability', 'queue-up']],
    ]);
    expect(report.toSeconds - report.fromSeconds).toBe(30 * 86_400);
    expect(report.environment).toBe('prod');
    expect(report.prometheusUrl).toBe(prom.url);
  });

  it('computes attainment and budget from the events in the range, and says the data covers 4 of 30 days', () => {
    for (const id of ['document-processing-availability', 'document-processing-latency', 'gpu-inference-availability']) {
      const r = slo(id);
      const want = eventsUpTo(trafficOf(id), coveredMinutes());
      const budget = 1 - r.objectivePercent / 100;
      expect(r.events!.total).toBeCloseTo(want.total, 6);
      expect(r.events!.errors).toBeCloseTo(want.errors, 6);
      expect(r.attainment).toBeCloseTo(1 - want.errors / want.total, 12);
      expect(r.errorBudgetRemaining).toBeCloseTo(1 - want.errors / want.total / budget, 9);
      expect(r.coverage).toEqual({ seconds: coveredMinutes() * 60, rangeSeconds: 30 * 86_400, ratio: (coveredMinutes() * 60) / (30 * 86_400) });
      expect(formatCoverage(r.coverage)).toBe(`data covers ${Math.round((coveredMinutes() / 1440) * 10) / 10} of 30 days`);
    }
    expect(slo('document-processing-availability').status).toBe('met');
    expect(slo('gpu-inference-availability').status).toBe('at-risk');
  });

  it('shows an SLO without any data as "no data", never as 100 %', () => {
    const r = slo('gpu-inference-queue-up');
    expect(r).toMatchObject({ status: 'no-data', attainment: null, errorBudgetRemaining: null, events: null, coverage: { seconds: 0, ratio: 0 } });
    expect(formatAttainment(r)).toBe('no data');
  });

  it('ranks groupBy members by the budget they burned', () => {
    const r = slo('gpu-inference-availability');
    const want = eventsUpTo(trafficOf(r.id), coveredMinutes());
    expect(r.worstMembers.map((m) => m.labels.model)).toEqual(['llama-70b', ODD_MODEL]);
    const llama = want.perMember.find((m) => m.labels.model === 'llama-70b')!;
    expect(r.worstMembers[0]!.budgetSpent).toBeCloseTo(llama.errors / (0.005 * want.total), 9);
    expect(r.worstMembers[1]!.budgetSpent).toBe(0);
  });

  it('draws the page alert of the burst as firing bands inside the burst, and none for the quiet SLOs', () => {
    const r = slo('gpu-inference-availability');
    expect(r.alerts.pageSeconds).toBeGreaterThan(0);
    const pages = r.alerts.bands.filter((b) => b.tier === 'page');
    expect(pages.length).toBeGreaterThan(0);
    for (const b of pages) {
      expect(b.fromSeconds).toBeGreaterThanOrEqual(startSeconds + BURST.from * 60);
      expect(b.toSeconds).toBeLessThanOrEqual(startSeconds + (BURST.to + 60) * 60);
    }
    expect(r.alerts.ticketSeconds).toBeGreaterThan(r.alerts.pageSeconds);
    for (const id of ['document-processing-availability', 'document-processing-latency'])
      expect(slo(id).alerts).toEqual({ pageSeconds: 0, ticketSeconds: 0, bands: [] });
  });

  it('draws the latency SLO percentile over time from the raw histogram', () => {
    const l = slo('document-processing-latency').latency!;
    expect(l.quantile).toBe(0.95);
    expect(l.thresholdSeconds).toBe(2);
    // Outside the slow hours 95 % of requests fall at 1 + 60/72 s by linear interpolation in the (1, 2] bucket.
    const steady = l.points.filter((p) => p[1] !== null).slice(-3);
    for (const p of steady) expect(p[1]).toBeCloseTo(1 + 60 / 72, 9);
    expect(l.max!).toBeGreaterThan(2);
    expect(l.pointsAboveThreshold).toBeGreaterThan(0);
    const withData = l.points.filter((p) => p[1] !== null).length;
    expect(l.pointsWithData).toBe(withData);
    expect(withData).toBeGreaterThan(40);
    expect(withData).toBeLessThan(l.points.length);
  });

  it('exits 2 with one line when Prometheus cannot be asked', async () => {
    const r = io(root);
    const code = await run(['report', '--prometheus-url', 'http://127.0.0.1:1', '--out', path.join(work, 'nope'), '--timeout', '2s'], r.io);
    expect(code).toBe(2);
    expect(r.err()).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:1/);
    expect(r.err()).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(work, 'nope'))).toBe(false);
  });
});

describe('the report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a report page; collects console errors and every request the page makes. */
  async function open(file: string, width: number): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(path.join(outDir, file)).href, { waitUntil: 'load' });
    return { page, errors, requests };
  }

  /** Runs page JavaScript given as text (the tests are typed without the DOM library). */
  function evalJs<T>(page: Page, code: string): Promise<T> {
    return page.evaluate<T>(code);
  }

  /** Every `[data-slo][data-field]` element: its value equals report.json's, its text is that value formatted. */
  async function checkNumbers(page: Page): Promise<number> {
    const cells = await evalJs<{ slo: string; field: string; value: string; text: string }[]>(
      page,
      `[...document.querySelectorAll('[data-slo][data-field]')].map((el) => ({ slo: el.getAttribute('data-slo'), field: el.getAttribute('data-field'), value: el.getAttribute('data-value'), text: el.textContent.trim() }))`,
    );
    for (const c of cells) {
      const r = slo(c.slo);
      const value = c.field.split('.').reduce((o: unknown, k: string) => (o as Record<string, unknown>)[k], r as unknown);
      expect(['number', 'boolean', 'string'].includes(typeof value) || value === null, `${c.slo} ${c.field} is a scalar`).toBe(true);
      expect(c.value, `${c.slo} ${c.field}`).toBe(value === null ? '' : String(value as number | boolean | string));
      if (c.field === 'attainment') expect(c.text).toBe(formatAttainment(r));
      if (c.field === 'errorBudgetRemaining') expect(c.text).toBe(formatBudget(r));
      if (c.field === 'coverage.seconds') expect(c.text).toBe(formatCoverage(r.coverage));
    }
    return cells.length;
  }

  for (const width of [1280, 390]) {
    it(`shows every SLO on the index at ${width} px, numbers equal to report.json, no network, no overflow`, async () => {
      const { page, errors, requests } = await open('index.html', width);
      const names = await evalJs<string[]>(page, `[...document.querySelectorAll('[data-slo-name]')].map((e) => e.getAttribute('data-slo-name'))`);
      expect(names.sort()).toEqual(report.services.flatMap((s) => s.slos.map((x) => x.id)).sort());
      expect(await checkNumbers(page)).toBeGreaterThan(20);
      expect(await evalJs<string[]>(page, `[...document.querySelectorAll('table.sla [data-sla]')].map((e) => e.textContent)`)).toEqual([
        '99.9% availability',
        'P95 < 2 s',
      ]);
      expect(await page.textContent('body')).toContain('no data');
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `index-${width}.png`), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(path.join(outDir, 'index.html')).href]);
      await page.close();
    }, 30_000);

    it(`draws named charts with points on a service page at ${width} px`, async () => {
      const { page, errors, requests } = await open('gpu-inference.html', width);
      const charts = await evalJs<{ id: string; role: string; name: string; paths: string[]; bands: number }[]>(
        page,
        `[...document.querySelectorAll('svg.chart')].map((svg) => ({
          id: svg.id,
          role: svg.getAttribute('role'),
          name: (svg.getAttribute('aria-labelledby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' | '),
          paths: [...svg.querySelectorAll('path.line')].map((p) => p.getAttribute('d') ?? ''),
          bands: svg.querySelectorAll('rect.band-page').length,
        }))`,
      );
      expect(charts.map((c) => c.id)).toEqual([
        'chart-gpu-inference-availability-budget',
        'chart-gpu-inference-availability-burn',
        'chart-gpu-inference-queue-up-budget',
        'chart-gpu-inference-queue-up-burn',
      ]);
      for (const c of charts) {
        expect(c.role).toBe('img');
        expect(c.name).toMatch(/^gpu-inference-[a-z-]+: .+ \| .+/);
      }
      for (const c of charts.slice(0, 2)) {
        expect(c.paths).toHaveLength(1);
        expect(c.paths[0]!.match(/[ML][\d.-]+ [\d.-]+/g)!.length).toBeGreaterThan(20);
        expect(c.bands).toBeGreaterThan(0);
      }
      for (const c of charts.slice(2)) expect(c.paths).toEqual([]);
      expect(await evalJs<string[]>(page, `[...document.querySelectorAll('[data-member]')].map((e) => e.textContent)`)).toEqual([
        'model="llama-70b"',
        `model="${ODD_MODEL}"`,
      ]);
      expect(await checkNumbers(page)).toBeGreaterThan(10);
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `gpu-inference-${width}.png`), fullPage: true });
      if (width === 1280) {
        const pdf = await page.pdf({ path: path.join(ARTIFACTS, 'gpu-inference.pdf'), format: 'A4', printBackground: true });
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      }
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(path.join(outDir, 'gpu-inference.html')).href]);
      await page.close();
    }, 30_000);
  }

  it('draws the latency percentile with its threshold on the document-processing page', async () => {
    const { page, errors } = await open('document-processing.html', 1280);
    const d = await page.getAttribute('#chart-document-processing-latency-latency path.line', 'd');
    expect(d!.match(/[ML][\d.-]+ [\d.-]+/g)!.length).toBeGreaterThan(40);
    expect(await page.textContent('#chart-document-processing-latency-latency title')).toBe('document-processing-latency: P95 latency');
    expect(await page.$$('#chart-document-processing-latency-latency line.ref-threshold')).toHaveLength(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'document-processing-1280.png'), fullPage: true });
    await page.pdf({ path: path.join(ARTIFACTS, 'document-processing.pdf'), format: 'A4' });
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);
});

describe('vigil status against the same Prometheus', () => {
  /** The base tick whose samples a query at `q` (unix s) reads: stamped 1 s before start + 5k min. */
  const tickMinutes = (q: number) => Math.floor((q - startSeconds + 1) / 300) * 5;

  async function status(args: string[], tty = false) {
    for (let attempt = 0; ; attempt++) {
      const before = tickMinutes(Date.now() / 1000);
      const r = io(root, tty);
      const code = await run(['status', ...args], r.io);
      if (tickMinutes(Date.now() / 1000) === before || attempt > 0) return { code, out: r.out(), err: r.err(), tick: before };
    }
  }

  it('prints exact burn rates, budget left and firing alerts as JSON (URL from vigil.config.yaml)', async () => {
    const { code, out, tick } = await status(['--format', 'json']);
    expect(code).toBe(0);
    const rows = (JSON.parse(out) as { slos: SloNow[] }).slos;
    expect(rows.map((r) => [r.id, r.state])).toEqual([
      ['document-processing-availability', 'ok'],
      ['document-processing-latency', 'ok'],
      ['gpu-inference-availability', 'ok'],
      ['gpu-inference-queue-up', 'no-data'],
    ]);
    const windows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
    // The day-0 incidents are more than 3 days back: every alert window sees steady traffic.
    const steady = { 'document-processing-availability': 0, 'document-processing-latency': 18 / 600 / 0.05, 'gpu-inference-availability': 0.3 / 300 / 0.005 };
    for (const [id, burn] of Object.entries(steady)) {
      const row = rows.find((r) => r.id === id)!;
      expect(row.burnRates.map((b) => b.window)).toEqual(windows);
      for (const b of row.burnRates) expect(b.value, `${id} ${b.window}`).toBeCloseTo(burn, 9);
      const want = eventsUpTo(trafficOf(id), tick);
      const remaining =
        id === 'gpu-inference-availability'
          ? Math.min(...want.perMember.map((m) => 1 - m.errors / m.total / 0.005))
          : 1 - want.errors / want.total / (1 - row.objectivePercent / 100);
      expect(row.errorBudgetRemaining).toBeCloseTo(remaining, 9);
      expect(row.firing).toEqual([]);
    }
    expect(rows.find((r) => r.id === 'gpu-inference-availability')!.burnRates[0]!.worst).toEqual({ model: 'llama-70b' });
    expect(rows[3]!.burnRates.every((b) => b.value === null)).toBe(true);
  });

  it("reads the SLOs with --env's overrides, and refuses an environment the project does not declare", async () => {
    // staging loosens one objective through an overlay file: status shows it, and the budget left follows it.
    const overlay = path.join(root, 'envs/staging/slos/document-processing.yaml');
    fs.mkdirSync(path.dirname(overlay), { recursive: true });
    fs.writeFileSync(
      overlay,
      'apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: document-processing\nslos:\n  - name: availability\n    objective: 99\n',
    );
    try {
      const staging = await status(['--env', 'staging', '--format', 'json']);
      expect(staging.code, staging.err).toBe(0);
      const rows = (JSON.parse(staging.out) as { environment: string; slos: SloNow[] }).slos;
      expect(rows.find((r) => r.id === 'document-processing-availability')!.objectivePercent).toBe(99);
      expect(rows.find((r) => r.id === 'document-processing-latency')!.objectivePercent).toBe(95);
      const prod = await status(['--env', 'prod', '--format', 'json']);
      expect((JSON.parse(prod.out) as { slos: SloNow[] }).slos.find((r) => r.id === 'document-processing-availability')!.objectivePercent).toBe(99.9);
    } finally {
      fs.rmSync(path.join(root, 'envs'), { recursive: true, force: true });
    }
    const typo = await status(['--env', 'prdo']);
    expect(typo.code).toBe(1);
    expect(typo.err).toMatch(/error CFG010: --env prdo: no such environment; declared: prod, staging \(did you mean prod\?\)/);
  });

  it('prints a plain table when stdout is not a terminal, colours it on one, and not with NO_COLOR', async () => {
    const plain = await status(['--service', 'gpu-inference']);
    expect(plain.code).toBe(0);
    expect(plain.out.includes('\u001b[')).toBe(false);
    expect(plain.out.split('\n')[0]).toMatch(/^SLO +objective +budget left +burn rate/);
    expect(plain.out).toContain('gpu-inference-availability');
    expect(plain.out).not.toContain('document-processing');
    const saved = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      const coloured = await status(['--service', 'gpu-inference'], true);
      expect(coloured.out).toContain('\u001b[32mok\u001b[0m');
      process.env.NO_COLOR = '1';
      const noColor = await status(['--service', 'gpu-inference'], true);
      expect(noColor.out.includes('\u001b[')).toBe(false);
      expect(noColor.out).toBe(plain.out);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });

  it('is a usage error without a Prometheus URL, and exit 2 when Prometheus cannot be asked', async () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-status-'));
    writeProject(bare);
    const r = io(bare);
    expect(await run(['status'], r.io)).toBe(2);
    expect(r.err()).toContain('give --prometheus-url URL or set prometheus.url in vigil.config.yaml');
    const down = io(bare);
    expect(await run(['status', '--prometheus-url', 'http://127.0.0.1:1', '--timeout', '2s'], down.io)).toBe(2);
    expect(down.err()).toMatch(/cannot reach Prometheus/);
    fs.rmSync(bare, { recursive: true, force: true });
  });
});
