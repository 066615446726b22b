import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboardTypes from '@grafana/grafana-foundation-sdk/dashboard';
import { applyPatch, pinnedGridPos, type RawPatch } from './raw.js';
import type { PanelJson } from './types.js';

/** Grafana's grid is 24 columns wide. */
export const GRID_COLUMNS = 24;

/** A titled row of panels; `collapsed` rows hold their panels (Grafana's row model). */
export interface Row {
  readonly title: string;
  readonly panels: readonly cog.Builder<dashboardTypes.Panel>[];
  readonly collapsed?: boolean;
  /** `false`: no row header, the panels sit at the top level (Grafana's panels above the first row). */
  readonly header?: boolean;
  /** Escape hatch: JSON merged over the row header (see `RawPatch`); a `gridPos` with `x`/`y` fixes its position. */
  readonly raw?: RawPatch;
}

/** Options of `row()`. */
export interface RowOptions {
  readonly collapsed?: boolean;
  readonly header?: boolean;
  readonly raw?: RawPatch;
}

/** A row of panels laid out left to right, wrapping at 24 columns. */
export function row(title: string, panels: readonly cog.Builder<dashboardTypes.Panel>[], o: RowOptions = {}): Row {
  return {
    title,
    panels,
    ...(o.collapsed ? { collapsed: true } : {}),
    ...(o.header === false ? { header: false } : {}),
    ...(o.raw ? { raw: o.raw } : {}),
  };
}

/** A grid position. */
export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The flow of panels over the grid: left to right, a panel that does not fit the current line
 * starts the next one. A fixed position (a patched `gridPos`) moves the flow to it.
 */
export class GridCursor {
  private x = 0;
  private y = 0;
  private lineHeight = 0;

  /** A copy, to try a placement without moving this flow. */
  clone(): GridCursor {
    const c = new GridCursor();
    c.x = this.x;
    c.y = this.y;
    c.lineHeight = this.lineHeight;
    return c;
  }

  /** Where a `w`×`h` panel goes next, or at `pin`; the flow continues after it. */
  place(w: number, h: number, pin?: { x: number; y: number }): GridPos {
    if (pin) {
      if (pin.y !== this.y) {
        this.y = pin.y;
        this.lineHeight = 0;
      }
      this.x = pin.x;
    } else if (this.x + w > GRID_COLUMNS) {
      this.y += this.lineHeight;
      this.x = 0;
      this.lineHeight = 0;
    }
    const at = { x: this.x, y: this.y, w, h };
    this.x += w;
    this.lineHeight = Math.max(this.lineHeight, h);
    return at;
  }

  /** Where the next row header goes (below everything placed), or at `pinY`; the flow continues below it. */
  header(pinY?: number): GridPos {
    const y = pinY ?? this.y + this.lineHeight;
    this.y = y + 1;
    this.x = 0;
    this.lineHeight = 0;
    return { x: 0, y, w: GRID_COLUMNS, h: 1 };
  }
}

/**
 * Places rows and panels on the grid. Unlike the SDK's auto-layout (which checks the wrap only
 * after placing a panel, so a 12-wide panel can land at x=18), a panel that does not fit the
 * current line starts the next one. Each panel builder is built once and copied, so a builder
 * shared by mistake cannot move another panel.
 */
export function layoutRows(rows: readonly Row[]): PanelJson[] {
  const out: PanelJson[] = [];
  const cursor = new GridCursor();
  for (const r of rows) {
    let header: dashboardTypes.RowPanel | undefined;
    if (r.header !== false) {
      const patch: Record<string, unknown> = { ...r.raw };
      const pinned = patch.gridPos as { y?: unknown } | undefined;
      delete patch.gridPos;
      delete patch.panels;
      const gridPos = cursor.header(typeof pinned?.y === 'number' ? pinned.y : undefined);
      // No id yet: ids are stamped once, over the whole dashboard, at render.
      header = applyPatch({ type: 'row', title: r.title, collapsed: r.collapsed === true, gridPos, panels: [] }, patch) as unknown as dashboardTypes.RowPanel;
      header.panels = [];
      out.push(header);
    }
    for (const b of r.panels) {
      const p = JSON.parse(JSON.stringify(b.build())) as dashboardTypes.Panel;
      const w = p.gridPos?.w ?? 12;
      const h = p.gridPos?.h ?? 8;
      if (w < 1 || w > GRID_COLUMNS) throw new Error(`panel ${JSON.stringify(p.title ?? '')} is ${w} columns wide; the grid has ${GRID_COLUMNS}`);
      p.gridPos = cursor.place(w, h, pinnedGridPos(b));
      if (header && r.collapsed) header.panels.push(p);
      else out.push(p);
    }
  }
  return out;
}
