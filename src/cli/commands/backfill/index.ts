import fs from 'node:fs';
import path from 'node:path';
import { BackfillPlanError, planBackfillLevels } from '../../../backfill/plan-levels.js';
import { RuleEvaluationError } from '../../../backfill/evaluate-level.js';
import { PromtoolError } from '../../../backfill/promtool-blocks.js';
import { ScratchPrometheusError } from '../../../backfill/scratch-prometheus.js';
import { runBackfill, type BackfillResult } from '../../../backfill/run-backfill.js';
import { SourcePrometheus } from '../../../backfill/source-prometheus.js';
import { checkProject } from '../../../build/build-project.js';
import { LABEL_SLO, sloSeries } from '../../../conventions.js';
import { UserError } from '../../../diagnostics.js';
import { indicatorTotal } from '../../../generate/prometheus/sli-health.js';
import { generateSloRuleGroup } from '../../../generate/prometheus/slo-rules.js';
import { nearestName } from '../../../load/nearest-name.js';
import { formatSelector } from '../../../query/promql.js';
import { parseDurationMs } from '../../../runtime/duration.js';
import { mapWithConcurrency } from '../../../runtime/map-with-concurrency.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';
import { prometheusUserError } from '../../prometheus-source.js';

const usage =
  'vigil backfill --prometheus-url URL [--from 30d | --start T --end T] [--out DIR] [--root DIR] [--env NAME] [--service S] [--slo ID] ' +
  '[--alerts] [--force-overlap] [--overwrite] [--concurrency 4] [--format text|json]';

/** Prometheus writes the head block of the last hours; backfilled blocks stay out of it (Prometheus storage docs). */
const HEAD_MARGIN_MS = 3 * 3_600_000;

