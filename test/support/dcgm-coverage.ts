/**
 * dcgm-exporter's default counters (test/exporter/fixtures/dcgm-exporter/default-counters.csv) and
 * how much of them an exposition covers; shared by test/exporter/dcgm-defaults.test.ts and
 * `npm run bench dcgm-coverage`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Runner } from '../../exporters/gpu/sources/nvidia-smi/nvidia-smi-source.js';

const FIXTURES = path.resolve(import.meta.dirname, '../exporter/fixtures');

/** A real `nvidia-smi --query-gpu=<AUTO> --format=csv` capture of an H100 under load. */
export const H100_LOAD_CAPTURE = 'nvidia-smi/nvidia-smi_query-gpu__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load.csv';

/** One enabled line of a dcgm-exporter counters CSV. */
export interface DcgmCounter {
  readonly name: string;
  /** gauge, counter or label. */
  readonly type: string;
  readonly help: string;
}

/** The enabled lines of a dcgm-exporter counters CSV: `FIELD, type, help`; `#` starts a comment. */
export function readCounters(file: string): DcgmCounter[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [name, type, ...help] = l.split(',').map((p) => p.trim());
      return { name: name!, type: type!, help: help.join(',').trim() };
    });
}

export const DEFAULT_COUNTERS: readonly DcgmCounter[] = readCounters(path.join(FIXTURES, 'dcgm-exporter/default-counters.csv'));

/**
 * The default counters an exposition covers for GPU 0 (a series with dcgm's TYPE and HELP; for the
 * `label` type, the label on every GPU series), and why each other one is not covered.
 */
export function dcgmCoverage(text: string, counters: readonly DcgmCounter[] = DEFAULT_COUNTERS): { covered: string[]; missing: Record<string, string> } {
  const covered: string[] = [];
  const missing: Record<string, string> = {};
  const lines = text.split('\n');
  const gpuLines = lines.filter((l) => /^[A-Za-z_:][\w:]*\{gpu="/.test(l));
  for (const c of counters) {
    if (c.type === 'label') {
      const without = gpuLines.filter((l) => !l.includes(`,${c.name}="`));
      if (gpuLines.length > 0 && without.length === 0) covered.push(c.name);
      else missing[c.name] = `label missing on ${without.length} of ${gpuLines.length} GPU series`;
      continue;
    }
    if (!gpuLines.some((l) => l.startsWith(`${c.name}{gpu="0",`))) {
      missing[c.name] = 'no series';
      continue;
    }
    if (!text.includes(`# TYPE ${c.name} ${c.type}\n`)) missing[c.name] = `TYPE is not ${c.type}`;
    else if (!text.includes(`# HELP ${c.name} ${c.help}\n`)) missing[c.name] = `HELP is not "${c.help}"`;
    else covered.push(c.name);
  }
  return { covered, missing };
}

/** A runner that answers the nvidia-smi source's query from a real `--query-gpu --format=csv` capture (one GPU). */
export function replayQueryGpu(file: string): Runner {
  const [header, row] = fs.readFileSync(path.join(FIXTURES, file), 'utf8').trim().split('\n');
  const names = header!.split(', ').map((h) => h.replace(/ \[.*\]$/, ''));
  const cells = row!.split(', ');
  if (cells.length !== names.length) throw new Error(`${file}: ${cells.length} cells for ${names.length} columns`);
  const byName = new Map(names.map((n, i) => [n, cells[i]!.replace(/^(-?[\d.]+) (%|MiB|W|C|MHz|J)$/, '$1')]));
  return (_bin, args) => {
    const fields = args[0]!.slice('--query-gpu='.length).split(',');
    const unknown = fields.find((f) => !byName.has(f));
    if (unknown) return Promise.resolve({ code: 2, stdout: `Field "${unknown}" is not a valid field to query.\n`, stderr: '' });
    return Promise.resolve({ code: 0, stdout: `${fields.map((f) => byName.get(f)).join(', ')}\n`, stderr: '' });
  };
}
