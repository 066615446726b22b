import { generatedTsHeader, K6_SCENARIO_ENV, k6SlowMetric, outputPaths } from '../../conventions.js';
import { humanizeMinutes } from '../../model/duration.js';
import type { SloModel } from '../../model/types.js';
import type { TextDocument } from '../document.js';
import { k6Scenarios, planBurnDrill, type BurnDrillPlan } from './k6-scenarios.js';
import { k6Measurements, subMetricKey, thresholdExpression, thresholdMs, type K6Target } from './k6-targets.js';

/** Trend statistics every generated script asks k6 to keep, besides the SLOs' own percentiles (what `vigil k6 compare` reads). */
export const K6_SUMMARY_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(50)', 'p(90)', 'p(95)', 'p(99)'];

/** A single-quoted TypeScript string literal. */
const q = (s: string) => `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
const pct = (x: number) => `${Number((x * 100).toPrecision(6))}%`;

/** An object key: bare when it is an identifier. */
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : q(k));

/** Object literal text of a flat record of strings or numbers, on one line. */
function literal(o: Readonly<Record<string, string | number>>): string {
  const entries = Object.entries(o);
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${key(k)}: ${typeof v === 'number' ? v : q(v)}`).join(', ')} }`;
}

/** Whether every ratio SLO counts only 5xx answers as errors (then a 4xx is not a failed request for k6 either). */
function errorsAre5xxOnly(slos: readonly SloModel[]): boolean {
  const ratio = slos.filter((s) => s.indicator.kind === 'ratio');
  return (
    ratio.length > 0 &&
    ratio.every(
      (s) => s.indicator.kind === 'ratio' && s.indicator.errors?.matchers.some((m) => m.op === '=~' && /^5(\.\.|\.\*|\[0-9\]\{2\})$/.test(m.value)) === true,
    )
  );
}

function drillComment(drill: BurnDrillPlan): string[] {
  const lines = [
    `burn-drill: fails ${pct(drill.fraction)} of requests = factor ${drill.factor} × error budget ${pct(drill.slo.errorBudget)} of ${drill.slo.id}${drill.burnRate < drill.factor ? ` (capped at 100%: burn rate ${drill.burnRate}×)` : ''};`,
    `  expected page (vigil explain ${drill.slo.id}, detection time at this error ratio, counted from the drill's start on a service without other errors):`,
  ];
  for (const p of drill.pages)
    lines.push(
      `    ${p.long}/${p.short} (factor ${p.factor}×): ${p.minutes === undefined ? `does not fire (burn rate ${drill.burnRate}× is not above ${p.factor}×)` : `after ${humanizeMinutes(p.minutes)}${/min$/.test(humanizeMinutes(p.minutes)) ? '' : ` (${p.minutes} min)`}`}`,
    );
  if (drill.pages.length === 0) lines.push('    (the SLO has no page alert)');
  lines.push(
    drill.timeToPageMinutes === undefined
      ? '  no page alert fires at this factor: the drill cannot prove the page.'
      : `  time to page: ${humanizeMinutes(drill.timeToPageMinutes)}; the scenario runs ${drill.duration}.`,
  );
  return lines;
}

/**
 * The k6 load test of one service as TypeScript typed against @types/k6 (pure, deterministic).
 * Thresholds come from the SLOs (k6Measurements); the scenario is picked at run time with
 * `--env K6_SCENARIO=smoke|baseline|burn-drill`; the base URL and credentials come from
 * environment variables; requests are sent in a fixed weighted order.
 */