/** `vigil backfill`: the SLO recording rules computed over past raw data, as TSDB blocks, level by level. */
export const backfillCommand: Command = {
  summary: 'Compute the SLO recording rules over past data (promtool, level by level) into TSDB blocks, so every window is right from day one.',
  usage,
  examples: [
    'vigil backfill --prometheus-url http://prometheus:9090              # the last 30 days, up to where the live rules begin; blocks in build/backfill/',
    'vigil backfill --prometheus-url http://prometheus:9090 --from 7d --service llm-gateway --alerts',
    'vigil backfill --prometheus-url http://thanos-query:9090 --start 2026-11-01T00:00:00Z --end 2026-12-01T00:00:00Z --out /tmp/blocks',
  ],
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        'prometheus-url': { type: 'string' },
        from: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        out: { type: 'string' },
        env: { type: 'string' },
        service: { type: 'string', multiple: true },
        slo: { type: 'string', multiple: true },
        alerts: { type: 'boolean', default: false },
        'force-overlap': { type: 'boolean', default: false },
        overwrite: { type: 'boolean', default: false },
        concurrency: { type: 'string', default: '4' },
      },
      usage,
    );
    const fail = (message: string): never => {
      throw new UserError(`${message}\nusage: ${usage}`, EXIT_USAGE);
    };
    const url = values['prometheus-url'];
    if (url === undefined) fail('--prometheus-url is required: the Prometheus (or Thanos/Mimir query API) holding the raw series');
    if (!/^https?:\/\/[^/\s]+/.test(url!)) fail(`--prometheus-url must be an http(s) URL like http://prometheus:9090, got ${JSON.stringify(url)}`);
    if (values.from !== undefined && (values.start !== undefined || values.end !== undefined)) fail('give either --from or --start/--end, not both');
    if (values.end !== undefined && values.start === undefined) fail('--end needs --start');
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      fail(`--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(values.concurrency)}`);
    const root = resolveRoot(io.cwd, values.root);
    const out = path.resolve(io.cwd, values.out ?? path.join(root, 'build', 'backfill'));
    const now = Date.now();

    let startMs: number;
    let endMs: number | undefined;
    if (values.start !== undefined) {
      startMs = parseTime('start', values.start, fail);
      if (values.end !== undefined) endMs = parseTime('end', values.end, fail);
    } else {
      const back = parseDurationMs(values.from ?? '30d');
      if (back === undefined || back <= 0) return fail(`--from must be a duration like 30d or 12h, got ${JSON.stringify(values.from)}`);
      startMs = now - back;
    }

    const { model, diagnostics } = await checkProject(root, values.env !== undefined ? { env: values.env } : {});
    if (diagnostics.hasErrors) {
      reportDiagnostics(io, values.format, diagnostics.sorted());
      if (values.format === 'text') io.stderr.write(`vigil backfill: ${diagnostics.errors.length} error(s) in the project; nothing was backfilled\n`);
      return EXIT_INVALID;
    }
    let slos = model.slos;
    const services = values.service ?? [];
    const ids = values.slo ?? [];
    for (const s of services) if (!slos.some((x) => x.service === s)) unknown('service', s, [...new Set(slos.map((x) => x.service))], fail);
    for (const id of ids)
      if (!slos.some((x) => x.id === id))
        unknown(
          'SLO',
          id,
          slos.map((x) => x.id),
          fail,
        );
    if (services.length > 0) slos = slos.filter((s) => services.includes(s.service));
    if (ids.length > 0) slos = slos.filter((s) => ids.includes(s.id));
    if (slos.length === 0) throw new UserError('the project has no SLOs to backfill', EXIT_INVALID);
    const defaultInterval = model.config.sloEvaluationInterval.text;
    const groups = slos.map((s) => generateSloRuleGroup(s, defaultInterval));
    try {
      planBackfillLevels(groups, { alerts: values.alerts });
    } catch (err) {
      if (err instanceof BackfillPlanError) throw new UserError(`${err.message}`, EXIT_INVALID);
      throw err;
    }

    const source = new SourcePrometheus(url!);
    const say = (line: string) => io.stderr.write(`vigil backfill: ${line}\n`);
    let earliestLive: number | undefined;
    try {
      await source.probe();
      const selector = `${sloSeries.objective}{${LABEL_SLO}=~${JSON.stringify(slos.map((s) => escapeRegex(s.id)).join('|'))}}`;
      earliestLive = await source.earliestSample(selector, startMs, endMs ?? now);
    } catch (err) {
      throw prometheusUserError(err);
    }

    if (endMs === undefined) {
      // --from: up to where the live rules begin, and never into the head block's last hours.
      endMs = now - HEAD_MARGIN_MS;
      if (earliestLive !== undefined && earliestLive < endMs && !values['force-overlap']) {
        endMs = Math.floor(earliestLive / 60_000) * 60_000;
        say(`the live rules have recorded these SLOs since ${iso(earliestLive)}: backfilling up to there`);
      } else if (earliestLive !== undefined && earliestLive >= endMs) {
        say(
          `the live rules began at ${iso(earliestLive)}, less than 3 h ago: ${iso(endMs)} → ${iso(earliestLive)} stays unfilled; run again later with --start ${iso(endMs)} --end ${iso(earliestLive)}`,
        );
      }
    } else if (earliestLive !== undefined && earliestLive < endMs && !values['force-overlap']) {
      throw new UserError(
        `the live rules have recorded ${sloSeries.objective} for these SLOs since ${iso(earliestLive)}, inside ${iso(startMs)} → ${iso(endMs)}: ` +
          `backfilled samples would interleave with the live ones. End the range there (--end ${iso(Math.floor(earliestLive / 60_000) * 60_000)}) or pass --force-overlap`,
        EXIT_INVALID,
      );
    }
    if (!(endMs > startMs)) throw new UserError(`nothing to do: the range ${iso(startMs)} → ${iso(endMs)} is empty`, EXIT_INVALID);

    // An indicator with no raw samples in the range records nothing but its SLO's constants: say so
    // per SLO, and refuse a run in which no SLO has any (a wrong URL, selector or range).
    const probed = await mapWithConcurrency(slos, concurrency, async (slo) => {
      const total = indicatorTotal(slo);
      if (total === undefined) return undefined; // raw indicators: vigil cannot tell which series they read
      const selector = formatSelector(total);
      try {
        return { slo: slo.id, selector, empty: (await source.earliestSample(selector, startMs, endMs)) === undefined };
      } catch (err) {
        throw prometheusUserError(err);
      }
    });
    const checked = probed.filter((p) => p !== undefined);
    const withoutData = checked.filter((p) => p.empty);
    if (checked.length > 0 && withoutData.length === checked.length)
      throw new UserError(
        `no SLO indicator has raw samples between ${iso(startMs)} and ${iso(endMs)} at ${url}: nothing to backfill ` +
          `(${withoutData.map((p) => `${p.slo}: ${p.selector}`).join('; ')}). Check the URL, the range, or the selectors (vigil check --prometheus-url)`,
        EXIT_INVALID,
      );
    for (const p of withoutData)
      say(`warning: SLO ${p.slo}: ${p.selector} has no samples in the range; only its constant series (objective, budget) are written for it`);

    const existing = existingBlocks(out);
    if (existing.length > 0) {
      if (!values.overwrite)
        throw new UserError(
          `${out} already holds ${existing.length} block(s) (e.g. ${existing[0]}); move them away, or pass --overwrite to delete them first`,
          EXIT_INVALID,
        );
      for (const d of fs.readdirSync(out)) if (/^level-\d+$/.test(d)) fs.rmSync(path.join(out, d), { recursive: true, force: true });
    }

    let result: BackfillResult;
    try {
      result = await runBackfill({
        groups,
        url: url!,
        startMs,
        endMs,
        outDir: out,
        defaultInterval,
        alerts: values.alerts,
        concurrency,
        progress: say,
        ...(io.signal ? { signal: io.signal } : {}),
      });
    } catch (err) {
      if (err instanceof PromtoolError || err instanceof ScratchPrometheusError || err instanceof RuleEvaluationError)
        throw new UserError(`${err.message}`, EXIT_INVALID);
      throw prometheusUserError(err);
    }

    const summary = {
      out,
      start: iso(startMs),
      end: iso(endMs),
      slos: slos.map((s) => s.id),
      slosWithoutData: withoutData.map((p) => p.slo),
      seconds: result.seconds,
      levels: result.levels,
      alertsRecorded: result.plan.alertsRecorded,
      skippedAlerts: result.plan.skippedAlerts,
      inlined: result.plan.inlined,
    };
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      const blocks = result.levels.reduce((n, l) => n + l.blocks, 0);
      const near = path.relative(io.cwd, out);
      const rel = near === '' ? '.' : near.startsWith('..') ? out : near;
      const skipped = result.plan.skippedAlerts.length;
      io.stdout.write(
        `vigil backfill: ${blocks} block(s) in ${result.levels.length} level(s) under ${rel}, ${iso(startMs)} → ${iso(endMs)}, ${slos.length} SLO(s), ${result.seconds.toFixed(1)} s\n` +
          (result.plan.alertsRecorded > 0 ? `  ${result.plan.alertsRecorded} burn-rate alert(s) recorded as ALERTS{alertstate="firing"}\n` : '') +
          (skipped > 0
            ? `  ${skipped} alerting rule(s) not backfilled (${values.alerts ? 'they have for:' : 'pass --alerts for the burn-rate alerts'}; --format json lists them)\n`
            : '') +
          `Where the blocks go (docs/backfill.md):\n` +
          `  Prometheus: copy every block dir (${rel}/level-*/<ULID>) into its --storage.tsdb.path and restart it (2.39+ merges overlapping blocks;\n` +
          `              2.38 and older need --storage.tsdb.allow-overlapping-blocks). Its retention must reach back to ${iso(startMs)}.\n` +
          `  Mimir:      mimirtool backfill --address=<mimir> --id=<tenant> ${rel}/level-*/*   (block upload enabled for the tenant)\n` +
          `  Thanos:     thanos tools bucket upload-blocks --objstore.config-file=bucket.yml --path=<each ${rel}/level-NN> --label=<the external labels>\n`,
      );
    }
    return EXIT_OK;
  },
};

function parseTime(flag: string, text: string, fail: (m: string) => never): number {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (!Number.isFinite(ms)) return fail(`--${flag} must be an RFC 3339 time (2026-11-01T00:00:00Z) or Unix seconds, got ${JSON.stringify(text)}`);
  return ms;
}

function unknown(kind: string, name: string, known: readonly string[], fail: (m: string) => never): never {
  const meant = nearestName(name, known);
  return fail(`no ${kind} ${JSON.stringify(name)} in the project${meant ? ` (did you mean ${meant}?)` : ''}`);
}

/** Block dirs (with meta.json) already under `out`, at any depth up to two. */
function existingBlocks(out: string): string[] {
  if (!fs.existsSync(out)) return [];
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (fs.existsSync(path.join(p, 'meta.json'))) found.push(p);
      else if (depth < 2) walk(p, depth + 1);
    }
  };
  walk(out, 0);
  return found;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
