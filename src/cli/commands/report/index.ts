import { UserError } from '../../../diagnostics.js';
import { PrometheusApi } from '../../../live/prometheus-api.js';
import { buildReport } from '../../../report/build-report.js';
import { baseStepSeconds } from '../../../report/read-slo-history.js';
import { resolveRange } from '../../../report/report-range.js';
import { renderReportFiles } from '../../../report/render-pages.js';
import { parseDurationSeconds } from '../../../model/duration.js';
import { writeArtifacts } from '../../../write/write-artifacts.js';
import { parseDurationFlag, parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../../io.js';
import { displayUrl, loadPrometheusSource, parseConcurrency, prometheusUserError } from '../../prometheus-source.js';
import { packageVersion } from '../../version.js';
import path from 'node:path';

const usage =
  'vigil report --out DIR [--prometheus-url URL] [--period 30d | --from TIME [--to TIME]] [--service S] [--env NAME] [--concurrency 4] [--timeout 30s] [--root DIR]';

/** RFC 3339 (`2026-11-01T00:00:00Z`, a date alone is UTC midnight) or unix seconds → unix seconds. */
function parseTime(name: string, value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms))
    throw new UserError(`--${name} must be an RFC 3339 time (2026-11-01T00:00:00Z) or unix seconds, got ${JSON.stringify(value)}\nusage: ${usage}`, EXIT_USAGE);
  return ms / 1000;
}

/** `vigil report`: a static SLA/SLO report (HTML + inline SVG, and report.json) from the recorded SLO series. */
export const reportCommand: Command = {
  summary: 'Write a static SLA/SLO report (index.html, one page per service, report.json) from what Prometheus recorded.',
  usage,
  examples: [
    'vigil report --prometheus-url http://prometheus:9090 --out report/            # the last 30 days, every service',
    'vigil report --from 2026-11-01 --to 2026-12-01 --service document-processing --out nov/   # one month of one service',
  ],
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        'prometheus-url': { type: 'string' },
        period: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        env: { type: 'string' },
        service: { type: 'string' },
        out: { type: 'string' },
        concurrency: { type: 'string', default: '4' },
        timeout: { type: 'string', default: '30s' },
      },
      usage,
    );
    const root = resolveRoot(io.cwd, values.root);
    if (values.out === undefined) throw new UserError(`--out DIR is required\nusage: ${usage}`, EXIT_USAGE);
    if (values.period !== undefined && values.from !== undefined) throw new UserError(`give --period or --from, not both\nusage: ${usage}`, EXIT_USAGE);
    if (values.to !== undefined && values.from === undefined) throw new UserError(`--to needs --from\nusage: ${usage}`, EXIT_USAGE);
    const periodSeconds = parseDurationSeconds(values.period ?? '30d');
    if (periodSeconds === undefined || periodSeconds <= 0)
      throw new UserError(`--period must be a duration like 30d or 4w, got ${JSON.stringify(values.period)}\nusage: ${usage}`, EXIT_USAGE);
    const timeoutMs = parseDurationFlag('timeout', values.timeout, usage);
    const concurrency = parseConcurrency(values.concurrency, usage);
    const source = await loadPrometheusSource(
      root,
      { url: values['prometheus-url'], service: values.service, format: values.format, env: values.env },
      io,
      usage,
    );
    if (!source) return EXIT_INVALID;

    // Both ends fall on a multiple of every SLO's base window, so each SLO's samples tile the range.
    const align = source.slos.reduce((a, s) => lcm(a, baseStepSeconds(s)), 60);
    const nowSeconds = Date.now() / 1000;
    const range =
      values.from !== undefined
        ? resolveRange(
            { fromSeconds: parseTime('from', values.from), toSeconds: values.to !== undefined ? parseTime('to', values.to) : nowSeconds },
            nowSeconds,
            align,
          )
        : resolveRange({ periodSeconds }, nowSeconds, align);
    if (range.toSeconds <= range.fromSeconds)
      throw new UserError(`the range is empty: --from must be before --to (by at least ${align / 60} min)\nusage: ${usage}`, EXIT_USAGE);

    const api = new PrometheusApi({ url: source.url, timeoutMs });
    let report;
    try {
      report = await buildReport(api, source.slos, {
        range,
        prometheusUrl: displayUrl(source.url),
        environment: values.env,
        concurrency,
        generatedBy: `vigil ${packageVersion()}`,
        onProgress: (done, total, id) => io.stderr.write(`vigil report: [${done}/${total}] ${id}\n`),
      });
    } catch (err) {
      throw prometheusUserError(err);
    }
    const out = path.resolve(io.cwd, values.out);
    const files = renderReportFiles(report);
    await writeArtifacts(out, files);
    const slos = report.services.reduce((n, s) => n + s.slos.length, 0);
    io.stderr.write(
      `vigil report: wrote ${files.length} file(s) to ${out} (${report.services.length} service(s), ${slos} SLO(s), ${report.requests} request(s))\n`,
    );
    if (values.format === 'json') io.stdout.write(`${JSON.stringify({ out, files: files.map((f) => f.path), slos, requests: report.requests }, null, 2)}\n`);
    return EXIT_OK;
  },
};

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}
