/**
 * The one duration grammar of vigil: Prometheus compound durations (`250ms`, `30s`, `1h30m`,
 * `4w`, `1y`). Specs (TypeBox patterns), policy files, the models file and CLI flags all read
 * durations through this module, so a duration valid in one place is valid everywhere.
 */

/** Milliseconds per unit; `ms` comes first so the alternation never reads `ms` as `m` + `s`. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 } as const;

type Unit = keyof typeof UNIT_MS;

const UNITS = `(${Object.keys(UNIT_MS).join('|')})`;
const WHOLE = '[0-9]+';
const DECIMAL = '[0-9]+(?:\\.[0-9]+)?';

/** The grammar without anchors, for schemas that embed it in a larger pattern. */
export const DURATION_BODY = `(${WHOLE}${UNITS})+`;

/** Anchored JSON-Schema pattern of a duration (whole numbers per unit, as Prometheus reads them). */
export const DURATION_PATTERN = `^${DURATION_BODY}$`;

/** Anchored pattern of a duration with decimal amounts (`0.5s`, `1.5s`, `250ms`), as `decimals` reads them. */
export const DECIMAL_DURATION_PATTERN = `^(${DECIMAL}${UNITS})+$`;

/** How a duration may be spelled beyond the Prometheus form. */
export interface DurationOptions {
  /** Accept decimal amounts such as `1.5s` (CLI flags have always taken them). */
  readonly decimals?: boolean;
}

const WHOLE_RE = new RegExp(DURATION_PATTERN);
const DECIMAL_RE = new RegExp(DECIMAL_DURATION_PATTERN);
const WHOLE_PART_RE = new RegExp(`(${WHOLE})${UNITS}`, 'g');
const DECIMAL_PART_RE = new RegExp(`(${DECIMAL})${UNITS}`, 'g');

/** Whether `text` is a duration in the grammar. */
export function isDuration(text: string, options: DurationOptions = {}): boolean {
  return (options.decimals ? DECIMAL_RE : WHOLE_RE).test(text);
}

/** Parses a duration (`1h30m`, `250ms`) into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string, options: DurationOptions = {}): number | undefined {
  if (!isDuration(text, options)) return undefined;
  let total = 0;
  for (const m of text.matchAll(options.decimals ? DECIMAL_PART_RE : WHOLE_PART_RE)) total += Number(m[1]) * UNIT_MS[m[2] as Unit];
  return total;
}

/** Parses a duration (`1h30m`, `30d`, `250ms`) into seconds; undefined when malformed. */
export function parseDurationSeconds(text: string, options: DurationOptions = {}): number | undefined {
  if (!isDuration(text, options)) return undefined;
  let total = 0;
  // Per-unit seconds (ms → 0.001) rather than ms / 1000 at the end: the same floating-point
  // results the SLO math has always seen.
  for (const m of text.matchAll(options.decimals ? DECIMAL_PART_RE : WHOLE_PART_RE)) total += Number(m[1]) * (UNIT_MS[m[2] as Unit] / 1000);
  return total;
}
