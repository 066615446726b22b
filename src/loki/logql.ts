/**
 * A small typed LogQL builder: stream selectors, line filters, `json`/`logfmt` parsers, label
 * filters, range aggregations (plain and `unwrap`ped) and vector aggregations. Builders are
 * immutable; `toString()` gives the query. Used by `vigil logs` and by dashboards.
 *
 *   const errors = logs({ namespace: 'ai-platform' }).json().where('level', '=', 'error');
 *   sumBy(['service'], rate(errors, '5m'))  // sum by (service) (rate({namespace="ai-platform"} | json | level="error" [5m]))
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type CompareOp = '=' | '!=' | '=~' | '!~' | '>' | '>=' | '<' | '<=' | '==';

/** One stream-selector matcher. */
export interface StreamMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

/** A LogQL double-quoted string literal (Go escaping, which JSON escaping satisfies). */
export function quote(s: string): string {
  return JSON.stringify(s);
}

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

function checkLabel(name: string): string {
  if (!LABEL.test(name)) throw new Error(`not a label name: ${JSON.stringify(name)}`);
  return name;
}

function acceptsEmpty(m: StreamMatcher): boolean {
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test('');
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test('');
  }
}

/** A log query: selector plus pipeline stages, before any `unwrap`. */
export class LogPipeline {
  constructor(
    readonly selector: readonly StreamMatcher[],
    readonly stages: readonly string[] = [],
  ) {
    if (selector.length === 0 || selector.every(acceptsEmpty)) throw new Error('a stream selector needs at least one matcher that rejects the empty string');
    selector.forEach((m) => checkLabel(m.label));
  }

  private with(stage: string): LogPipeline {
    return new LogPipeline(this.selector, [...this.stages, stage]);
  }

  /** `|= "text"`: keeps lines containing text (the cheapest stage; put it first). */
  contains(text: string): LogPipeline {
    return this.with(`|= ${quote(text)}`);
  }
  /** `!= "text"`. */
  notContains(text: string): LogPipeline {
    return this.with(`!= ${quote(text)}`);
  }
  /** `|~ "regex"`. */
  matches(regex: string): LogPipeline {
    return this.with(`|~ ${quote(regex)}`);
  }
  /** `!~ "regex"`. */
  notMatches(regex: string): LogPipeline {
    return this.with(`!~ ${quote(regex)}`);
  }
  /** `| json`, or `| json a="path.to.a", ...` to extract only some fields. */
  json(fields?: Readonly<Record<string, string>>): LogPipeline {
    const args = fields
      ? Object.entries(fields)
          .map(([k, v]) => `${checkLabel(k)}=${quote(v)}`)
          .join(', ')
      : '';
    return this.with(args ? `| json ${args}` : '| json');
  }
  /** `| logfmt`. */
  logfmt(): LogPipeline {
    return this.with('| logfmt');
  }
  /** A label filter: strings are quoted, numbers compared numerically (`| status >= 500`). */
  where(label: string, op: CompareOp, value: string | number): LogPipeline {
    return this.with(`| ${labelFilter(label, op, value)}`);
  }
  /** `| __error__=""`: drops lines a parser could not parse. */
  withoutErrors(): LogPipeline {
    return this.with('| __error__=""');
  }
  /** `| line_format "..."` (Go template over the labels). */
  lineFormat(template: string): LogPipeline {
    return this.with(`| line_format ${quote(template)}`);
  }
  /** `| unwrap label` (optionally `duration(label)` / `bytes(label)`) for unwrapped range aggregations. */
  unwrap(label: string, conversion?: 'duration' | 'duration_seconds' | 'bytes'): UnwrappedPipeline {
    const l = checkLabel(label);
    return new UnwrappedPipeline(this.toString(), [`| unwrap ${conversion ? `${conversion}(${l})` : l}`]);
  }

  toString(): string {
    const sel = `{${this.selector.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(', ')}}`;
    return [sel, ...this.stages].join(' ');
  }
}

/** A pipeline after `unwrap`: only label filters may follow. */
export class UnwrappedPipeline {
  constructor(
    private readonly base: string,
    private readonly stages: readonly string[],
  ) {}

  where(label: string, op: CompareOp, value: string | number): UnwrappedPipeline {
    return new UnwrappedPipeline(this.base, [...this.stages, `| ${labelFilter(label, op, value)}`]);
  }
  withoutErrors(): UnwrappedPipeline {
    return new UnwrappedPipeline(this.base, [...this.stages, '| __error__=""']);
  }
  toString(): string {
    return [this.base, ...this.stages].join(' ');
  }
}

function labelFilter(label: string, op: CompareOp, value: string | number): string {
  return `${checkLabel(label)}${op === '==' || op === '>' || op === '>=' || op === '<' || op === '<=' ? ` ${op} ` : op}${typeof value === 'number' ? String(value) : quote(value)}`;
}

