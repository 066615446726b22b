import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboardTypes from '@grafana/grafana-foundation-sdk/dashboard';
import type { PanelJson } from './types.js';

/** Grafana's grid is 24 columns wide. */
export const GRID_COLUMNS = 24;

/** A titled row of panels; `collapsed` rows hold their panels (Grafana's row model). */
export interface Row {
  readonly title: string;
  readonly panels: readonly cog.Builder<dashboardTypes.Panel>[];
  readonly collapsed?: boolean;
}

/** A row of panels laid out left to right, wrapping at 24 columns. */
export function row(title: string, panels: readonly cog.Builder<dashboardTypes.Panel>[], o: { readonly collapsed?: boolean } = {}): Row {
  return { title, panels, ...(o.collapsed ? { collapsed: true } : {}) };
}

/**
 * Places rows and panels on the grid. Unlike the SDK's auto-layout (which checks the wrap only
 * after placing a panel, so a 12-wide panel can land at x=18), a panel that does not fit the
 * current line starts the next one. Each panel builder is built once and copied, so a builder
 * shared by mistake cannot move another panel.
 */
export function layoutRows(rows: readonly Row[]): PanelJson[] {
  const out: PanelJson[] = [];
  let y = 0;
  for (const r of rows) {
    // No id yet: ids are stamped once, over the whole dashboard, at render.
    const header = {
      type: 'row',
      title: r.title,
      collapsed: r.collapsed === true,
      gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 },
      panels: [],
    } as unknown as dashboardTypes.RowPanel;
    out.push(header);
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const b of r.panels) {
      const p = JSON.parse(JSON.stringify(b.build())) as dashboardTypes.Panel;
      const w = p.gridPos?.w ?? 12;
      const h = p.gridPos?.h ?? 8;
      if (w < 1 || w > GRID_COLUMNS) throw new Error(`panel ${JSON.stringify(p.title ?? '')} is ${w} columns wide; the grid has ${GRID_COLUMNS}`);
      if (x + w > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      p.gridPos = { x, y, w, h };
      x += w;
      lineHeight = Math.max(lineHeight, h);
      if (r.collapsed) header.panels.push(p);
      else out.push(p);
    }
    y += lineHeight;
  }
  return out;
}
