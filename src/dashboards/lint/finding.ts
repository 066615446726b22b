/** One lint finding on a rendered dashboard, located as `dashboard › panel › target`. */
export interface Finding {
  readonly severity: 'error' | 'warning';
  /** Stable code, e.g. `DASH020`. */
  readonly code: string;
  /** Rule name (dashboard-linter's where one exists, e.g. `target-rate-interval-rule`). */
  readonly rule: string;
  readonly message: string;
  /** Panel title, when the finding is about a panel or one of its targets. */
  readonly panel?: string;
  /** Target refId, when the finding is about one target. */
  readonly target?: string;
  /** Template variable name, when the finding is about one. */
  readonly variable?: string;
}

/** Where a finding points inside the dashboard: `title › panel › refId` (or `› $variable`). */
export function findingPath(dashboardTitle: string, f: Finding): string {
  const parts = [dashboardTitle];
  if (f.variable !== undefined) parts.push(`$${f.variable}`);
  if (f.panel !== undefined) parts.push(f.panel === '' ? '(untitled panel)' : f.panel);
  if (f.target !== undefined) parts.push(f.target);
  return parts.join(' › ');
}
