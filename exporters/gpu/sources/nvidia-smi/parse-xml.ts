/** One element of a parsed XML document: name, attributes, child elements, and its own text. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[e] ?? whole;
  });
}

const TAG = /^<\s*(\/?)\s*([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)\s*>/;
const ATTR = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * Parses the XML subset `nvidia-smi -q -x` prints (elements, attributes, text, entities; the
 * declaration, DOCTYPE, comments and CDATA are skipped or kept as text). Lenient: a stray `<`
 * is text, unclosed elements are closed at the end, a mismatched end tag closes up to its match.
 * Returns a synthetic root holding the top-level elements.
 */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const top = stack[stack.length - 1]!;
    if (lt < 0) {
      top.text += decode(xml.slice(i));
      break;
    }
    if (lt > i) top.text += decode(xml.slice(i, lt));
    i = lt;
    const skip = (open: string, close: string) => {
      if (!xml.startsWith(open, i)) return false;
      const end = xml.indexOf(close, i + open.length);
      if (open === '<![CDATA[') top.text += xml.slice(i + open.length, end < 0 ? xml.length : end);
      i = end < 0 ? xml.length : end + close.length;
      return true;
    };
    if (skip('<!--', '-->') || skip('<![CDATA[', ']]>') || skip('<?', '?>') || skip('<!', '>')) continue;
    const m = TAG.exec(xml.slice(i, i + 4096));
    if (!m) {
      top.text += '<';
      i++;
      continue;
    }
    i += m[0].length;
    const [, closing, name, attrText, selfClosing] = m as unknown as [string, string, string, string, string];
    if (closing) {
      const at = stack.map((e) => e.name).lastIndexOf(name);
      if (at > 0) stack.length = at;
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(ATTR)) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
    const el: XmlElement = { name, attrs, children: [], text: '' };
    top.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  return root;
}

/** The first child element named `name`, if any. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** Every child element named `name`. */
export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el?.children.filter((c) => c.name === name) ?? [];
}

/** Trimmed text at a path of child names (`['fb_memory_usage', 'used']`); undefined when missing or empty. */
export function textAt(el: XmlElement | undefined, path: readonly string[]): string | undefined {
  let cur = el;
  for (const p of path) cur = child(cur, p);
  const t = cur?.text.trim();
  return t ? t : undefined;
}
