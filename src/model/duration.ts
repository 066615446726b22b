/** Prometheus durations → seconds; the grammar lives in runtime/duration (one grammar for all of vigil). */
export { parseDurationSeconds } from '../runtime/duration.js';

/**
 * Formats whole minutes as the shortest Prometheus duration: 5 → `5m`, 60 → `1h`, 1440 → `1d`,
 * 90 → `1h30m`, 43200 → `30d`. Weeks and years are not used (they read ambiguously in labels).
 */
export function formatMinutes(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes <= 0) throw new Error(`not a positive whole number of minutes: ${minutes}`);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return `${d ? `${d}d` : ''}${h ? `${h}h` : ''}${m ? `${m}m` : ''}`;
}

/** Human form for tables: `52s`, `8.6 min`, `2.2 h`, `1.5 d`; `never` for Infinity. */
export function humanizeMinutes(minutes: number): string {
  if (!Number.isFinite(minutes)) return 'never';
  if (minutes < 1) return `${Math.round(minutes * 60)}s`;
  if (minutes < 120) return `${round1(minutes)} min`;
  if (minutes < 2880) return `${round1(minutes / 60)} h`;
  return `${round1(minutes / 1440)} d`;
}

function round1(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}
