/** One sample of a Prometheus text-format exposition. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Result of parsing: the samples and how many lines could not be read. */
export interface ParsedExposition {
  readonly samples: ParsedSample[];
  readonly badLines: number;
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;

/**
 * Parses the Prometheus text format (0.0.4, and the OpenMetrics subset model servers emit).
 * Comments, HELP/TYPE and `# EOF` are skipped; a malformed line is counted and skipped. Never throws.
 * `maxSamples` bounds memory for hostile inputs (default 200000).
 */
export function parsePrometheusText(text: string, maxSamples = 200_000): ParsedExposition {
  const samples: ParsedSample[] = [];
  let badLines = 0;
  let start = 0;
  while (start <= text.length && samples.length < maxSamples) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const sample = parseLine(trimmed);
    if (sample) samples.push(sample);
    else badLines++;
    if (end === text.length) break;
  }
  return { samples, badLines };
}

function parseLine(line: string): ParsedSample | undefined {
  let i = 0;
  if (!NAME_START.test(line[0] ?? '')) return undefined;
  while (i < line.length && NAME_CHAR.test(line[i]!)) i++;
  const name = line.slice(0, i);
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      if (!LABEL_START.test(line[i] ?? '')) return undefined;
      const ls = i;
      while (i < line.length && LABEL_CHAR.test(line[i]!)) i++;
      const key = line.slice(ls, i);
      while (line[i] === ' ') i++;
      if (line[i] !== '=') return undefined;
      i++;
      while (line[i] === ' ') i++;
      if (line[i] !== '"') return undefined;
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) return undefined;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          const n = line[i + 1];
          if (n === undefined) return undefined;
          value += n === 'n' ? '\n' : n;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      if (key in labels) return undefined;
      labels[key] = value;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      return undefined;
    }
  }
  if (line[i] !== ' ' && line[i] !== '\t') return undefined;
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest.length > 2) return undefined;
  const value = parseValue(rest[0]!);
  if (value === undefined) return undefined;
  if (rest.length === 2 && !/^-?\d+(\.\d+)?$/.test(rest[1]!)) return undefined;
  return { name, labels: { ...labels }, value };
}

function parseValue(s: string): number | undefined {
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isNaN(v) ? undefined : v;
}
