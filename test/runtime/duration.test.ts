import { describe, expect, it } from 'vitest';
import { DURATION_BODY, DURATION_PATTERN, isDuration, parseDurationMs, parseDurationSeconds } from '../../src/runtime/duration.js';
import { parseDurationFlag } from '../../src/cli/args.js';

describe('the duration grammar', () => {
  it('keeps the pattern string the committed JSON schemas carry', () => {
    expect(DURATION_PATTERN).toBe('^([0-9]+(ms|s|m|h|d|w|y))+$');
    expect(DURATION_PATTERN).toBe(`^${DURATION_BODY}$`);
  });

  // Every spelling one of the four former grammars accepted, with the value it had there.
  it.each([
    // model/duration (Prometheus compound, seconds)
    ['30d', 30 * 86_400_000],
    ['4w', 4 * 604_800_000],
    ['1y', 31_536_000_000],
    ['1h30m', 5_400_000],
    ['2s', 2000],
    ['720h', 720 * 3_600_000],
    // rollback policy (single unit ms..d)
    ['250ms', 250],
    ['10m', 600_000],
    ['1d', 86_400_000],
    ['0s', 0],
    // models file (ms s m)
    ['500ms', 500],
    ['1m', 60_000],
    ['10s', 10_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(isDuration(text)).toBe(true);
    expect(new RegExp(DURATION_PATTERN).test(text)).toBe(true);
    expect(parseDurationMs(text)).toBe(ms);
    expect(parseDurationSeconds(text)).toBe(ms / 1000);
  });

  it('gives the seconds the SLO math has always seen (per-unit, not ms / 1000)', () => {
    expect(parseDurationSeconds('300ms')).toBe(300 * 0.001);
    expect(parseDurationSeconds('1s500ms')).toBe(1.5);
  });

  it.each(['', '5', 'ms', '1.5s', '-1s', '1 s', '5S', '1h 30m', '1x', 's5', '1.s', '5m ', ' 5m', '1e3s'])('rejects %j', (text) => {
    expect(isDuration(text)).toBe(false);
    expect(new RegExp(DURATION_PATTERN).test(text)).toBe(false);
    expect(parseDurationMs(text)).toBeUndefined();
    expect(parseDurationSeconds(text)).toBeUndefined();
  });

  it('takes decimals only when asked (CLI flags)', () => {
    expect(parseDurationMs('1.5s', { decimals: true })).toBe(1500);
    expect(parseDurationMs('0.25m', { decimals: true })).toBe(15_000);
    expect(parseDurationMs('2.5h', { decimals: true })).toBe(9_000_000);
    expect(parseDurationMs('1.5s')).toBeUndefined();
    expect(parseDurationMs('1.s', { decimals: true })).toBeUndefined();
    expect(parseDurationMs('.5s', { decimals: true })).toBeUndefined();
  });
});

describe('parseDurationFlag', () => {
  it.each([
    ['5s', 5000],
    ['250ms', 250],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['0.5ms', 0.5],
    ['1m30s', 90_000],
  ])('reads --interval %s as %d ms', (value, ms) => {
    expect(parseDurationFlag('interval', value, 'usage')).toBe(ms);
  });

  it('rejects anything else with the usage message', () => {
    expect(() => parseDurationFlag('interval', 'fast', 'vigil x')).toThrow('--interval must be a duration like 5s, 250ms or 1m, got "fast"\nusage: vigil x');
  });
});
