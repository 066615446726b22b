import { compilePromRegex } from '../../query/promql.js';

/**
 * Finds a string that a Prometheus (RE2, fully anchored) regex matches: a small generator for the
 * common subset (literals, classes, groups, alternation, quantifiers), checked with RegExp, with
 * common label values as a fallback. Undefined when nothing is found.
 */
export function regexExample(re: string, extraCandidates: readonly string[] = []): string | undefined {
  const test = compilePromRegex(re);
  if (!test) return undefined;
  const generated = generate(re.replace(/^\(\?[imsU]+\)/, ''));
  const candidates = [...(generated !== undefined ? [generated] : []), ...extraCandidates, ...COMMON];
  return candidates.find((c) => test.test(c));
}

/** A string the regex does NOT match, chosen from common label values. */
export function regexCounterExample(re: string, extraCandidates: readonly string[] = []): string | undefined {
  const test = compilePromRegex(re);
  if (!test) return undefined;
  return [...extraCandidates, ...COMMON, 'vigil-other'].find((c) => !test.test(c));
}

const COMMON = ['200', '500', '503', '404', '0', '1', 'ok', 'error', 'success', 'failure', 'true', 'false', 'a', 'b', 'x', 'GET', 'POST', '2xx', '5xx', ''];

function generate(re: string): string | undefined {
  let i = 0;
  const alt = (): string | undefined => {
    const first = seq();
    while (i < re.length && re[i] === '|') {
      i++;
      seq();
    }
    return first;
  };
  const seq = (): string | undefined => {
    let out = '';
    while (i < re.length && re[i] !== '|' && re[i] !== ')') {
      const atom = parseAtom();
      if (atom === undefined) return undefined;
      const q = re[i];
      if (q === '*' || q === '?') {
        i++;
        if (re[i] === '?') i++;
        continue;
      }
      if (q === '+') {
        i++;
        if (re[i] === '?') i++;
        out += atom;
        continue;
      }
      if (q === '{') {
        const m = /^\{(\d+)(,\d*)?\}/.exec(re.slice(i));
        if (m) {
          i += m[0].length;
          out += atom.repeat(Number(m[1]));
          continue;
        }
      }
      out += atom;
    }
    return out;
  };
  const parseAtom = (): string | undefined => {
    const c = re[i]!;
    if (c === '(') {
      i++;
      if (re.startsWith('?:', i)) i += 2;
      else if (re[i] === '?') return undefined;
      const inner = alt();
      if (re[i] !== ')') return undefined;
      i++;
      return inner;
    }
    if (c === '[') {
      const end = re.indexOf(']', i + 2);
      if (end < 0) return undefined;
      const body = re.slice(i + 1, end);
      i = end + 1;
      if (body.startsWith('^')) {
        return ['a', '0', 'x', '_'].find((ch) => !new RegExp(`[${body}]`).test(ch));
      }
      const first = body[0] === '\\' ? classEscape(body[1]) : body[0];
      return first;
    }
    if (c === '\\') {
      i += 2;
      return classEscape(re[i - 1]);
    }
    if (c === '.') {
      i++;
      return '0';
    }
    if (c === '^' || c === '$') {
      i++;
      return '';
    }
    i++;
    return c;
  };
  const result = alt();
  return i === re.length ? result : undefined;
}

function classEscape(c: string | undefined): string | undefined {
  if (c === undefined) return undefined;
  if (c === 'd') return '0';
  if (c === 'w') return 'a';
  if (c === 's') return ' ';
  if (/[DWS]/.test(c)) return '-';
  return c;
}
