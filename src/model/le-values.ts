/**
 * Every spelling of a histogram bucket bound that Prometheus clients write in the `le` label:
 * Go (`strconv` shortest, `1e+06` from a million), Python (`2.0`, `1.0e+06`), Java (`2.0`,
 * `1.0E7`). A rule matches all of them so it works whichever client exported the histogram.
 */
export function leSpellings(value: number): string[] {
  const out = new Set<string>([goFormat(value), pythonFormat(value), javaFormat(value)]);
  return [...out].sort();
}

function goFormat(v: number): string {
  // Go's FormatFloat(v, 'g', -1, 64): exponent form when exp < -4 or exp >= 6 for shortest.
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (v !== 0 && (exp < -4 || exp >= 6)) return expForm(v);
  return String(v);
}

function pythonFormat(v: number): string {
  const s = Number.isInteger(v) && Math.abs(v) < 1e16 ? `${v}.0` : String(v);
  const dot = s.indexOf('.');
  if (v > 0 && dot > 6) {
    const digits = s.replace('.', '').replace(/0+$/, '');
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : `${digits}.0`;
    return `${mantissa}e+0${dot - 1}`;
  }
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function javaFormat(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e7) return Number.isInteger(v) ? `${v}.0` : String(v);
  const [m, e] = v.toExponential().split('e');
  const mant = m!.includes('.') ? m! : `${m}.0`;
  return `${mant}E${Number(e)}`;
}

function expForm(v: number): string {
  const [m, e] = v.toExponential().split('e');
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

/** A regex (for `le=~`) matching exactly the given spellings. */
export function leRegex(spellings: readonly string[]): string {
  return spellings.map((s) => s.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&')).join('|');
}
