/**
 * k6's documented grammar for thresholds and scenarios, written down from the k6 docs
 * (using-k6/thresholds, using-k6/scenarios/executors) so tests can hold generated scripts to it
 * without k6 installed.
 */

/** Metric types and the aggregation methods a threshold may use on each (k6 docs, "Threshold syntax"). */
export const AGGREGATIONS: Readonly<Record<'counter' | 'gauge' | 'rate' | 'trend', readonly string[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

/** Types of the built-in metrics the generated scripts use. */
export const BUILTIN_METRIC_TYPES: Readonly<Record<string, keyof typeof AGGREGATIONS>> = {
  http_reqs: 'counter',
  http_req_failed: 'rate',
  http_req_duration: 'trend',
  checks: 'rate',
  vus: 'gauge',
};

export interface ParsedThreshold {
  readonly aggregation: string;
  /** N of p(N). */
  readonly percentile?: number;
  readonly operator: string;
  readonly value: number;
}

/** `<aggregation> <operator> <value>` (spaces optional); undefined when it does not parse. */
export function parseThreshold(text: string): ParsedThreshold | undefined {
  const m = /^\s*(count|rate|value|avg|min|max|med|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(===|==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  const percentile = m[2] === undefined ? undefined : Number(m[2]);
  if (percentile !== undefined && (percentile < 0 || percentile > 100)) return undefined;
  return { aggregation: percentile === undefined ? m[1]! : 'p(N)', ...(percentile === undefined ? {} : { percentile }), operator: m[3]!, value: Number(m[4]) };
}

/** `name` or `name{tag:value,...}`: a metric or a sub-metric selected by tags. */
export function parseMetricKey(key: string): { name: string; tags: Record<string, string> } | undefined {
  const m = /^([a-zA-Z_][a-zA-Z0-9_]{0,127})(?:\{([^{}]+)\})?$/.exec(key);
  if (!m) return undefined;
  const tags: Record<string, string> = {};
  for (const part of m[2]?.split(',') ?? []) {
    const i = part.indexOf(':');
    if (i <= 0 || i === part.length - 1) return undefined;
    tags[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return { name: m[1]!, tags };
}

/** Fields each executor requires, and those it accepts (k6 docs, "Executors"; common options besides). */
export const EXECUTORS: Readonly<Record<string, { required: readonly string[]; optional: readonly string[] }>> = {
  'shared-iterations': { required: [], optional: ['vus', 'iterations', 'maxDuration'] },
  'per-vu-iterations': { required: [], optional: ['vus', 'iterations', 'maxDuration'] },
  'constant-vus': { required: ['duration'], optional: ['vus'] },
  'ramping-vus': { required: ['stages'], optional: ['startVUs', 'gracefulRampDown'] },
  'constant-arrival-rate': { required: ['duration', 'rate', 'preAllocatedVUs'], optional: ['timeUnit', 'maxVUs'] },
  'ramping-arrival-rate': { required: ['stages', 'preAllocatedVUs'], optional: ['startRate', 'timeUnit', 'maxVUs'] },
};
export const COMMON_SCENARIO_FIELDS = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags', 'options'];

/** k6 durations: Go-style `1h30m`, `500ms`, `30s` (k6 also accepts `d`). */
export const K6_DURATION = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/;

/** Problems of one scenario object against its executor's documented fields. */
export function scenarioProblems(s: Record<string, unknown>): string[] {
  const spec = EXECUTORS[String(s.executor)];
  if (!spec) return [`unknown executor ${String(s.executor)}`];
  const problems = spec.required.filter((f) => s[f] === undefined).map((f) => `${String(s.executor)} needs ${f}`);
  for (const f of Object.keys(s))
    if (!spec.required.includes(f) && !spec.optional.includes(f) && !COMMON_SCENARIO_FIELDS.includes(f))
      problems.push(`${String(s.executor)} has no field ${f}`);
  for (const f of ['duration', 'timeUnit', 'maxDuration', 'startTime', 'gracefulStop'])
    if (s[f] !== undefined && !(typeof s[f] === 'string' && K6_DURATION.test(s[f]))) problems.push(`${f} ${JSON.stringify(s[f])} is not a k6 duration`);
  for (const f of ['vus', 'rate', 'preAllocatedVUs', 'maxVUs', 'iterations'])
    if (s[f] !== undefined && !(Number.isInteger(s[f]) && (s[f] as number) > 0)) problems.push(`${f} must be a positive integer`);
  if (typeof s.maxVUs === 'number' && typeof s.preAllocatedVUs === 'number' && s.maxVUs < s.preAllocatedVUs) problems.push('maxVUs below preAllocatedVUs');
  return problems;
}
