/**
 * Line and column of the first `'title'` / `"title"` / `` `title` `` literal in a dashboard
 * module's source, where diagnostics about that dashboard, panel or variable point (0:0 when absent).
 */
export function locateTitle(source: string, title: string | undefined): { line: number; column: number } {
  if (!title) return { line: 0, column: 0 };
  for (const q of ["'", '"', '`']) {
    const i = source.indexOf(`${q}${title}${q}`);
    if (i >= 0) {
      const before = source.slice(0, i);
      const line = before.split('\n').length;
      return { line, column: i - before.lastIndexOf('\n') };
    }
  }
  return { line: 0, column: 0 };
}
