import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { Prom, backfillOpenMetrics } from '../support/prometheus-server.js';
import { seeded } from '../support/seeded.js';

const MIN = 60_000;
const DAY = 1440 * MIN;
const DAYS = 10;
const N = DAYS * 1440;
/** Counter resets (every series of the SLO restarts from 0) and the zero-traffic gap, in minutes from the start. */
const SHOP_RESET = 4 * 1440 + 720;
const INFER_RESET = 5 * 1440 + 300;
const GAP = [6 * 1440, 6 * 1440 + 360] as const;
/**
 * The batch SLO's targets are down (no samples at all) for two hours: every level's series stops and
 * restarts. Its own SLO: a tile ending inside an outage is absent, and live rules count a window
 * holding it as if the tile had no traffic, so its long windows are not the raw ratio there.
 */
const ABSENT = [6 * 1440 + 60, 6 * 1440 + 180] as const;
/** 20 % of the shop's requests fail from day 3 10:00 to 12:00 (a page); model b is slow from day 7 02:00 to 05:00. */
const SHOP_BURST = [3 * 1440 + 600, 3 * 1440 + 720] as const;
const SLOW_BURST = [7 * 1440 + 120, 7 * 1440 + 300] as const;

const SLOS = {
  'slos/shop.yaml': `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: shop
period: 30d
slos:
  - name: availability
    objective: 99.9
    indicator:
      ratio:
        errors: http_requests_total{job="shop", code="500"}
        total: http_requests_total{job="shop"}
`,
  'slos/batch.yaml': `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: batch
period: 30d
slos:
  - name: availability
    objective: 99
    indicator:
      ratio:
        errors: batch_jobs_total{job="batch", code="500"}
        total: batch_jobs_total{job="batch"}
`,
  'slos/infer.yaml': `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: infer
period: 28d
slos:
  - name: latency
    objective: 99
    groupBy: [model]
    indicator:
      latency:
        histogram: req_duration_seconds{job="infer"}
        threshold: 1s
`,
};

/** Per-minute increments of every raw counter, made by construction (the exact answers come from these, not from PromQL). */
interface RawData {
  shopTotal: number[];
  shopErrors: number[];
  /** Per model: requests, and requests slower than the 1 s threshold. */
  inferTotal: Record<string, number[]>;
  inferSlow: Record<string, number[]>;
}

function makeData(): RawData {
  const rnd = seeded(16);
  const quiet = (m: number) => m < 60 || (m >= GAP[0] && m < GAP[1]);
  const d: RawData = { shopTotal: [], shopErrors: [], inferTotal: { a: [], b: [] }, inferSlow: { a: [], b: [] } };
  for (let m = 0; m < N; m++) {
    const daily = 1 + 0.5 * Math.sin((2 * Math.PI * (m % 1440)) / 1440);
    const total = quiet(m) ? 0 : Math.round(60 * daily + 30 * rnd());
    const burst = m >= SHOP_BURST[0] && m < SHOP_BURST[1];
    d.shopTotal.push(total);
    d.shopErrors.push(total === 0 ? 0 : burst ? Math.floor(total * 0.2) : rnd() < 0.05 ? 1 : 0);
    for (const model of ['a', 'b']) {
      const n = quiet(m) ? 0 : Math.round(30 * daily + 20 * rnd());
      const slowShare = model === 'b' && m >= SLOW_BURST[0] && m < SLOW_BURST[1] ? 0.08 : 0.004;
      d.inferTotal[model]!.push(n);
      d.inferSlow[model]!.push(Math.min(n, Math.floor(n * slowShare + rnd())));
    }
  }
  return d;
}

/** Cumulative sums restarting at `reset`: the counter values a scrape would see. */
function counter(incs: readonly number[], reset: number): number[] {
  let c = 0;
  return incs.map((x, m) => (m === reset ? (c = x) : (c += x)));
}

