import fs from 'node:fs';
import path from 'node:path';
import { GrafanaApiError, GrafanaClient } from '../../../apply/grafana-client.js';
import { grafanaUrl, readToken } from '../../../apply/local-dashboards.js';
import { formatDiagnostic, UserError } from '../../../diagnostics.js';
import type { ImportFinding, ImportStatus } from '../../../import/grafana-dashboard/finding.js';
import { importGrafanaDashboard } from '../../../import/grafana-dashboard/import-grafana-dashboard.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo } from '../../io.js';

export const importGrafanaDashboardUsage =
  'vigil import grafana-dashboard FILE.json | --grafana-url URL --uid UID --token-file F [--out dashboards/] [--dry-run] [--format json] [--root DIR]';

/** Line and column (1-based) of a character offset. */
function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

class JsonSyntaxError extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}

/**
 * Offset of the first JSON syntax error in `text` (Node 20's `JSON.parse` names no position for
 * most errors): a small recursive-descent scan, returning -1 when the text is valid.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new JsonSyntaxError(i);
  };
  const literal = (word: string) => (text.startsWith(word, i) ? (i += word.length) : fail());
  const str = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    if (c === 't') return void literal('true');
    if (c === 'f') return void literal('false');
    if (c === 'n') return void literal('null');
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    if (at instanceof JsonSyntaxError) return at.offset;
    throw at;
  }
}

/** Reads and parses the dashboard file; a bad file is a located diagnostic (exit 1), never a stack trace. */
function readDashboardFile(cwd: string, file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UserError(`cannot import ${file}`, EXIT_INVALID, [
      { severity: 'error', code: 'IMPD001', message: `cannot read the dashboard file (${code})`, file, line: 0, column: 0 },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch {
    const offset = jsonErrorOffset(text);
    const at = positionAt(text, offset);
    const found = offset >= 0 && offset < text.length ? JSON.stringify(text[offset]) : 'end of file';
    throw new UserError(`cannot import ${file}`, EXIT_INVALID, [
      {
        severity: 'error',
        code: 'IMPD002',
        message: `not valid JSON: unexpected ${found}`,
        file,
        line: at.line,
        column: at.column,
        hint: 'export the dashboard from Grafana (Share › Export › Save to file) or pass --grafana-url and --uid',
      },
    ]);
  }
}

/** A module file name: kebab-case, letters and digits only. */
export function moduleFileName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug === '' ? 'imported-dashboard' : slug}.ts`;
}

/** Formats with prettier when the project has it (it is not a runtime dependency of vigil); else as generated. */
async function formatModule(text: string, file: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    // The generator's own style unless the project configures prettier.
    return await prettier.format(text, { singleQuote: true, printWidth: 160, ...config, filepath: file });
  } catch {
    return text;
  }
}

const LABELS: Record<ImportStatus, string> = { imported: 'imported', 'needs-attention': 'needs attention', 'not-importable': 'not importable' };

function summary(findings: readonly ImportFinding[]): string {
  const lines: string[] = [];
  for (const status of ['imported', 'needs-attention', 'not-importable'] as const) {
    const of = findings.filter((f) => f.status === status);
    lines.push(`${LABELS[status]}: ${of.length}`);
    for (const f of of) lines.push(`  ${f.path}: ${f.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `vigil import grafana-dashboard`: one Grafana dashboard (a JSON file, or fetched by uid) into a
 * `dashboards/*.ts` module of vigil's helpers. Exit 1 when anything was not importable (or the
 * module file exists), 0 otherwise; 2 for usage errors.
 */
export async function runImportGrafanaDashboard(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await importCommand(argv, io);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    for (const d of err.diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
    io.stderr.write(`vigil import grafana-dashboard: ${err.message}\n`);
    return err.exitCode;
  }
}

async function importCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const usage = importGrafanaDashboardUsage;
  const { values, positionals } = parseFlags(
    argv,
    {
      'grafana-url': { type: 'string' },
      uid: { type: 'string' },
      'token-file': { type: 'string' },
      out: { type: 'string', default: 'dashboards' },
      'dry-run': { type: 'boolean', default: false },
    },
    usage,
    true,
  );
  const fromGrafana = values['grafana-url'] !== undefined || values.uid !== undefined;
  if (fromGrafana === positionals.length > 0) throw new UserError(`give either FILE.json or --grafana-url and --uid\nusage: ${usage}`, EXIT_USAGE);
  if (positionals.length > 1) throw new UserError(`one dashboard at a time, got ${positionals.length} files\nusage: ${usage}`, EXIT_USAGE);
  const root = resolveRoot(io.cwd, values.root);

  let json: unknown;
  let source: string;
  let base: string;
  if (fromGrafana) {
    const url = grafanaUrl(values['grafana-url'], usage);
    if (!values.uid) throw new UserError(`--uid is required with --grafana-url\nusage: ${usage}`, EXIT_USAGE);
    const client = new GrafanaClient({ url, token: readToken(io.cwd, values['token-file'], true) });
    try {
      json = await client.getDashboard(values.uid);
    } catch (err) {
      if (err instanceof GrafanaApiError) throw new UserError(err.message, EXIT_INVALID);
      throw err;
    }
    if (json === undefined) throw new UserError(`Grafana at ${url} has no dashboard with uid ${JSON.stringify(values.uid)}`, EXIT_INVALID);
    source = `${url.replace(/\/+$/, '')}/d/${values.uid}`;
    const title = (json as { dashboard?: { title?: unknown } }).dashboard?.title;
    base = typeof title === 'string' ? title : values.uid;
  } else {
    const file = positionals[0]!;
    json = readDashboardFile(io.cwd, file);
    source = file;
    base = path.basename(file).replace(/\.json$/i, '');
  }

  const result = importGrafanaDashboard(json, source);
  const target = path.resolve(root, values.out, moduleFileName(base));
  const shown = path.relative(io.cwd, target) || target;
  const moduleText = result.moduleText === undefined ? undefined : await formatModule(result.moduleText, target);
  let written = false;
  if (moduleText !== undefined && !values['dry-run']) {
    if (fs.existsSync(target)) throw new UserError(`${shown} exists; move it away or pass another --out`, EXIT_INVALID);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, moduleText);
    written = true;
  }
  const notImportable = result.findings.some((f) => f.status === 'not-importable');
  if (values.format === 'json') {
    const counts = Object.fromEntries(
      (['imported', 'needs-attention', 'not-importable'] as const).map((s) => [s, result.findings.filter((f) => f.status === s).length]),
    );
    io.stdout.write(
      `${JSON.stringify({ source, module: moduleText === undefined ? null : shown, written, dryRun: values['dry-run'], counts, findings: result.findings, ...(values['dry-run'] ? { moduleText: moduleText ?? null } : {}) }, null, 2)}\n`,
    );
  } else {
    const what = moduleText === undefined ? 'no module written' : written ? `wrote ${shown}` : `would write ${shown} (dry run)`;
    io.stdout.write(`vigil import grafana-dashboard: ${source}: ${what}\n${summary(result.findings)}`);
  }
  return notImportable ? EXIT_INVALID : EXIT_OK;
}