export function generateK6Script(target: K6Target): TextDocument {
  const { config } = target;
  const drill = planBurnDrill(target);
  const scenarios = k6Scenarios(target, drill);
  const measurements = k6Measurements(target);
  const latency = target.slos.filter((s) => s.indicator.kind === 'latency');
  const trendStats = [...new Set([...K6_SUMMARY_TREND_STATS, ...latency.map((s) => `p(${s.objectivePercent})`)])];

  const out: string[] = [generatedTsHeader(target.sources)];
  out.push(
    `// k6 load test of ${target.service}, derived from its SLOs (${target.slos.map((s) => s.id).join(', ')}).`,
    `// Run: k6 run --env ${config.baseUrlEnv}=https://... --env ${K6_SCENARIO_ENV}=baseline --summary-export summary.json build/${outputPaths.k6Script(target.service)}`,
    `// then: vigil k6 verify summary.json --service ${target.service}`,
    `// Scenarios (${K6_SCENARIO_ENV}, default smoke): ${Object.keys(scenarios).join(', ')}. The SLO thresholds apply to smoke and baseline; the burn drill breaks them on purpose.`,
  );
  if (drill) out.push(...drillComment(drill).map((l) => `// ${l}`));
  else out.push('// no burn-drill scenario: the service has no ratio SLO among those measured (failing requests does not make them slow).');
  out.push(
    '',
    "import exec from 'k6/execution';",
    "import http from 'k6/http';",
    ...(latency.length ? ["import { Rate } from 'k6/metrics';"] : []),
    "import type { Options, Scenario } from 'k6/options';",
    '',
    'function requiredEnv(name: string): string {',
    '  const value = __ENV[name];',
    "  if (value === undefined || value === '') throw new Error(`set ${name}: k6 run --env ${name}=...`);",
    '  return value;',
    '}',
    '',
    `const BASE_URL = requiredEnv(${q(config.baseUrlEnv)}).replace(/\\/+$/, '');`,
  );
  if (config.auth)
    out.push(
      `const AUTH_HEADERS: Record<string, string> = { ${key(config.auth.header)}: ${config.auth.scheme ? `\`${config.auth.scheme} \${requiredEnv(${q(config.auth.env)})}\`` : `requiredEnv(${q(config.auth.env)})`} };`,
    );
  else out.push('const AUTH_HEADERS: Record<string, string> = {};');

  out.push('', 'const SCENARIOS: Record<string, Scenario> = {');
  for (const [name, s] of Object.entries(scenarios)) {
    const { tags, ...fields } = s;
    out.push(`  ${key(name)}: ${literal({ ...fields, tags: '' }).replace(/tags: ''/, `tags: ${literal(tags)}`)},`);
  }
  out.push(
    '};',
    `const SCENARIO = __ENV.${K6_SCENARIO_ENV} ?? 'smoke';`,
    'const selected = SCENARIOS[SCENARIO];',
    `if (selected === undefined) throw new Error(\`${K6_SCENARIO_ENV} must be one of ${Object.keys(scenarios).join(', ')}, got \${SCENARIO}\`);`,
    '',
  );

  // Thresholds: one key per metric or sub-metric, each expression commented with its SLO.
  const byKey = new Map<string, { expr: string; comment: string }[]>();
  for (const m of measurements) {
    const metricKey = subMetricKey(m.metric, m.tags);
    const ungrouped =
      m.slo.groupBy.length > 0 && Object.keys(m.tags).length === 0
        ? ` (grouped by ${m.slo.groupBy.join(', ')}, but no request is tagged with it: over all requests)`
        : '';
    const what =
      m.kind === 'errors'
        ? `failed requests within the error budget (1 - ${m.slo.objectivePercent}%)`
        : m.kind === 'latency'
          ? `${m.slo.objectivePercent}% of requests within ${m.limit} ms`
          : `requests slower than ${thresholdMs(m.slo)} ms within the error budget`;
    const list = byKey.get(metricKey) ?? [];
    list.push({ expr: thresholdExpression(m), comment: `SLO ${m.slo.id}: ${what}${ungrouped}` });
    byKey.set(metricKey, list);
  }
  out.push("const THRESHOLDS: NonNullable<Options['thresholds']> = {");
  for (const [k, list] of byKey) {
    out.push(`  ${key(k)}: [`);
    for (const t of list) out.push(`    ${q(t.expr)}, // ${t.comment}`);
    out.push('  ],');
  }
  out.push(
    '};',
    '',
    'export const options: Options = {',
    '  scenarios: { [SCENARIO]: selected },',
    "  thresholds: SCENARIO === 'burn-drill' ? {} : THRESHOLDS,",
    `  summaryTrendStats: [${trendStats.map(q).join(', ')}],`,
    '};',
    '',
  );
  if (errorsAre5xxOnly(target.slos))
    out.push(
      '// The SLOs count 5xx answers as errors: a 4xx is not a failed request either.',
      'http.setResponseCallback(http.expectedStatuses({ min: 200, max: 499 }));',
      '',
    );

  out.push(
    'interface Request {',
    '  readonly name: string;',
    '  readonly method: string;',
    '  readonly path: string;',
    '  readonly tags: Record<string, string>;',
    '  readonly headers: Record<string, string>;',
    '  readonly body: string | null;',
    '}',
    '',
    'const REQUESTS: readonly Request[] = [',
  );
  for (const r of config.requests)
    out.push(
      `  { name: ${q(r.name)}, method: ${q(r.method)}, path: ${q(r.path)}, tags: ${literal(r.tags)}, headers: ${literal(r.headers)}, body: ${r.body === undefined ? 'null' : q(r.body)} },`,
    );
  const schedule = config.requests.flatMap((r, i) => Array.from({ length: r.weight }, () => i));
  out.push(
    '];',
    '/** Request index per iteration, by weight; iterations take it in turn. */',
    `const SCHEDULE: readonly number[] = [${schedule.join(', ')}];`,
    '',
  );

  for (const s of latency) out.push(`const ${slowVar(s)} = new Rate(${q(k6SlowMetric(s.id))}); // SLO ${s.id}: 1 when slower than ${thresholdMs(s)} ms`);
  if (drill) {
    const fault = config.burnDrill.fault;
    out.push(
      '',
      `/** Share of burn-drill iterations that fail on purpose (${drill.factor}× the error budget of ${drill.slo.id}). */`,
      `const FAULT_FRACTION = ${drill.fraction};`,
      '/** Iteration i fails when it carries the fraction past a whole number: exactly FAULT_FRACTION of them, evenly spread. */',
      'function faulted(i: number): boolean {',
      '  return Math.floor((i + 1) * FAULT_FRACTION) > Math.floor(i * FAULT_FRACTION);',
      '}',
    );
    out.push(
      fault.kind === 'header'
        ? `const FAULT_HEADERS: Record<string, string> = { ${q(fault.name)}: ${q(fault.value)} };`
        : `const FAULT_PATH = ${q(fault.path)};`,
    );
  }
  out.push(
    '',
    'export default function (): void {',
    '  const i = exec.scenario.iterationInTest;',
    '  const req = REQUESTS[SCHEDULE[i % SCHEDULE.length] ?? 0] ?? REQUESTS[0]!;',
  );
  if (drill) {
    const header = config.burnDrill.fault.kind === 'header';
    out.push(
      "  const fault = SCENARIO === 'burn-drill' && faulted(i);",
      header
        ? '  const headers = fault ? { ...req.headers, ...AUTH_HEADERS, ...FAULT_HEADERS } : { ...req.headers, ...AUTH_HEADERS };'
        : '  const headers = { ...req.headers, ...AUTH_HEADERS };',
      header ? '  const url = BASE_URL + req.path;' : '  const url = BASE_URL + (fault ? FAULT_PATH : req.path);',
    );
  } else out.push('  const headers = { ...req.headers, ...AUTH_HEADERS };', '  const url = BASE_URL + req.path;');
  out.push(`  ${latency.length ? 'const res = ' : ''}http.request(req.method, url, req.body, { headers, tags: { ...req.tags, name: req.name } });`);
  for (const s of latency) out.push(`  ${slowVar(s)}.add(res.timings.duration > ${thresholdMs(s)}, req.tags);`);
  out.push('}', '');

  return {
    path: outputPaths.k6Script(target.service),
    format: 'text',
    source: undefined,
    text: out.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n'),
  };
}

function slowVar(slo: SloModel): string {
  return `SLOW_${slo.id.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}
