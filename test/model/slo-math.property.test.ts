import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from '../../src/model/duration.js';
import { leSpellings } from '../../src/model/le-values.js';
import {
  alertWindowsFor,
  baseWindowMinutes,
  budgetConsumedAtFiring,
  detectionMinutes,
  recordedWindows,
  resetMinutes,
  tileWindow,
  WORKBOOK_PAIRS,
} from '../../src/model/slo-math.js';

const periodDays = fc.integer({ min: 1, max: 90 });
const objective = fc.double({ min: 50, max: 99.999, noNaN: true });
const sev = { page: 'critical', ticket: 'warning' } as const;

describe('SLO window math', () => {
  it('reproduces the Workbook table exactly for a 30d period', () => {
    const { windows } = alertWindowsFor(43200, 0.001, sev);
    expect(windows.map((w) => [w.long, w.short, w.factor, w.budgetShare])).toEqual([
      ['1h', '5m', 14.4, 0.02],
      ['6h', '30m', 6, 0.05],
      ['1d', '2h', 3, 0.1],
      ['3d', '6h', 1, 0.1],
    ]);
    expect(windows.map((w) => Number(w.threshold.toPrecision(6)))).toEqual([0.0144, 0.006, 0.003, 0.001]);
  });

  it('keeps every pair at its Workbook share of the budget for any period', () => {
    fc.assert(
      fc.property(periodDays, objective, (days, obj) => {
        const P = days * 1440;
        const B = 1 - obj / 100;
        const { windows, dropped } = alertWindowsFor(P, B, sev);
        for (const w of [...windows, ...dropped]) {
          const share = WORKBOOK_PAIRS.find((p) => p.budgetShare === w.budgetShare)!.budgetShare;
          expect(budgetConsumedAtFiring(w, P)).toBeCloseTo(share, 12);
          expect(w.threshold).toBeCloseTo(w.factor * B, 12);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('emits only pairs that can fire, and drops exactly those that cannot', () => {
    fc.assert(
      fc.property(periodDays, objective, (days, obj) => {
        const { windows, dropped } = alertWindowsFor(days * 1440, 1 - obj / 100, sev);
        for (const w of windows) expect(w.threshold).toBeLessThan(1);
        for (const w of dropped) expect(w.threshold).toBeGreaterThanOrEqual(1);
        expect(windows.length + dropped.length).toBe(4);
      }),
      { numRuns: 300 },
    );
  });

  it('makes every window a multiple of the base window, shorter than the period, short < long', () => {
    fc.assert(
      fc.property(periodDays, (days) => {
        const P = days * 1440;
        const base = baseWindowMinutes(P);
        expect(P % base).toBe(0);
        const { windows, dropped } = alertWindowsFor(P, 0.001, sev);
        for (const w of [...windows, ...dropped]) {
          expect(w.shortMinutes).toBeLessThan(w.longMinutes);
          expect(w.longMinutes).toBeLessThanOrEqual(P);
          expect(w.shortMinutes % base).toBe(0);
          expect(w.longMinutes % base).toBe(0);
          expect(parseDurationSeconds(w.long)).toBe(w.longMinutes * 60);
        }
      }),
    );
  });

  it('tiles every recorded window exactly with contiguous, shorter recorded windows', () => {
    fc.assert(
      fc.property(periodDays, objective, (days, obj) => {
        const P = days * 1440;
        const { windows, dropped } = alertWindowsFor(P, 1 - obj / 100, sev);
        void windows;
        void dropped;
        const recorded = recordedWindows({ periodMinutes: P });
        for (let i = 1; i < recorded.length; i++) {
          const tiles = tileWindow(recorded[i]!, recorded.slice(0, i));
          let offset = 0;
          for (const t of tiles) {
            expect(t.offset).toBe(offset);
            expect(recorded.slice(0, i)).toContain(t.minutes);
            offset += t.minutes;
          }
          expect(offset).toBe(recorded[i]);
          expect(tiles.length).toBeLessThanOrEqual(16);
        }
      }),
    );
  });

  it('detects faster at higher error ratios, within the long window, and resets within the short window', () => {
    fc.assert(
      fc.property(periodDays, objective, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (days, obj, e1, e2) => {
        const P = days * 1440;
        const B = 1 - obj / 100;
        for (const w of alertWindowsFor(P, B, sev).windows) {
          const [lo, hi] = e1 < e2 ? [e1, e2] : [e2, e1];
          const dLo = detectionMinutes(w, B, lo);
          const dHi = detectionMinutes(w, B, hi);
          expect(dHi).toBeLessThanOrEqual(dLo);
          if (hi > w.threshold) {
            expect(dHi).toBeLessThanOrEqual(w.longMinutes + 1e-9);
            // Workbook: (B/e) × W × factor = share × P × B / e
            expect(dHi).toBeCloseTo((w.budgetShare * P * B) / hi, 6);
            expect(resetMinutes(w, hi)).toBeLessThanOrEqual(w.shortMinutes);
          } else {
            expect(dHi).toBe(Infinity);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('spells every le bound so that each spelling reads back as the same number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.double({ min: 1e-6, max: 1e7, noNaN: true })), (v) => {
        for (const s of leSpellings(v)) expect(Number(s)).toBeCloseTo(v, 9);
      }),
    );
  });
});
