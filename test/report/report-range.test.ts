import { describe, expect, it } from 'vitest';
import { chartBucketSteps, MAX_POINTS_PER_QUERY, rangeChunks, resolveRange, stepTimes } from '../../src/report/report-range.js';

describe('the report range', () => {
  it('ends --period on the last base-window boundary before now', () => {
    expect(resolveRange({ periodSeconds: 30 * 86_400 }, 1_000_000_123, 300)).toEqual({ fromSeconds: 999_999_900 - 2_592_000, toSeconds: 999_999_900 });
  });

  it('rounds --from and --to down to the base window', () => {
    expect(resolveRange({ fromSeconds: 601, toSeconds: 1799 }, 0, 300)).toEqual({ fromSeconds: 600, toSeconds: 1500 });
  });

  it('reads 90 days at 5 minutes in chunks of at most 11,000 points that tile the range', () => {
    const r = { fromSeconds: 0, toSeconds: 90 * 86_400 };
    const chunks = rangeChunks(r, 300);
    expect(chunks).toHaveLength(3);
    const points = chunks.map(([s, e]) => (e - s) / 300 + 1);
    expect(Math.max(...points)).toBeLessThanOrEqual(MAX_POINTS_PER_QUERY);
    expect(points.reduce((a, b) => a + b, 0)).toBe(stepTimes(r, 300).length);
    expect(chunks[0]![0]).toBe(300);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]![0]).toBe(chunks[i - 1]![1] + 300);
    expect(chunks.at(-1)![1]).toBe(90 * 86_400);
  });

  it('reads 30 days at 5 minutes in one query and draws them with at most 360 points', () => {
    const r = { fromSeconds: 0, toSeconds: 30 * 86_400 };
    expect(rangeChunks(r, 300)).toEqual([[300, 30 * 86_400]]);
    expect(chartBucketSteps(stepTimes(r, 300).length)).toBe(24);
  });

  it('has no chunks for a range shorter than one step', () => {
    expect(rangeChunks({ fromSeconds: 0, toSeconds: 200 }, 300)).toEqual([]);
  });
});
