import path from 'node:path';
import { checkProject } from '../../../build/build-project.js';
import { Diagnostics, UserError } from '../../../diagnostics.js';
import { k6SlowMetric } from '../../../conventions.js';
import { k6Measurements, k6Targets, subMetricKey, type K6Target } from '../../../generate/k6/k6-targets.js';
import { COMPARED_METRICS, compareSummaries, type CompareResult } from '../../../k6/compare-summaries.js';
import { readK6Summary, SummaryError, type K6Summary } from '../../../k6/read-summary.js';
import { fmtPct, verifySummary, type VerifyResult } from '../../../k6/verify-summary.js';
import type { K6CompareThresholds } from '../../../load/k6-config.js';
import { loadConfig } from '../../../load/load-config.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';

const usage =
  'vigil k6 verify SUMMARY.json [--service NAME] [--env NAME] [--root DIR] [--format text|json]\n' +
  '       vigil k6 compare BASE.json CANDIDATE.json [--p50 PCT] [--p95 PCT] [--p99 PCT] [--error-ratio X] [--throughput PCT] [--root DIR] [--format text|json]';

/** `vigil k6 verify|compare`: judge k6 end-of-test summaries against the SLOs, or against a baseline run. */
export const k6Command: Command = {
  summary: 'Judge a k6 end-of-test summary against the SLOs (verify), or compare two runs for regressions (compare).',
  usage,
  examples: [
    'vigil k6 verify summary.json --service checkout          # per SLO: error ratio / percentile, budget burn per hour, pass/fail',
    'vigil k6 compare baseline.json candidate.json --p95 5     # p50/p95/p99, error ratio, throughput; exit 1 on regression',
  ],
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      {
        service: { type: 'string' },
        env: { type: 'string' },
        p50: { type: 'string' },
        p95: { type: 'string' },
        p99: { type: 'string' },
        'error-ratio': { type: 'string' },
        throughput: { type: 'string' },
      },
      usage,
      true,
    );
    const [sub, ...files] = positionals;
    const root = resolveRoot(io.cwd, values.root);
    const format = values.format ?? 'text';
    if (sub === 'verify') {
      if (files.length !== 1) throw new UserError(`vigil k6 verify takes one summary file\nusage: ${usage}`, EXIT_USAGE);
      for (const f of ['p50', 'p95', 'p99', 'error-ratio', 'throughput'] as const)
        if (values[f] !== undefined) throw new UserError(`--${f} belongs to vigil k6 compare\nusage: ${usage}`, EXIT_USAGE);
      return verify(io, root, files[0]!, values.service, values.env, format);
    }
    if (sub === 'compare') {
      if (files.length !== 2) throw new UserError(`vigil k6 compare takes two summary files: BASE.json CANDIDATE.json\nusage: ${usage}`, EXIT_USAGE);
      if (values.service !== undefined || values.env !== undefined)
        throw new UserError(`--service and --env belong to vigil k6 verify\nusage: ${usage}`, EXIT_USAGE);
      const diags = new Diagnostics();
      const config = await loadConfig(root, diags);
      if (diags.hasErrors) {
        reportDiagnostics(io, format, diags.sorted());
        return EXIT_INVALID;
      }
      const limits: K6CompareThresholds = {
        p50: limitFlag('p50', values.p50) ?? config.k6.compare.p50,
        p95: limitFlag('p95', values.p95) ?? config.k6.compare.p95,
        p99: limitFlag('p99', values.p99) ?? config.k6.compare.p99,
        errorRatio: limitFlag('error-ratio', values['error-ratio'], 1) ?? config.k6.compare.errorRatio,
        throughput: limitFlag('throughput', values.throughput) ?? config.k6.compare.throughput,
      };
      const want = (name: string) => COMPARED_METRICS.includes(name);
      const [base, candidate] = await Promise.all(files.map((f) => readSummary(io, f, want)));
      const result = compareSummaries(base!, candidate!, limits);
      io.stdout.write(
        format === 'json' ? `${json({ base: base!.file, candidate: candidate!.file, limits, ...result })}\n` : compareText(base!, candidate!, result),
      );
      return result.ok ? EXIT_OK : EXIT_INVALID;
    }
    throw new UserError(`vigil k6 takes verify or compare${sub ? `, got ${JSON.stringify(sub)}` : ''}\nusage: ${usage}`, EXIT_USAGE);
  },
};

function limitFlag(name: string, value: string | undefined, max = 1000): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > max)
    throw new UserError(`--${name} must be a number from 0 to ${max}, got ${JSON.stringify(value)}\nusage: ${usage}`, EXIT_USAGE);
  return n;
}

async function readSummary(io: CliIo, file: string, want: (name: string) => boolean): Promise<K6Summary> {
  try {
    return await readK6Summary(path.resolve(io.cwd, file), file, { want });
  } catch (err) {
    if (err instanceof SummaryError) throw new UserError(err.message, EXIT_INVALID);
    throw err;
  }
}

