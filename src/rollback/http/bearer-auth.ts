import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks an `Authorization: Bearer <token>` header in constant time: both sides are hashed to
 * equal length first, so neither content nor length leaks through timing.
 */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  if (!header || token === '') return false;
  const m = /^Bearer[ ]+(.+)$/i.exec(header);
  const given = m?.[1]?.trim() ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}
