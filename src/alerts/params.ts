/**
 * `${name}` parameters in alert packs: thresholds and selectors a team tunes per environment
 * without copying the pack. Substitution keeps an offset map so an error inside the substituted
 * expression still points at the right column of the source.
 */

export type ParamValues = Readonly<Record<string, string | number>>;

/** Result of substituting parameters into one string. */
export interface Substituted {
  readonly text: string;
  /** Parameters referenced but not defined, with their offset in the source string. */
  readonly unknown: readonly { name: string; offset: number }[];
  /** Maps an offset in `text` back to an offset in the source string. */
  sourceOffset(offset: number): number;
}

const PARAM = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

interface Segment {
  readonly src: number;
  readonly dst: number;
  readonly len: number;
  readonly param: boolean;
}

/** Replaces every `${name}` in `input` with its value (numbers in their shortest decimal form). */
export function substituteParams(input: string, params: ParamValues): Substituted {
  const segments: Segment[] = [];
  const unknown: { name: string; offset: number }[] = [];
  let out = '';
  let last = 0;
  for (const m of input.matchAll(PARAM)) {
    const at = m.index;
    segments.push({ src: last, dst: out.length, len: at - last, param: false });
    out += input.slice(last, at);
    const name = m[1]!;
    const value = params[name];
    if (value === undefined) {
      unknown.push({ name, offset: at });
      segments.push({ src: at, dst: out.length, len: m[0].length, param: false });
      out += m[0];
    } else {
      const text = String(value);
      segments.push({ src: at, dst: out.length, len: text.length, param: true });
      out += text;
    }
    last = at + m[0].length;
  }
  segments.push({ src: last, dst: out.length, len: input.length - last, param: false });
  out += input.slice(last);
  return {
    text: out,
    unknown,
    sourceOffset(offset) {
      for (const s of segments) {
        if (offset >= s.dst && offset < s.dst + s.len) return s.param ? s.src : s.src + (offset - s.dst);
      }
      return input.length;
    },
  };
}

/** The parameter names a string references, in order. */
export function paramsIn(input: string): string[] {
  return [...input.matchAll(PARAM)].map((m) => m[1]!);
}
