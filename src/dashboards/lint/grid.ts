import type { Finding } from './finding.js';

/** Grafana's grid width in columns. */
const COLUMNS = 24;

interface Placed {
  readonly title: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * Grid rules: every panel inside 24 columns with a positive size, and no two panels overlapping.
 * Panels nested in a collapsed row are checked among themselves (they are laid out when expanded).
 */
export function lintGrid(groups: readonly (readonly { title: string; gridPos?: { x?: number; y?: number; w?: number; h?: number } }[])[]): Finding[] {
  const out: Finding[] = [];
  for (const group of groups) {
    const placed: Placed[] = [];
    for (const p of group) {
      const g = p.gridPos;
      if (!g || ![g.x, g.y, g.w, g.h].every((n) => typeof n === 'number' && Number.isInteger(n))) {
        out.push({
          severity: 'error',
          code: 'DASH015',
          rule: 'panel-grid-bounds',
          panel: p.title,
          message: 'panel has no complete gridPos {x, y, w, h}; Grafana would place it unpredictably',
        });
        continue;
      }
      const r: Placed = { title: p.title, x: g.x!, y: g.y!, w: g.w!, h: g.h! };
      if (r.x < 0 || r.y < 0 || r.w < 1 || r.h < 1 || r.x + r.w > COLUMNS) {
        out.push({
          severity: 'error',
          code: 'DASH015',
          rule: 'panel-grid-bounds',
          panel: p.title,
          message: `gridPos x=${r.x} w=${r.w} (y=${r.y} h=${r.h}) does not fit the ${COLUMNS}-column grid`,
        });
        continue;
      }
      for (const q of placed) {
        if (r.x < q.x + q.w && q.x < r.x + r.w && r.y < q.y + q.h && q.y < r.y + r.h) {
          out.push({
            severity: 'error',
            code: 'DASH016',
            rule: 'panel-grid-overlap',
            panel: p.title,
            message: `overlaps panel ${JSON.stringify(q.title)} (at x=${q.x} y=${q.y} w=${q.w} h=${q.h})`,
          });
        }
      }
      placed.push(r);
    }
  }
  return out;
}
