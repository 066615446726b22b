/**
 * A small, fast, deterministic YAML emitter for generated files (block style, keys in insertion
 * order). Strings that could be misread are written as JSON strings, which YAML 1.2 reads as
 * double-quoted scalars. Much faster than a generic stringify on large rule files.
 */
export function renderYaml(value: unknown): string {
  const out: string[] = [];
  emit(value, 0, out, false);
  return out.join('');
}

const PLAIN = /^[A-Za-z_/$][A-Za-z0-9_ ./:$(){}=<>+,@-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

/** A scalar as YAML text. */
export function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot render ${v} in YAML output`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v !== 'string') throw new Error(`cannot render a ${typeof v} as a YAML scalar`);
  const s = v;
  // Long strings (expressions, descriptions) are nearly never plain-safe: skip the checks.
  if (s.length > 120) return JSON.stringify(s);
  if (s !== '' && PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(' ') && !s.includes(': ') && !s.includes(' #') && !s.endsWith(':')) return s;
  return JSON.stringify(s);
}

function emit(v: unknown, indent: number, out: string[], inline: boolean): void {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(inline ? ' []\n' : `${pad}[]\n`);
      return;
    }
    if (inline) out.push('\n');
    for (const item of v as unknown[]) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
        out.push(`${pad}- `);
        emitMap(item as Record<string, unknown>, indent + 2, out, true);
      } else if (Array.isArray(item) && item.length > 0) {
        out.push(`${pad}-`);
        emit(item, indent + 2, out, true);
      } else {
        out.push(`${pad}- ${isEmptyCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}\n`);
      }
    }
    return;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) {
      out.push(inline ? ' {}\n' : `${pad}{}\n`);
      return;
    }
    if (inline) out.push('\n');
    emitMap(v as Record<string, unknown>, indent, out, false);
    return;
  }
  out.push(inline ? ` ${scalar(v)}\n` : `${pad}${scalar(v)}\n`);
}

function emitMap(obj: Record<string, unknown>, indent: number, out: string[], firstInline: boolean): void {
  const pad = ' '.repeat(indent);
  let first = true;
  for (const [k, val] of Object.entries(obj)) {
    if (val === undefined) continue;
    out.push(first && firstInline ? '' : pad);
    first = false;
    out.push(`${scalar(k)}:`);
    const block = typeof val === 'string' ? blockLiteral(val, indent + 2) : undefined;
    if (block !== undefined) {
      out.push(block);
    } else if (val !== null && typeof val === 'object') {
      if (isEmptyCollection(val)) out.push(Array.isArray(val) ? ' []\n' : ' {}\n');
      else emit(val, Array.isArray(val) ? indent : indent + 2, out, true);
    } else {
      out.push(` ${scalar(val)}\n`);
    }
  }
}

/**
 * A multi-line string as a literal block (` |` or ` |-`, then its lines at `indent`), the way
 * people write embedded files (a ConfigMap's models.yaml). Undefined when the string is not
 * multi-line or a block could not carry it exactly (leading blank on the first line, blank-only
 * lines, control characters, several trailing newlines): it is then written as a JSON string.
 */
function blockLiteral(s: string, indent: number): string | undefined {
  if (!s.includes('\n') || s.endsWith('\n\n') || /^[ \t\n]/.test(s) || /(?!\n)[\p{Cc}\u2028\u2029\ufeff]/u.test(s)) return undefined;
  const keep = s.endsWith('\n');
  const lines = (keep ? s.slice(0, -1) : s).split('\n');
  if (lines.some((l) => l !== '' && l.trim() === '')) return undefined;
  const pad = ' '.repeat(indent);
  return ` |${keep ? '' : '-'}\n${lines.map((l) => (l === '' ? '\n' : `${pad}${l}\n`)).join('')}`;
}

function isEmptyCollection(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
}
