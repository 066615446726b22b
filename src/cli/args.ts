import { parseArgs, type ParseArgsConfig } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../diagnostics.js';
import { parseDurationMs } from '../runtime/duration.js';
import { EXIT_USAGE } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
export const commonOptions = {
  root: { type: 'string' },
  format: { type: 'string', default: 'text' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/**
 * Strict flag parsing; an unknown flag or a missing value is a usage error (exit 2) with the
 * command's usage line, never a stack trace.
 */
export function parseFlags<O extends Options>(argv: readonly string[], options: O, usage: string, allowPositionals = false) {
  try {
    const parsed = parseArgs({ args: [...argv], options: { ...commonOptions, ...options }, strict: true, allowPositionals });
    const format = (parsed.values as Record<string, unknown>).format;
    if (format !== 'text' && format !== 'json') throw new UserError(`--format must be text or json, got ${String(format)}\nusage: ${usage}`, EXIT_USAGE);
    if (!allowPositionals && parsed.positionals.length > 0) throw new UserError(`unexpected argument ${parsed.positionals[0]}\nusage: ${usage}`, EXIT_USAGE);
    return parsed;
  } catch (err) {
    if (err instanceof UserError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new UserError(`${message}\nusage: ${usage}`, EXIT_USAGE);
  }
}

/** The project root: `--root` resolved against the working directory; it must be a directory (else exit 2). */
export function resolveRoot(cwd: string, root: unknown): string {
  const dir = path.resolve(cwd, typeof root === 'string' && root !== '' ? root : '.');
  let isDir = false;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UserError(`--root ${dir}: no such directory (it should hold slos/, alerts/, dashboards/)`, EXIT_USAGE);
  return dir;
}

/** Parses a duration flag like `5s`, `250ms`, `1.5m` or `1m30s` into milliseconds (decimals allowed). */
export function parseDurationFlag(name: string, value: string, usage: string): number {
  const ms = parseDurationMs(value, { decimals: true });
  if (ms === undefined) throw new UserError(`--${name} must be a duration like 5s, 250ms or 1m, got ${JSON.stringify(value)}\nusage: ${usage}`, EXIT_USAGE);
  return ms;
}