async function verify(io: CliIo, root: string, file: string, service: string | undefined, env: string | undefined, format: string): Promise<number> {
  const { model, diagnostics } = await checkProject(root, env !== undefined ? { env } : {});
  if (diagnostics.hasErrors) {
    reportDiagnostics(io, format, diagnostics.sorted());
    return EXIT_INVALID;
  }
  const targets = k6Targets(model);
  if (targets.length === 0) throw new UserError('no service has an SLO a k6 load test measures (see README "k6 load tests")', EXIT_INVALID);
  // Only the (sub-)metrics some load test of the project reads are parsed; the rest is scanned past.
  const wanted = new Set(targets.flatMap((t) => k6Measurements(t).map((m) => subMetricKey(m.metric, m.tags))));
  const summary = await readSummary(io, file, (name) => wanted.has(name));
  const target = pickTarget(targets, summary, service);
  const result = verifySummary(target, summary);
  io.stdout.write(
    format === 'json' ? `${json({ summary: summary.file, format: summary.format, env: env ?? null, ...result })}\n` : verifyText(summary, result),
  );
  return result.ok ? EXIT_OK : EXIT_INVALID;
}

/**
 * The service a summary is about: `--service`, else the one whose slow-request metrics the
 * summary holds, else the project's only load-tested service.
 */
function pickTarget(targets: readonly K6Target[], summary: K6Summary, service: string | undefined): K6Target {
  const names = targets.map((t) => t.service);
  if (service !== undefined) {
    const t = targets.find((x) => x.service === service);
    if (!t) throw new UserError(`--service ${service}: no load test for it; services with one: ${names.join(', ')}`, EXIT_USAGE);
    return t;
  }
  if (targets.length === 1) return targets[0]!;
  const metricNames = new Set([...summary.names].map((k) => k.replace(/\{.*$/, '')));
  const named = targets.filter((t) => t.slos.some((s) => metricNames.has(k6SlowMetric(s.id))));
  if (named.length === 1) return named[0]!;
  throw new UserError(`the summary does not say which service it measured (${names.join(', ')}): pass --service NAME`, EXIT_USAGE);
}

function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

function groupText(group: Readonly<Record<string, string>>): string {
  const e = Object.entries(group);
  return e.length ? ` {${e.map(([k, v]) => `${k}:${v}`).join(',')}}` : '';
}

function verifyText(summary: K6Summary, result: VerifyResult): string {
  const lines = [`vigil k6 verify: ${summary.file} (${summary.format}) against the SLOs of ${result.service}`];
  for (const v of result.verdicts) {
    const status = v.status === 'pass' ? 'PASS' : v.status === 'fail' ? 'FAIL' : 'NOT MEASURED';
    const measured =
      v.kind === 'errors'
        ? `error ratio ${v.badRatio === null ? '-' : fmtPct(v.badRatio)} (budget ${fmtPct(v.errorBudget)})`
        : `${v.percentile!.stat} ${v.percentile!.ms === null ? '-' : `${Number(v.percentile!.ms.toPrecision(5))} ms`} (limit ${v.percentile!.limitMs} ms), slow ${v.badRatio === null ? '-' : fmtPct(v.badRatio)} (budget ${fmtPct(v.errorBudget)})`;
    const burn =
      v.burnRate === null
        ? 'burn: unknown'
        : `burn ${v.burnRate}× = ${fmtPct(v.budgetPerHour!)} of the budget per hour${v.hoursToExhaust === null ? '' : ` (gone in ${Number(v.hoursToExhaust.toPrecision(3))} h)`}`;
    lines.push(`${status.padEnd(12)} ${v.slo}${groupText(v.group)}: ${measured}; ${burn}`);
    for (const r of v.reasons) lines.push(`             ${r}`);
  }
  const bad = result.verdicts.filter((v) => v.status !== 'pass').length;
  lines.push(
    result.ok ? `ok: ${result.verdicts.length} SLO measurement(s) within their objectives` : `failed: ${bad} of ${result.verdicts.length} SLO measurement(s)`,
  );
  return `${lines.join('\n')}\n`;
}

function compareText(base: K6Summary, candidate: K6Summary, result: CompareResult): string {
  const lines = [`vigil k6 compare: ${base.file} (base) → ${candidate.file} (candidate)`];
  for (const f of result.figures) {
    const unit = f.name === 'errorRatio' ? '' : f.name === 'throughput' ? '/s' : ' ms';
    const show = (x: number | null) => (x === null ? '-' : f.name === 'errorRatio' ? fmtPct(x) : `${Number(x.toPrecision(5))}${unit}`);
    const change =
      f.change === null
        ? `not compared: missing in ${f.missing}`
        : f.name === 'errorRatio'
          ? `${f.change >= 0 ? '+' : ''}${fmtPct(f.change)} (limit +${fmtPct(f.limit)})`
          : `${f.change >= 0 ? '+' : ''}${Number(f.change.toPrecision(3))}% (limit ${f.name === 'throughput' ? '-' : '+'}${f.limit}%)`;
    lines.push(
      `${(f.regression ? 'REGRESSION' : f.change === null ? 'MISSING' : 'ok').padEnd(10)} ${f.name.padEnd(10)} ${show(f.base)} → ${show(f.candidate)}  ${change}  [${f.source}]`,
    );
  }
  lines.push(
    result.compared === 0
      ? 'failed: the runs have no figure in common'
      : result.ok
        ? `ok: no regression in ${result.compared} figure(s)`
        : `failed: ${result.figures.filter((f) => f.regression).length} regression(s)`,
  );
  return `${lines.join('\n')}\n`;
}