// Array.isArray does not narrow a readonly array out of a union; this guard does.
function isMatcherList(selector: Readonly<Record<string, string>> | readonly StreamMatcher[]): selector is readonly StreamMatcher[] {
  return Array.isArray(selector);
}

/** Starts a log query from a stream selector: `{ app: 'x' }` (equality) or explicit matchers. */
export function logs(selector: Readonly<Record<string, string>> | readonly StreamMatcher[]): LogPipeline {
  const matchers = isMatcherList(selector) ? selector : Object.entries(selector).map(([label, value]) => ({ label, op: '=' as const, value }));
  return new LogPipeline(matchers);
}

function range(r: string): string {
  if (!DURATION.test(r)) throw new Error(`not a duration: ${JSON.stringify(r)}`);
  return r;
}

export type LogRangeOp = 'rate' | 'count_over_time' | 'bytes_rate' | 'bytes_over_time' | 'absent_over_time';
export type UnwrappedRangeOp =
  | 'rate'
  | 'sum_over_time'
  | 'avg_over_time'
  | 'max_over_time'
  | 'min_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'stddev_over_time'
  | 'stdvar_over_time'
  | 'absent_over_time';

/** `op(query [range])` over log lines. */
export function rangeOf(op: LogRangeOp, q: LogPipeline, r: string): string {
  return `${op}(${q.toString()} [${range(r)}])`;
}
/** `rate(query [range])`: log lines per second. */
export function rate(q: LogPipeline, r: string): string {
  return rangeOf('rate', q, r);
}
/** `count_over_time(query [range])`. */
export function countOverTime(q: LogPipeline, r: string): string {
  return rangeOf('count_over_time', q, r);
}
/** `op(query | unwrap x [range])` over an extracted value. */
export function unwrappedRangeOf(op: UnwrappedRangeOp, q: UnwrappedPipeline, r: string): string {
  return `${op}(${q.toString()} [${range(r)}])`;
}
/** `quantile_over_time(phi, query | unwrap x [range])`. */
export function quantileOverTime(phi: number, q: UnwrappedPipeline, r: string): string {
  if (!(phi >= 0 && phi <= 1)) throw new Error(`quantile must be within [0, 1], got ${phi}`);
  return `quantile_over_time(${phi}, ${q.toString()} [${range(r)}])`;
}

export type VectorOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'stddev' | 'stdvar';
/** `op by (labels) (inner)`; no labels = aggregate everything. */
export function aggregate(op: VectorOp, by: readonly string[], inner: string): string {
  return by.length > 0 ? `${op} by (${by.map(checkLabel).join(', ')}) (${inner})` : `${op}(${inner})`;
}
/** `sum by (labels) (inner)`. */
export function sumBy(by: readonly string[], inner: string): string {
  return aggregate('sum', by, inner);
}
/** `inner > threshold` and friends, for alert expressions. */
export function compare(inner: string, op: '>' | '>=' | '<' | '<=' | '==' | '!=', threshold: number): string {
  return `${inner} ${op} ${threshold}`;
}

/**
 * The query that follows one request across services: a cheap substring filter on the id first,
 * then an exact match on the parsed `correlation_id` field (drops accidental substring hits).
 * Ids stay in the log body, never in stream labels (one stream per id would overload Loki).
 */
export function correlationQuery(id: string, options: { selector: readonly StreamMatcher[]; service?: string }): LogPipeline {
  if (id.trim() === '') throw new Error('the correlation id is empty');
  let q = logs(options.selector).contains(id).json().where('correlation_id', '=', id);
  if (options.service !== undefined) q = q.where('service', '=', options.service);
  return q;
}

/** Parses a stream selector written as LogQL (`{namespace="x", app=~"a|b"}`) into matchers. */
export function parseStreamSelector(text: string): StreamMatcher[] {
  const m = /^\s*\{(.*)\}\s*$/s.exec(text);
  if (!m) throw new Error(`not a stream selector: ${text}`);
  const out: StreamMatcher[] = [];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/gy;
  const body = m[1]!;
  let last = 0;
  for (let x = re.exec(body); x; x = re.exec(body)) {
    out.push({ label: x[1]!, op: x[2] as MatchOp, value: JSON.parse(`"${x[3]}"`) as string });
    last = re.lastIndex;
    if (last >= body.length) break;
  }
  if (last < body.trimEnd().length || out.length === 0) throw new Error(`not a stream selector: ${text}`);
  return out;
}

/** A Grafana Explore URL showing `expr` from a Loki data source (Explore "panes" URL format). */
export function grafanaExploreUrl(grafanaUrl: string, expr: string, options: { datasourceUid: string; from?: string; to?: string }): string {
  const panes = {
    vigil: {
      datasource: options.datasourceUid,
      queries: [{ refId: 'A', expr, queryType: 'range', datasource: { type: 'loki', uid: options.datasourceUid } }],
      range: { from: options.from ?? 'now-6h', to: options.to ?? 'now' },
    },
  };
  return `${grafanaUrl.replace(/\/+$/, '')}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}
