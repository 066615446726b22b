import fs from 'node:fs';

/** k6's metric types. */
export type K6MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/**
 * One metric of a k6 end-of-test summary, in either of k6's two JSON forms:
 * `--summary-export` (the statistics flat on the metric: `avg`, `p(95)`, `passes`, `fails`,
 * `value`, `count`, `rate`) and the data object `handleSummary()` receives (`type`,
 * `contains`, `values: {…}`, `thresholds`). A statistic written as null, `"NaN"` or a bare NaN
 * reads as NaN: present but not a measurement.
 */
export interface SummaryMetric {
  readonly type: K6MetricType | undefined;
  readonly values: Readonly<Record<string, number>>;
}

/** A k6 summary reduced to its metrics, by (sub-)metric name such as `http_req_duration{model:x}`. */
export interface K6Summary {
  readonly file: string;
  readonly format: 'summary-export' | 'handleSummary';
  /** The metrics read (only the wanted ones when the reader was given a filter). */
  readonly metrics: ReadonlyMap<string, SummaryMetric>;
  /** Every metric name in the file, read or not. */
  readonly names: ReadonlySet<string>;
}

/** Options of the summary reader. */
export interface ReadSummaryOptions {
  /** Which metrics to parse (default all); the others are scanned past and only their names kept. */
  readonly want?: (name: string) => boolean;
  /** Read chunk size in bytes (default 64 KiB). */
  readonly chunkBytes?: number;
}

/** Why a summary file could not be read; the message names the file. */
export class SummaryError extends Error {}

/** Largest single metric entry kept (a trend's statistics are a few hundred bytes). */
const MAX_METRIC_CHARS = 1 << 20;

/**
 * Reads a k6 summary file as a stream: only the members of the top-level `metrics` object are
 * parsed (one at a time), everything else (`root_group` with its checks and groups, `options`,
 * `state`) is scanned and dropped, so memory stays flat however large the file.
 */