/** The OpenMetrics text of the raw series, one sample a minute from `t0`, series after series. */
function openMetrics(d: RawData, t0: number): string {
  const sec = (m: number) => ((t0 + m * MIN) / 1000).toFixed(3);
  const lines = (name: string, values: readonly number[]) => values.map((v, m) => `${name} ${v} ${sec(m)}`);
  const out = ['# TYPE batch_jobs counter'];
  for (const [code, perMinute] of [
    ['200', 20],
    ['500', 1],
  ] as const) {
    const c = counter(
      Array.from({ length: N }, () => perMinute),
      -1,
    );
    out.push(...c.flatMap((v, m) => (m >= ABSENT[0] && m < ABSENT[1] ? [] : [`batch_jobs_total{job="batch",code="${code}"} ${v} ${sec(m)}`])));
  }
  out.push('# TYPE http_requests counter');
  out.push(
    ...lines(
      'http_requests_total{job="shop",code="200"}',
      counter(
        d.shopTotal.map((t, m) => t - d.shopErrors[m]!),
        SHOP_RESET,
      ),
    ),
  );
  out.push(...lines('http_requests_total{job="shop",code="500"}', counter(d.shopErrors, SHOP_RESET)));
  out.push('# TYPE req_duration_seconds histogram');
  for (const model of ['a', 'b']) {
    const reset = model === 'a' ? INFER_RESET : -1;
    const total = d.inferTotal[model]!;
    const fast = total.map((n, m) => n - d.inferSlow[model]![m]!);
    const lbl = (le?: string) => `{job="infer",model="${model}"${le ? `,le="${le}"` : ''}}`;
    out.push(
      ...lines(
        `req_duration_seconds_bucket${lbl('0.5')}`,
        counter(
          fast.map((f) => Math.floor(f / 2)),
          reset,
        ),
      ),
    );
    out.push(...lines(`req_duration_seconds_bucket${lbl('1')}`, counter(fast, reset)));
    out.push(...lines(`req_duration_seconds_bucket${lbl('+Inf')}`, counter(total, reset)));
    out.push(...lines(`req_duration_seconds_count${lbl()}`, counter(total, reset)));
  }
  return `${out.join('\n')}\n# EOF\n`;
}

/** Σ of increments over the minutes whose samples lie in (τ − W, τ]: the exact increase a window of W ending at τ counts. */
function windowSum(incs: readonly number[], t0: number, tau: number, windowMs: number): number {
  const end = Math.floor((tau - t0) / MIN);
  const start = Math.floor((tau - windowMs - t0) / MIN);
  let s = 0;
  for (let m = Math.max(0, start + 1); m <= Math.min(N - 1, end); m++) s += incs[m]!;
  return s;
}

const WINDOWS: Record<string, number> = { '1h': 60 * MIN, '1d': DAY, '3d': 3 * DAY, '28d': 28 * DAY, '30d': 30 * DAY };

