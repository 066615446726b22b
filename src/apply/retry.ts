/** How `withRetry` retries: attempts, exponential backoff with full jitter, and which errors. */
export interface RetryOptions {
  /** Attempts after the first one (default 4). */
  readonly retries?: number;
  /** First backoff in ms (default 200); doubles per attempt up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Whether an error is transient; return a delay in ms to honour e.g. Retry-After. */
  readonly retryable: (err: unknown) => boolean | number;
  /** Injected for tests; default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected for deterministic tests; default Math.random. */
  readonly random?: () => number;
  /** Called before each retry (for logs and counters). */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it succeeds, it fails with a non-retryable error, or retries run out (then the
 * last error is thrown). Full jitter keeps many workers from retrying in lockstep against a
 * struggling server.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const retries = o.retries ?? 4;
  const base = o.baseDelayMs ?? 200;
  const max = o.maxDelayMs ?? 5000;
  const sleep = o.sleep ?? defaultSleep;
  const random = o.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const verdict = o.retryable(err);
      if (verdict === false || attempt >= retries) throw err;
      const backoff = Math.round(random() * Math.min(max, base * 2 ** attempt));
      const delay = typeof verdict === 'number' ? Math.min(max, Math.max(verdict, backoff)) : backoff;
      o.onRetry?.(err, attempt + 1, delay);
      await sleep(delay);
    }
  }
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
