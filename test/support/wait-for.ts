/**
 * Polls `fn` every 250 ms until it returns something other than undefined (a thrown error counts
 * as "not yet" and is kept for the message), or fails after `timeoutMs` naming `what`. For tests
 * that wait on real servers (Prometheus, Alertmanager, the exporter) instead of sleeping.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`);
}
