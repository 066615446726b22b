import type { AlertPackModel } from '../alerts/model.js';
import type { ProjectConfig } from '../load/load-config.js';

/** A URL with a scheme (`https://…`, `mailto:…`) is absolute; anything else is a path to resolve. */
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

/**
 * A pack's alert links as the configuration sets them, so that a notification carries links
 * on-call can open: a `dashboard_url` that is a Grafana path (`/d/<uid>…`) under `grafana.url`,
 * a relative `runbook_url` under `runbooks.baseUrl`. Links are left as written when the setting
 * is missing or the link is already absolute.
 */
export function withPackLinks(pack: AlertPackModel, config: Pick<ProjectConfig, 'grafanaUrl' | 'runbookBaseUrl'>): AlertPackModel {
  const { grafanaUrl, runbookBaseUrl } = config;
  if (!grafanaUrl && !runbookBaseUrl) return pack;
  const link = (annotations: Readonly<Record<string, string>>): Readonly<Record<string, string>> => {
    const out = { ...annotations };
    const dashboard = out.dashboard_url;
    if (grafanaUrl && dashboard?.startsWith('/')) out.dashboard_url = `${grafanaUrl}${dashboard}`;
    const runbook = out.runbook_url;
    if (runbookBaseUrl && runbook !== undefined && !ABSOLUTE.test(runbook)) out.runbook_url = `${runbookBaseUrl}/${runbook.replace(/^\.?\/+/, '')}`;
    return out;
  };
  return { ...pack, groups: pack.groups.map((g) => ({ ...g, alerts: g.alerts.map((a) => ({ ...a, annotations: link(a.annotations) })) })) };
}
