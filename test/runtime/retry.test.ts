import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep, withRetry } from '../../src/runtime/retry.js';

const noSleep = (waits: number[]) => (ms: number) => {
  waits.push(ms);
  return Promise.resolve();
};

describe('withRetry', () => {
  it('keeps full-jitter waits within [0, min(max, base·2^n)]', async () => {
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const waits: number[] = [];
      await expect(
        withRetry(async () => Promise.reject(new Error('x')), {
          retries: 6,
          baseDelayMs: 100,
          maxDelayMs: 1000,
          retryable: () => true,
          random: () => r,
          sleep: noSleep(waits),
        }),
      ).rejects.toThrow('x');
      expect(waits).toHaveLength(6);
      waits.forEach((w, n) => {
        const cap = Math.min(1000, 100 * 2 ** n);
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(cap);
        expect(w).toBe(Math.round(r * cap));
      });
    }
  });

  it('waits exactly base·2^n capped at max without jitter', () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, { baseDelayMs: 100, maxDelayMs: 500, jitter: 'none' }))).toEqual([100, 200, 400, 500, 500]);
  });

  it('makes retries + 1 attempts at most and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        (attempt) => {
          calls++;
          return Promise.reject(new Error(`fail ${attempt}`));
        },
        { retries: 3, retryable: () => true, sleep: noSleep([]) },
      ),
    ).rejects.toThrow('fail 3');
    expect(calls).toBe(4);
  });

  it('stops at once on an error the predicate calls permanent', async () => {
    let calls = 0;
    const seen: unknown[] = [];
    await expect(
      withRetry(
        () => {
          calls++;
          return Promise.reject(new Error(calls === 1 ? 'transient' : 'permanent'));
        },
        { retries: 5, retryable: (err) => (seen.push(err), (err as Error).message === 'transient'), sleep: noSleep([]) },
      ),
    ).rejects.toThrow('permanent');
    expect(calls).toBe(2);
    expect(seen).toHaveLength(2);
  });

  it('returns the first success and reports each retry', async () => {
    const retries: [number, number][] = [];
    const v = await withRetry(async (attempt) => (attempt < 2 ? Promise.reject(new Error('x')) : 'ok'), {
      retryable: () => true,
      jitter: 'none',
      baseDelayMs: 10,
      sleep: noSleep([]),
      onRetry: (_e, n, d) => retries.push([n, d]),
    });
    expect(v).toBe('ok');
    expect(retries).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it('honours a Retry-After verdict, capped at the max delay', async () => {
    const waits: number[] = [];
    await withRetry(async (attempt) => (attempt < 2 ? Promise.reject(new Error('429')) : 1), {
      retryable: () => 3000,
      maxDelayMs: 2000,
      random: () => 0,
      sleep: noSleep(waits),
    });
    expect(waits).toEqual([2000, 2000]);
  });

  it('retries returned failures (retryResult) and returns the last one when retries run out', async () => {
    let calls = 0;
    const waits: number[] = [];
    const r = await withRetry(() => Promise.resolve({ ok: false, n: ++calls }), {
      retries: 2,
      jitter: 'none',
      baseDelayMs: 5,
      retryResult: (x) => !x.ok,
      sleep: noSleep(waits),
    });
    expect(r).toEqual({ ok: false, n: 3 });
    expect(waits).toEqual([5, 10]);
  });

  it('gives up when the next wait would end past the budget', async () => {
    let t = 0;
    const waits: number[] = [];
    const r = await withRetry(() => Promise.resolve('failed'), {
      retries: 10,
      jitter: 'none',
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      budgetMs: 700,
      retryResult: () => true,
      now: () => t,
      sleep: (ms) => {
        waits.push(ms);
        t += ms;
        return Promise.resolve();
      },
    });
    expect(r).toBe('failed');
    expect(waits).toEqual([100, 200, 400]);
  });

  it('an abort ends a pending wait, and no wait follows the attempt after it', async () => {
    const ac = new AbortController();
    let calls = 0;
    const t0 = Date.now();
    const p = withRetry(
      () => {
        calls++;
        return Promise.resolve('failed');
      },
      { retries: 5, jitter: 'none', baseDelayMs: 60_000, retryResult: () => true, signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 20);
    expect(await p).toBe('failed');
    expect(calls).toBe(2);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('sleep resolves at once for an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    const t0 = Date.now();
    await sleep(60_000, ac.signal);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