export async function readK6Summary(file: string, label = file, options: ReadSummaryOptions = {}): Promise<K6Summary> {
  const scanner = new MetricsScanner(label, options.want);
  try {
    for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: options.chunkBytes ?? 1 << 16 })) scanner.feed(chunk as string);
  } catch (err) {
    if (err instanceof SummaryError) throw err;
    throw new SummaryError(`${label}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return scanner.finish();
}

/** Parses summary text held in memory (tests, small files). */
export function parseK6Summary(text: string, label: string): K6Summary {
  const scanner = new MetricsScanner(label);
  scanner.feed(text);
  return scanner.finish();
}

/**
 * A character scanner that tracks JSON nesting, strings and the keys of the top two object
 * levels, and hands each `metrics.<name>` value's text to JSON.parse when it closes.
 */
class MetricsScanner {
  private readonly stack: string[] = [];
  private inString = false;
  private escaped = false;
  /** Per object level: whether the next string is a key. */
  private readonly expectKey: boolean[] = [];
  private key: string[] | undefined;
  private topKey: string | undefined;
  private metricName: string | undefined;
  private sawRoot = false;
  private sawMetrics = false;
  private capture: string[] | undefined;
  private captureLength = 0;
  private readonly metrics = new Map<string, SummaryMetric>();
  private readonly names = new Set<string>();
  private readonly formats = new Set<'summary-export' | 'handleSummary'>();

  constructor(
    private readonly label: string,
    private readonly want?: (name: string) => boolean,
  ) {}

  feed(chunk: string): void {
    let captureFrom = this.capture ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.key) this.endKey();
          continue;
        }
        if (this.key) this.key.push(chunk[i]!);
        continue;
      }
      switch (c) {
        case 0x22: // "
          if (this.stack.length === 0) throw new SummaryError(`${this.label}: not a k6 summary (a JSON object with "metrics")`);
          this.inString = true;
          if (this.stack.length <= 2 && this.expectKey[this.stack.length - 1] && !this.capture) this.key = [];
          break;
        case 0x7b: // {
        case 0x5b: // [
          if (this.stack.length === 0) {
            if (c !== 0x7b) throw new SummaryError(`${this.label}: not a k6 summary (a JSON object with "metrics")`);
            this.sawRoot = true;
          }
          if (this.stack.length === 2 && this.inMetrics() && !this.capture && (this.want === undefined || this.want(this.metricName!))) {
            this.capture = [];
            this.captureLength = 0;
            captureFrom = i;
          }
          this.stack.push(c === 0x7b ? '}' : ']');
          this.expectKey.push(c === 0x7b);
          break;
        case 0x7d: // }
        case 0x5d: // ]
          if (this.stack.pop() !== (c === 0x7d ? '}' : ']')) throw new SummaryError(`${this.label}: not valid JSON (unbalanced ${chunk[i]})`);
          this.expectKey.pop();
          if (this.stack.length === 2 && this.capture) {
            this.capture.push(chunk.slice(captureFrom, i + 1));
            this.endMetric();
            captureFrom = -1;
          }
          break;
        case 0x2c: // ,
          if (this.stack[this.stack.length - 1] === '}') this.expectKey[this.expectKey.length - 1] = true;
          break;
        case 0x3a: // :
          this.expectKey[this.expectKey.length - 1] = false;
          break;
        default:
          if (this.stack.length === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff)
            throw new SummaryError(`${this.label}: not a k6 summary (a JSON object with "metrics")`);
      }
    }
    if (this.capture && captureFrom >= 0) {
      const part = chunk.slice(captureFrom);
      this.captureLength += part.length;
      if (this.captureLength > MAX_METRIC_CHARS)
        throw new SummaryError(`${this.label}: metric ${this.metricName ?? '?'} is larger than ${MAX_METRIC_CHARS} characters`);
      this.capture.push(part);
    }
  }

  finish(): K6Summary {
    if (!this.sawRoot) throw new SummaryError(`${this.label}: empty, not a k6 summary`);
    if (this.stack.length > 0 || this.inString) throw new SummaryError(`${this.label}: truncated (the JSON ends inside ${this.stack.length} open value(s))`);
    if (!this.sawMetrics) throw new SummaryError(`${this.label}: not a k6 summary: no top-level "metrics" object`);
    const format = this.formats.has('handleSummary') ? 'handleSummary' : 'summary-export';
    return { file: this.label, format, metrics: this.metrics, names: this.names };
  }

  private inMetrics(): boolean {
    return this.topKey === 'metrics' && this.metricName !== undefined;
  }

  private endKey(): void {
    const raw = this.key!.join('');
    this.key = undefined;
    const text = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    if (this.stack.length === 1) {
      this.topKey = text;
      if (text === 'metrics') this.sawMetrics = true;
    } else if (this.topKey === 'metrics') {
      this.metricName = text;
      this.names.add(text);
    }
  }

  private endMetric(): void {
    const text = this.capture!.join('');
    this.capture = undefined;
    const name = this.metricName!;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      try {
        // k6 versions have written NaN and ±Inf bare, which JSON does not allow: read them as NaN.
        value = JSON.parse(text.replace(/(:\s*)-?(NaN|Infinity)\b/g, '$1null'));
      } catch {
        throw new SummaryError(`${this.label}: metrics.${name} is not valid JSON`);
      }
    }
    const metric = toMetric(value);
    if (metric) {
      this.metrics.set(name, metric.metric);
      this.formats.add(metric.format);
    }
  }
}

const TYPES = new Set(['counter', 'gauge', 'rate', 'trend']);

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === null || v === 'NaN' || v === 'nan') return NaN;
  return undefined;
}

/** One metric entry in either format, normalized; undefined for something that is not a metric. */
function toMetric(v: unknown): { metric: SummaryMetric; format: 'summary-export' | 'handleSummary' } | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const type = typeof o.type === 'string' && TYPES.has(o.type) ? (o.type as K6MetricType) : undefined;
  if (typeof o.values === 'object' && o.values !== null) {
    const values: Record<string, number> = {};
    for (const [k, x] of Object.entries(o.values)) {
      const n = num(x);
      if (n !== undefined) values[k] = n;
    }
    return { metric: { type, values }, format: 'handleSummary' };
  }
  // --summary-export: statistics on the metric itself; a Rate has passes/fails and its rate as `value`.
  const values: Record<string, number> = {};
  for (const [k, x] of Object.entries(o)) {
    if (k === 'thresholds' || k === 'type' || k === 'contains') continue;
    const n = num(x);
    if (n !== undefined) values[k] = n;
  }
  const isRate = 'passes' in values && 'fails' in values;
  if (isRate && values.rate === undefined) {
    const total = (values.passes ?? 0) + (values.fails ?? 0);
    values.rate = values.value ?? (total > 0 ? values.passes! / total : NaN);
  }
  const inferred: K6MetricType | undefined =
    type ?? (isRate ? 'rate' : 'count' in values ? 'counter' : 'avg' in values ? 'trend' : 'value' in values ? 'gauge' : undefined);
  return { metric: { type: inferred, values }, format: 'summary-export' };
}
