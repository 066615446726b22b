/**
 * Synthetic request counters for the SLO rule benchmark: `http_requests_total{job, instance, code}`
 * with code 200 (good) and 500 (bad), so N raw series = N/2 instances × 2 codes. One sample per
 * minute per series, each instance scraped at its own phase within the minute (real scrapes are
 * not aligned with rule evaluation, and that misalignment is what makes rate() extrapolate).
 */
import fs from 'node:fs';
import { seeded } from '../../test/support/seeded.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A burst of errors: `ratio` of the requests of the affected instances fail. */
export interface Burst {
  name: string;
  /** Minutes since the data start. */
  startMin: number;
  durMin: number;
  ratio: number;
  /** Share of instances hit (the first ⌈share × instances⌉ by index). */
  share: number;
}

export interface Scenario {
  startMs: number;
  days: number;
  /** Start of the accuracy window (ms): the first moment with a full 30d of history behind it. */
  evalFromMs: number;
  endMs: number;
  bursts: Burst[];
  /** Error ratio outside bursts. */
  background: number;
}

/** Fixed start (a Monday, midnight UTC) so every run writes the same data. */
const START_MS = Date.UTC(2025, 0, 6);

/**
 * 32 days of data: the last 2 days have 30 days of history behind them, and every burst that the
 * accuracy check looks at sits in them (low and high traffic, each burst shape once, the bursts far
 * enough apart that the page pairs see them separately; the ticket pairs' 1d/3d windows see several).
 * Two earlier bursts stay inside the 30d window, so the period ratio carries them, as in real life.
 */
export function scenario(): Scenario {
  const days = 32;
  const evalFromMs = START_MS + 30 * DAY;
  const at = (day: number, hour: number) => Math.round((day * DAY + hour * HOUR) / MINUTE);
  const bursts: Burst[] = [
    // Earlier history: the period ratio carries these.
    { name: 'old 1h 10% burst', startMin: at(5, 14), durMin: 60, ratio: 0.1, share: 1 },
    { name: 'old 3h 2% leak', startMin: at(17, 3), durMin: 180, ratio: 0.02, share: 0.5 },
    // Inside the accuracy window (days 30–31). Traffic peaks around 15:00 UTC, bottoms around 03:00.
    { name: '20m 50% burst, high traffic', startMin: at(30, 14) + 7, durMin: 20, ratio: 0.5, share: 1 },
    { name: '12m total outage, low traffic', startMin: at(30, 20) + 33, durMin: 12, ratio: 1, share: 1 },
    { name: '2h 5% burst, low traffic', startMin: at(31, 2) + 11, durMin: 120, ratio: 0.05, share: 1 },
    { name: '6h 1% leak (half the instances at 2%)', startMin: at(31, 9) + 41, durMin: 360, ratio: 0.02, share: 0.5 },
    { name: '20m 50% burst, low traffic', startMin: at(31, 22) + 3, durMin: 20, ratio: 0.5, share: 1 },
  ];
  return { startMs: START_MS, days, evalFromMs, endMs: START_MS + days * DAY, bursts, background: 0.0002 };
}

interface Instance {
  name: string;
  /** Share of all traffic (weights are log-normal: a few instances carry most of it). */
  weight: number;
  /** Diurnal shift in hours (instances in different regions peak at different times). */
  shiftH: number;
  /** Scrape phase within the minute, ms. */
  phaseMs: number;
}

function instances(count: number): Instance[] {
  const r = seeded(42);
  const list: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    list.push({ name: `i${String(i).padStart(4, '0')}`, weight: Math.exp(0.9 * g), shiftH: (r() - 0.5) * 6, phaseMs: Math.floor(r() * 60) * 1000 + 500 });
  }
  const sum = list.reduce((s, x) => s + x.weight, 0);
  for (const x of list) x.weight /= sum;
  return list;
}

/** Requests per second of the whole service: ~8× between the daily trough and peak, quieter weekends. */
const PEAK_RPS = 400;
function serviceRps(tMs: number, shiftH: number): number {
  const h = ((tMs / HOUR) % 24) - shiftH;
  const day = Math.floor(tMs / DAY) % 7; // 0 = Thursday for epoch; only the weekly rhythm matters
  const weekly = day === 2 || day === 3 ? 0.6 : 1;
  const wave = 0.5 + 0.5 * Math.sin((2 * Math.PI * (h - 9)) / 24);
  return PEAK_RPS * weekly * (0.12 + 0.88 * wave * wave);
}

function errorRatio(s: Scenario, minute: number, instanceIndex: number, instanceCount: number): number {
  let e = s.background;
  for (const b of s.bursts) {
    if (minute >= b.startMin && minute < b.startMin + b.durMin && instanceIndex < Math.ceil(b.share * instanceCount)) e = Math.max(e, b.ratio);
  }
  return e;
}

/**
 * Writes the OpenMetrics file for `rawSeries` series (streamed: series after series, each in time
 * order, which is what the backfiller needs and keeps memory flat whatever N).
 */
export function writeOpenMetrics(file: string, s: Scenario, rawSeries: number): { samples: number } {
  const count = rawSeries / 2;
  const insts = instances(count);
  const minutes = s.days * 1440;
  const fd = fs.openSync(file, 'w');
  let buf = '# HELP http_requests Requests served.\n# TYPE http_requests counter\n';
  let samples = 0;
  const good = new Float64Array(minutes);
  const bad = new Float64Array(minutes);
  for (let i = 0; i < count; i++) {
    const inst = insts[i]!;
    // The counter between scrapes grows by rps × 60 s; the scrape at minute m + phase sees the
    // requests up to then (error ratio taken at the minute the requests were served).
    let g = 0;
    let b = 0;
    for (let m = 0; m < minutes; m++) {
      const t = s.startMs + m * MINUTE;
      const reqs = serviceRps(t, inst.shiftH) * inst.weight * 60;
      const e = errorRatio(s, m, i, count);
      g += reqs * (1 - e);
      b += reqs * e;
      good[m] = g;
      bad[m] = b;
    }
    for (const [code, arr] of [
      ['200', good],
      ['500', bad],
    ] as const) {
      const labels = `{code="${code}",instance="${inst.name}",job="api"}`;
      for (let m = 0; m < minutes; m++) {
        buf += `http_requests_total${labels} ${Math.floor(arr[m]!)} ${(s.startMs + m * MINUTE + inst.phaseMs) / 1000}\n`;
        samples++;
        if (buf.length > 1 << 20) {
          fs.writeSync(fd, buf);
          buf = '';
        }
      }
    }
  }
  buf += '# EOF\n';
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  return { samples };
}
