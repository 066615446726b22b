/**
 * The subset of Prometheus alert templates vigil understands well enough to predict their output
 * in generated promtool tests (promtool compares labels and annotations exactly):
 * `{{ $labels.NAME }}`, `{{ .Labels.NAME }}`, `{{ $value }}`, `{{ .Value }}`, and
 * `{{ $value | humanizePercentage }}`. Anything else is reported, never guessed.
 */

/** A problem in a template; `offset` counts characters from the template's start. */
export interface TemplateProblem {
  readonly code: 'ALR050' | 'ALR051';
  readonly offset: number;
  readonly message: string;
}

type Term = { kind: 'label'; name: string } | { kind: 'value'; pipe?: 'humanizePercentage' };

interface Part {
  readonly text?: string;
  readonly term?: Term;
}

/** Variables Prometheus defines for alert templates. */
const KNOWN_VARS = new Set(['$labels', '$value', '$externalLabels', '$externalURL', '$']);
const KNOWN_FIELDS = new Set(['Labels', 'Value', 'ExternalLabels', 'ExternalURL']);

/** Parses a template into literal text and understood terms; problems for everything else. */
export function parseTemplate(template: string): { parts: Part[]; problems: TemplateProblem[] } {
  const parts: Part[] = [];
  const problems: TemplateProblem[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) {
      parts.push({ text: template.slice(i) });
      break;
    }
    if (open > i) parts.push({ text: template.slice(i, open) });
    const close = template.indexOf('}}', open + 2);
    if (close < 0) {
      problems.push({ code: 'ALR051', offset: open, message: 'unclosed template action "{{"' });
      break;
    }
    const inner = template
      .slice(open + 2, close)
      .replace(/^-\s/, ' ')
      .replace(/\s-$/, ' ');
    const term = parseAction(inner, open + 2, problems);
    if (term) parts.push({ term });
    i = close + 2;
  }
  return { parts, problems };
}

function parseAction(inner: string, base: number, problems: TemplateProblem[]): Term | undefined {
  // Undefined variables first: they are bugs whatever else the action does.
  for (const m of inner.matchAll(/\$[A-Za-z_][A-Za-z0-9_]*/g)) {
    if (!KNOWN_VARS.has(m[0]))
      problems.push({
        code: 'ALR050',
        offset: base + m.index,
        message: `template variable ${m[0]} is not defined (alert templates have $labels, $value, $externalLabels, $externalURL)`,
      });
  }
  for (const m of inner.matchAll(/(?:^|[\s(])\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (!KNOWN_FIELDS.has(m[1]!))
      problems.push({
        code: 'ALR050',
        offset: base + m.index + m[0].indexOf('.'),
        message: `template field .${m[1]} is not defined (alert templates have .Labels, .Value, .ExternalLabels, .ExternalURL)`,
      });
  }
  if (problems.some((p) => p.offset >= base && p.offset <= base + inner.length)) return undefined;
  const [head, ...pipes] = inner.split('|').map((s) => s.trim());
  const label = /^(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(head ?? '');
  if (label && pipes.length === 0) return { kind: 'label', name: label[1]! };
  if (head === '$value' || head === '.Value') {
    if (pipes.length === 0) return { kind: 'value' };
    if (pipes.length === 1 && pipes[0] === 'humanizePercentage') return { kind: 'value', pipe: 'humanizePercentage' };
  }
  problems.push({
    code: 'ALR051',
    offset: base,
    message: `vigil cannot predict {{${inner}}} in generated unit tests; use {{ $labels.NAME }}, {{ $value }} or {{ $value | humanizePercentage }}`,
  });
  return undefined;
}

/** Label names a template reads through `$labels.NAME`. */
export function labelsReadBy(template: string): string[] {
  return parseTemplate(template).parts.flatMap((p) => (p.term?.kind === 'label' ? [p.term.name] : []));
}

/** Whether a template reads `$value`. */
export function readsValue(template: string): boolean {
  return parseTemplate(template).parts.some((p) => p.term?.kind === 'value');
}

/**
 * Expands a template the way Prometheus would for an alert with these labels and value. A
 * missing label expands to "" (Prometheus renders with missingkey=zero). Throws when the
 * template needs `$value` and none is given, or has problems (callers check first).
 */
export function expandTemplate(template: string, labels: Readonly<Record<string, string>>, value?: number): string {
  const { parts, problems } = parseTemplate(template);
  if (problems.length > 0) throw new Error(problems[0]!.message);
  let out = '';
  for (const p of parts) {
    if (p.text !== undefined) out += p.text;
    else if (p.term?.kind === 'label') out += labels[p.term.name] ?? '';
    else if (p.term?.kind === 'value') {
      if (value === undefined) throw new Error('the template reads $value but the test gives no value');
      out += p.term.pipe === 'humanizePercentage' ? `${formatGoG(value * 100, 4)}%` : formatGoFloat(value);
    }
  }
  return out;
}

/** Go's `%v` for a float64: shortest digits, exponent form when the exponent is < -4 or >= 6 (strconv shortest `g`). */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return trimFixed(v.toFixed(Math.max(0, -exp + (mant!.replace(/^-/, '').replace('.', '').length - 1))));
}

/** Go's `%.<precision>g`: exponent form when the exponent is < -4 or >= precision; trailing zeros dropped. */
export function formatGoG(v: number, precision: number): string {
  if (v === 0) return '0';
  const [mant, expText] = v.toExponential(precision - 1).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= precision) return `${trimFixed(mant!)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return trimFixed(v.toFixed(Math.max(0, precision - 1 - exp)));
}

function trimFixed(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
