import { escapeHtml } from './html-escape.js';
import type { ChartPoint } from './report-model.js';

/** A line of a chart. */
export interface ChartLine {
  readonly points: readonly ChartPoint[];
  /** CSS class of the path (colour lives in the page's style sheet). */
  readonly className: string;
}

/** A shaded stretch of time, e.g. an alert firing. */
export interface ChartBand {
  readonly fromSeconds: number;
  readonly toSeconds: number;
  readonly className: string;
  readonly label: string;
}

/** What to draw: one inline SVG with a title and description for assistive technology. */
export interface ChartSpec {
  /** Unique in the page; ids of the title and description derive from it. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly fromSeconds: number;
  readonly toSeconds: number;
  readonly lines: readonly ChartLine[];
  /** Horizontal reference lines, e.g. the budget (burn rate 1) or the latency threshold. */
  readonly references?: readonly { readonly value: number; readonly label: string; readonly className: string }[];
  readonly bands?: readonly ChartBand[];
  /** Value axis; extended to include every point and reference. */
  readonly yMin?: number;
  readonly yMax?: number;
  readonly formatY: (v: number) => string;
}

/** Plot area in viewBox units; the SVG scales to its container's width. */
export const CHART = { width: 720, height: 220, left: 56, right: 12, top: 12, bottom: 28 } as const;

/** A linear map from [d0, d1] to [r0, r1] (a zero-length domain maps to the middle). */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/**
 * SVG path data of a line through the points; a point without a value breaks the line (the next
 * point starts a new `M`), so gaps in the data stay visible as gaps. Coordinates have one decimal.
 */
export function linePath(points: readonly ChartPoint[], x: (t: number) => number, y: (v: number) => number): string {
  const parts: string[] = [];
  let pen = false;
  for (const [t, v] of points) {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? 'L' : 'M'}${round1(x(t))} ${round1(y(v))}`);
    pen = true;
  }
  return parts.join(' ');
}

function round1(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** "Nice" ticks (1, 2, 5 × 10^k) from at or below `min` to at or above `max`. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  const last = Math.ceil(max / step - 1e-9);
  for (let k = Math.floor(min / step + 1e-9); k <= last; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

const DAY = 86_400;

/** The chart as an inline SVG element (role="img", named by its title, described by its desc). */
export function renderChartSvg(spec: ChartSpec): string {
  const { width, height, left, right, top, bottom } = CHART;
  const values = spec.lines.flatMap((l) => l.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v)));
  const refs = spec.references ?? [];
  const all = [...values, ...refs.map((r) => r.value), ...(spec.yMin !== undefined ? [spec.yMin] : []), ...(spec.yMax !== undefined ? [spec.yMax] : [])];
  let yMin = all.length ? Math.min(...all) : 0;
  let yMax = all.length ? Math.max(...all) : 1;
  if (yMax === yMin) yMax = yMin + 1;
  const ticks = niceTicks(yMin, yMax);
  yMin = Math.min(yMin, ticks[0]!);
  yMax = Math.max(yMax, ticks[ticks.length - 1]!);
  const x = scale(spec.fromSeconds, spec.toSeconds, left, width - right);
  const y = scale(yMin, yMax, height - bottom, top);
  const titleId = `${spec.id}-title`;
  const descId = `${spec.id}-desc`;
  const out: string[] = [
    `<svg class="chart" id="${escapeHtml(spec.id)}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${escapeHtml(titleId)} ${escapeHtml(descId)}" preserveAspectRatio="xMidYMid meet">`,
    `<title id="${escapeHtml(titleId)}">${escapeHtml(spec.title)}</title>`,
    `<desc id="${escapeHtml(descId)}">${escapeHtml(spec.description)}</desc>`,
  ];
  for (const b of spec.bands ?? []) {
    const x0 = Math.max(left, x(b.fromSeconds));
    const x1 = Math.min(width - right, x(b.toSeconds));
    if (x1 <= x0 - 0.05) continue;
    out.push(
      `<rect class="band ${escapeHtml(b.className)}" x="${round1(x0)}" y="${top}" width="${round1(Math.max(1, x1 - x0))}" height="${height - top - bottom}"><title>${escapeHtml(b.label)}</title></rect>`,
    );
  }
  for (const t of ticks) {
    out.push(`<line class="grid" x1="${left}" x2="${width - right}" y1="${round1(y(t))}" y2="${round1(y(t))}"/>`);
    out.push(`<text class="tick" x="${left - 6}" y="${round1(y(t) + 4)}" text-anchor="end">${escapeHtml(spec.formatY(t))}</text>`);
  }
  const span = spec.toSeconds - spec.fromSeconds;
  const dayStep = Math.max(1, Math.ceil(span / DAY / 6)) * DAY;
  for (let t = Math.ceil(spec.fromSeconds / DAY) * DAY; t <= spec.toSeconds; t += dayStep) {
    const d = new Date(t * 1000);
    const label = `${d.toLocaleString('en', { month: 'short', timeZone: 'UTC' })} ${d.getUTCDate()}`;
    out.push(`<text class="tick" x="${round1(x(t))}" y="${height - 8}" text-anchor="middle">${label}</text>`);
  }
  for (const r of refs) {
    out.push(
      `<line class="ref ${escapeHtml(r.className)}" x1="${left}" x2="${width - right}" y1="${round1(y(r.value))}" y2="${round1(y(r.value))}"><title>${escapeHtml(r.label)}</title></line>`,
    );
  }
  for (const l of spec.lines) {
    const d = linePath(l.points, x, y);
    if (d) out.push(`<path class="line ${escapeHtml(l.className)}" d="${d}"/>`);
  }
  if (values.length === 0) out.push(`<text class="nodata" x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text>`);
  out.push('</svg>');
  return out.join('');
}
