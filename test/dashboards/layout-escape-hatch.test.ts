import { describe, expect, it } from 'vitest';
import { layoutRows, prom, raw, row, stat, verbatim } from '../../src/dashboards/index.js';
import type * as dashboardTypes from '@grafana/grafana-foundation-sdk/dashboard';

const s = (title: string) => stat(title, { description: 'd', queries: [prom('up')] });
const positions = (panels: readonly { title?: string; gridPos?: object }[]) => panels.map((p) => [p.title, p.gridPos]);

describe('the layout with the escape hatch', () => {
  it('puts a panel with a patched x/y there, and flows on from it', () => {
    const out = layoutRows([row('R', [s('a'), raw(s('b'), { gridPos: { x: 12, y: 10 } }), s('c'), s('d')])]);
    expect(positions(out)).toEqual([
      ['R', { x: 0, y: 0, w: 24, h: 1 }],
      ['a', { x: 0, y: 1, w: 6, h: 4 }],
      ['b', { x: 12, y: 10, w: 6, h: 4 }],
      ['c', { x: 18, y: 10, w: 6, h: 4 }],
      ['d', { x: 0, y: 14, w: 6, h: 4 }],
    ]);
  });

  it('leaves out the header of a header-less row, and merges a row patch into the header (its gridPos.y fixes the row)', () => {
    const out = layoutRows([
      row('', [s('top')], { header: false }),
      row('R', [s('in')], { collapsed: true, raw: { gridPos: { y: 9 }, repeat: 'node', panels: ['ignored'] } }),
    ]) as (dashboardTypes.RowPanel & { repeat?: string })[];
    expect(positions(out)).toEqual([
      ['top', { x: 0, y: 0, w: 6, h: 4 }],
      ['R', { x: 0, y: 9, w: 24, h: 1 }],
    ]);
    expect(out[1]!.repeat).toBe('node');
    expect(positions(out[1]!.panels as { title?: string; gridPos?: object }[])).toEqual([['in', { x: 0, y: 10, w: 6, h: 4 }]]);
  });

  it('builds a verbatim panel as given, placed by the flow unless it fixes x/y', () => {
    const out = layoutRows([row('', [verbatim({ type: 'text', title: 't', gridPos: { w: 24, h: 3 }, options: { content: 'hi' } })], { header: false })]);
    expect(out).toEqual([{ type: 'text', title: 't', gridPos: { x: 0, y: 0, w: 24, h: 3 }, options: { content: 'hi' } }]);
  });
});
