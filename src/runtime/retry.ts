/** How `withRetry` retries: attempts, exponential backoff (with full jitter by default), and what. */
export interface RetryOptions<T = unknown> {
  /** Attempts after the first one (default 4). */
  readonly retries?: number;
  /** First backoff in ms (default 200); doubles per attempt up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  /** Longest backoff in ms (default 5000). */
  readonly maxDelayMs?: number;
  /**
   * `full` (default): each wait is uniform in [0, backoff], so many clients do not retry in
   * lockstep against a struggling server. `none`: exactly the backoff, for callers whose waits
   * are part of an audited, predictable schedule (the rollback trigger).
   */
  readonly jitter?: 'full' | 'none';
  /** No retry whose wait would end more than this many ms after the first attempt started. */
  readonly budgetMs?: number;
  /** Whether a thrown error is transient; a number is a delay in ms to honour (e.g. Retry-After). Default: never. */
  readonly retryable?: (err: unknown) => boolean | number;
  /** Whether a returned value is a transient failure worth another attempt (outcome-style callers). Default: never. */
  readonly retryResult?: (value: T) => boolean;
  /**
   * Once aborted, no new wait starts (the last result or error stands) and a pending wait ends
   * early; the attempt after a cut-short wait still runs, with the aborted signal `fn` holds.
   */
  readonly signal?: AbortSignal;
  /** Injected for tests; default setTimeout (woken by `signal`). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for deterministic tests; default Math.random. */
  readonly random?: () => number;
  /** Clock for `budgetMs`, ms; default Date.now. */
  readonly now?: () => number;
  /** Called before each retry (for logs and counters). */
  readonly onRetry?: (failure: unknown, attempt: number, delayMs: number) => void;
}

/** Waits `ms`, or less when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The backoff before retry number `attempt + 1`: base·2^attempt capped at max, jittered unless `jitter: 'none'`. */
export function backoffDelay(attempt: number, o: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'jitter' | 'random'> = {}): number {
  const cap = Math.min(o.maxDelayMs ?? 5000, (o.baseDelayMs ?? 200) * 2 ** attempt);
  return o.jitter === 'none' ? cap : Math.round((o.random ?? Math.random)() * cap);
}

/**
 * Runs `fn` until it succeeds, fails in a way that is not worth retrying, the retries or the time
 * budget run out, or `signal` aborts. A thrown error that ends the loop is rethrown; a returned
 * value (even one `retryResult` calls a failure) is returned. `fn` gets the attempt index (0-based).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions<T> = {}): Promise<T> {
  const retries = o.retries ?? 4;
  const max = o.maxDelayMs ?? 5000;
  const wait = o.sleep ?? sleep;
  const now = o.now ?? Date.now;
  const started = now();
  // Undefined: stop now; otherwise the ms to wait before the next attempt.
  const nextDelay = (attempt: number, verdict: boolean | number): number | undefined => {
    if (verdict === false || attempt >= retries || o.signal?.aborted) return undefined;
    const backoff = backoffDelay(attempt, o);
    const delay = typeof verdict === 'number' ? Math.min(max, Math.max(verdict, backoff)) : backoff;
    if (o.budgetMs !== undefined && now() - started + delay > o.budgetMs) return undefined;
    return delay;
  };
  for (let attempt = 0; ; attempt++) {
    let failure: unknown;
    let delay: number | undefined;
    try {
      const value = await fn(attempt);
      delay = nextDelay(attempt, o.retryResult?.(value) ?? false);
      if (delay === undefined) return value;
      failure = value;
    } catch (err) {
      delay = nextDelay(attempt, o.retryable?.(err) ?? false);
      if (delay === undefined) throw err;
      failure = err;
    }
    o.onRetry?.(failure, attempt + 1, delay);
    await wait(delay, o.signal);
  }
}