describe('vigil backfill against a real Prometheus 2.42 holding 10 days of raw counters', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-backfill-e2e-'));
  const root = path.join(dir, 'project');
  const dataDir = path.join(dir, 'data');
  const out = path.join(dir, 'blocks');
  const prom = new Prom(dataDir, path.join(dir, 'prometheus.log'));
  const t0 = Math.floor(Date.now() / DAY) * DAY - 14 * DAY;
  const data = makeData();
  let backfill: { code: number; stdout: string; stderr: string };

  const cli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: root };
    const code = await run(['backfill', ...args], io);
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    for (const [f, text] of Object.entries(SLOS)) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), text);
    }
    const om = path.join(dir, 'raw.om');
    fs.writeFileSync(om, openMetrics(data, t0));
    fs.mkdirSync(dataDir);
    await backfillOpenMetrics(om, dataDir);
    await prom.start();
    backfill = await cli([
      '--prometheus-url',
      prom.url,
      '--start',
      new Date(t0).toISOString(),
      '--end',
      new Date(t0 + DAYS * DAY).toISOString(),
      '--out',
      out,
      '--alerts',
      '--format',
      'json',
    ]);
    if (backfill.code === 0) {
      for (const level of fs.readdirSync(out))
        for (const b of fs.readdirSync(path.join(out, level))) fs.cpSync(path.join(out, level, b), path.join(dataDir, b), { recursive: true });
    }
    await prom.restart();
  }, 240_000);

  afterAll(async () => {
    await prom.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The recorded series at the latest evaluation at or before `at`: its value per group and that evaluation's timestamp. */
  const recorded = async (series: string, at: number) => {
    const values = await prom.instant(series, at);
    const stamps = await prom.instant(`timestamp(${series})`, at);
    return values.result.map((r) => {
      const ts = stamps.result.find((s) => JSON.stringify(s.metric) === JSON.stringify(withoutName(r.metric)));
      if (!ts) throw new Error(`no timestamp for ${JSON.stringify(r.metric)}`);
      return { labels: r.metric, value: Number(r.value[1]), tau: Number(ts.value[1]) * 1000 };
    });
  };

  it('finishes, level by level, with progress on stderr and the blocks under --out', () => {
    expect(backfill.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(backfill.code, backfill.stderr).toBe(0);
    const summary = JSON.parse(backfill.stdout) as { levels: { index: number; blocks: number }[]; alertsRecorded: number };
    expect(summary.levels.length).toBeGreaterThanOrEqual(8);
    expect(summary.levels.every((l) => l.blocks > 0)).toBe(true);
    expect(summary.alertsRecorded).toBeGreaterThan(0);
    expect(backfill.stderr).toMatch(new RegExp(`level 1/${summary.levels.length}: \\d+ rule\\(s\\)`));
    expect(backfill.stderr).toMatch(new RegExp(`level ${summary.levels.length}/${summary.levels.length} done`));
  });

  const instants = [
    ['in the error burst', 3 * DAY + 11 * 60 * MIN],
    ['20 minutes after the counter reset', 4 * DAY + 12 * 60 * MIN + 20 * MIN],
    ['inside the zero-traffic gap', 6 * DAY + 3 * 60 * MIN],
    ['just after the zero-traffic gap', 6 * DAY + 6 * 60 * MIN + 40 * MIN],
    ['during model b slowness', 7 * DAY + 4 * 60 * MIN],
    ['on day 9', 9 * DAY + 7 * 60 * MIN + 17 * MIN],
    ['at the end', DAYS * DAY - 30 * MIN],
  ] as const;

  it.each(instants)('the 1h, 1d, 3d and period error ratios equal the exact raw ratio %s (ratio SLO, 30d)', async (_what, offset) => {
    for (const w of ['1h', '1d', '3d', '30d']) {
      const [r] = await recorded(`slo:error_ratio:rate${w}{slo="shop-availability"}`, t0 + offset);
      expect(r, `slo:error_ratio:rate${w}`).toBeDefined();
      const total = windowSum(data.shopTotal, t0, r!.tau, WINDOWS[w]!);
      const exact = total === 0 ? 0 : windowSum(data.shopErrors, t0, r!.tau, WINDOWS[w]!) / total;
      expectClose(r!.value, exact, `${w} at ${new Date(r!.tau).toISOString()}`);
    }
  });

  it.each(instants)('the 1h, 1d, 3d and period error ratios per model equal the exact raw ratio %s (latency SLO with groupBy, 28d)', async (_what, offset) => {
    for (const w of ['1h', '1d', '3d', '28d']) {
      const rows = await recorded(`slo:error_ratio:rate${w}{slo="infer-latency"}`, t0 + offset);
      expect(rows.map((r) => r.labels.model).sort(), `slo:error_ratio:rate${w}`).toEqual(['a', 'b']);
      for (const r of rows) {
        const model = r.labels.model!;
        const total = windowSum(data.inferTotal[model]!, t0, r.tau, WINDOWS[w]!);
        const exact = total === 0 ? 0 : windowSum(data.inferSlow[model]!, t0, r.tau, WINDOWS[w]!) / total;
        expectClose(r.value, exact, `${w} model ${model} at ${new Date(r.tau).toISOString()}`);
      }
    }
  });

  it('records the page alert as ALERTS{alertstate="firing"} exactly while both page windows burn above 14.4x', async () => {
    for (const [at, firing] of [
      [3 * DAY + 11 * 60 * MIN, true],
      [9 * DAY, false],
    ] as const) {
      const alerts = await prom.instant('ALERTS{alertstate="firing", slo="shop-availability", long_window="1h"}', t0 + at);
      const [r] = await recorded('slo:error_ratio:rate1h{slo="shop-availability"}', t0 + at);
      const burn = (w: number) => windowSum(data.shopErrors, t0, r!.tau, w) / windowSum(data.shopTotal, t0, r!.tau, w) / 0.001;
      expect(burn(60 * MIN) > 14.4 && burn(5 * MIN) > 14.4).toBe(firing);
      expect(alerts.result.length, `ALERTS at day ${at / DAY}`).toBe(firing ? 1 : 0);
    }
  });

  it('reads as a report (vigil report over the backfilled history): exact event counts, and the page burst as a firing band', async () => {
    const outDir = path.join(dir, 'report');
    let stderr = '';
    const io = { stdout: { write: () => undefined }, stderr: { write: (s: string) => (stderr += s) }, cwd: root };
    const args = ['--prometheus-url', prom.url, '--from', new Date(t0).toISOString(), '--to', new Date(t0 + DAYS * DAY).toISOString()];
    expect(await run(['report', ...args, '--service', 'shop', '--out', outDir], io), stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(outDir, 'report.json'), 'utf8')) as {
      services: {
        slos: { id: string; events: { errors: number; total: number } | null; alerts: { bands: { tier: string; fromSeconds: number; toSeconds: number }[] } }[];
      }[];
    };
    const shop = report.services.flatMap((s) => s.slos).find((s) => s.id === 'shop-availability')!;
    // The report sums the backfilled 5m tiles: the exact increases, the counter reset included.
    const total = windowSum(data.shopTotal, t0, t0 + DAYS * DAY, DAYS * DAY);
    const errors = windowSum(data.shopErrors, t0, t0 + DAYS * DAY, DAYS * DAY);
    expect(shop.events!.total).toBeCloseTo(total, 6);
    expect(shop.events!.errors).toBeCloseTo(errors, 6);
    // The page fired during the burst (the backfilled ALERTS), and wherever else a page band is, the raw
    // data says a page pair burned then (here: one error among the first requests after the zero-traffic gap).
    const pages = shop.alerts.bands.filter((b) => b.tier === 'page');
    const burstStart = t0 + SHOP_BURST[0] * MIN;
    expect(pages.some((b) => b.fromSeconds * 1000 <= burstStart + 15 * MIN && b.toSeconds * 1000 >= t0 + SHOP_BURST[1] * MIN)).toBe(true);
    const burn = (tau: number, w: number) => windowSum(data.shopErrors, t0, tau, w) / windowSum(data.shopTotal, t0, tau, w) / 0.001;
    const paged = (tau: number) => (burn(tau, 60 * MIN) > 14.4 && burn(tau, 5 * MIN) > 14.4) || (burn(tau, 360 * MIN) > 6 && burn(tau, 30 * MIN) > 6);
    for (const b of pages) {
      // The band's last step, at t, saw an ALERTS sample within the 5m lookback: backfilled blocks carry
      // no stale markers, so a stopped alert stays visible that long (docs/backfill.md). Some evaluation
      // in [t - 5m, t] fired.
      const end = b.toSeconds * 1000;
      const evaluations = [5, 4, 3, 2, 1, 0].map((k) => end - k * MIN);
      expect(evaluations.some(paged), `page band ending ${new Date(end).toISOString()}`).toBe(true);
    }
    // As a person sees it (headless Chromium): the shop page opens without errors and shows each page band, named.
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      await page.goto(pathToFileURL(path.join(outDir, 'shop.html')).href);
      const titles = await page.locator('rect.band-page > title').allTextContents();
      expect(errors).toEqual([]);
      // Each band is drawn on both charts (budget left, burn rate).
      expect(titles.length).toBe(2 * pages.length);
      expect(titles.every((t) => t.startsWith('critical alert firing '))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('stops and restarts every level at the same evaluation around a scrape outage, as stale markers make live rules do', async () => {
    const lastBefore: Record<string, number> = {};
    const firstAfter: Record<string, number> = {};
    for (const w of ['5m', '30m', '1h', '6h', '1d', '3d', '30d']) {
      const series = `slo:error_ratio:rate${w}{slo="batch-availability"}`;
      const before = await samplesIn(prom.url, series, t0 + ABSENT[0] * MIN + 30 * MIN, 60 * MIN);
      const after = await samplesIn(prom.url, series, t0 + ABSENT[1] * MIN + 30 * MIN, 60 * MIN);
      // Nothing lies inside the outage, so the window around its start ends with the last sample before it, and the one around its end starts with the first after it.
      lastBefore[w] = Math.max(...before);
      firstAfter[w] = Math.min(...after);
    }
    // The base window reads raw counters with the source's 5m lookback: it runs 4 more minutes into the outage and resumes a base window after it.
    expect(lastBefore['5m']).toBe(t0 + (ABSENT[0] + 4) * MIN);
    expect(firstAfter['5m']).toBe(t0 + (ABSENT[1] + 5) * MIN);
    for (const w of Object.keys(lastBefore)) {
      expect(lastBefore[w], `${w}: last sample before the outage`).toBe(lastBefore['5m']);
      expect(firstAfter[w], `${w}: first sample after it`).toBe(firstAfter['5m']);
    }
  });

  it('refuses a second run over the range the blocks now cover, and an --out that holds blocks', async () => {
    const range = ['--start', new Date(t0).toISOString(), '--end', new Date(t0 + DAYS * DAY).toISOString()];
    const overlap = await cli(['--prometheus-url', prom.url, ...range, '--out', path.join(dir, 'again')]);
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toMatch(/live rules have recorded slo:objective:ratio .* --force-overlap/);
    const full = await cli(['--prometheus-url', prom.url, ...range, '--out', out, '--force-overlap']);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/already holds \d+ block\(s\).*--overwrite/);
  });
});

/** Timestamps (ms) of the samples of `series` in the `rangeMs` before `at`, read as a range selector (no lookback). */
async function samplesIn(url: string, series: string, at: number, rangeMs: number): Promise<number[]> {
  const body = new URLSearchParams({ query: `${series}[${rangeMs / 1000}s]`, time: String(at / 1000) });
  const res = (await (await fetch(`${url}/api/v1/query`, { method: 'POST', body })).json()) as { data: { result: { values: [number, string][] }[] } };
  return res.data.result.flatMap((r) => r.values.map(([t]) => Math.round(t * 1000)));
}

function withoutName(labels: Record<string, string>): Record<string, string> {
  const { __name__: _name, ...rest } = labels;
  void _name;
  return rest;
}

/** Within 0.1 % of the exact value (and exactly 0 where it is 0). */
function expectClose(actual: number, exact: number, what: string): void {
  if (exact === 0) expect(actual, what).toBe(0);
  else expect(Math.abs(actual - exact) / exact, `${what}: recorded ${actual}, exact ${exact}`).toBeLessThanOrEqual(0.001);
}
