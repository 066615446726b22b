import { LABEL_SEVERITY, LABEL_TEAM, outputPaths } from '../../conventions.js';
import type { Document } from '../document.js';
import { formatMatcher } from '../../routing/matchers.js';
import type { EscalationModel, RoutingModel, Severity } from '../../routing/model.js';
import type { ReceiverSpec } from '../../routing/schema.js';
import { NOTIFICATION_TEMPLATES, TEMPLATE } from './notification-templates.js';

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'warning', 'info'];

/** One node of Alertmanager's routing tree. */
interface AmRoute {
  receiver?: string;
  matchers?: string[];
  continue?: boolean;
  repeat_interval?: string;
  active_time_intervals?: readonly string[];
  mute_time_intervals?: readonly string[];
  routes?: AmRoute[];
}

/**
 * Routes that notify `receivers` in order: one receiver inline; several as children of which all
 * but the last `continue`, so amtool and Alertmanager report every one of them.
 */
function fanOut(receivers: readonly string[]): Pick<AmRoute, 'receiver' | 'routes'> {
  if (receivers.length === 1) return { receiver: receivers[0]! };
  return { routes: receivers.map((r, i) => ({ receiver: r, ...(i < receivers.length - 1 ? { continue: true } : {}) })) };
}

/** A team's escalation: one child route per severity it declares. */
function teamRoutes(team: Partial<Record<Severity, EscalationModel>>): AmRoute[] {
  return SEVERITY_ORDER.flatMap((sev) => {
    const step = team[sev];
    if (!step) return [];
    return [
      {
        matchers: [formatMatcher({ name: LABEL_SEVERITY, op: '=', value: sev })],
        ...fanOut(step.receivers),
        ...(step.repeat ? { repeat_interval: step.repeat } : {}),
        ...(step.activeIn ? { active_time_intervals: step.activeIn } : {}),
        ...(step.muteIn ? { mute_time_intervals: step.muteIn } : {}),
      },
    ];
  });
}

/** A receiver field that renders one of vigil's notification templates. */
const use = (name: string) => `{{ template "${name}" . }}`;

/**
 * One receiver. Slack, PagerDuty and e-mail render vigil's templates (templates/vigil.tmpl):
 * summary, description, severity, SLO and budget figures, runbook and dashboard links, every
 * alert of the group; a title, text, description or severity set in the routing policy wins.
 */
function receiverConfig(name: string, r: ReceiverSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name };
  if (r.pagerduty) {
    const { routing_key_file, service_key_file, severity, description, url, send_resolved } = r.pagerduty;
    out.pagerduty_configs = [
      {
        ...(routing_key_file ? { routing_key_file } : {}),
        ...(service_key_file ? { service_key_file } : {}),
        ...(url ? { url } : {}),
        description: description ?? use(TEMPLATE.title),
        severity: severity ?? use(TEMPLATE.pagerdutySeverity),
        details: {
          summary: '{{ .CommonAnnotations.summary }}',
          severity: '{{ .CommonLabels.severity }}',
          slo: '{{ .CommonLabels.slo }}',
          runbook: use(TEMPLATE.runbookUrl),
          dashboard: use(TEMPLATE.dashboardUrl),
          alerts: use(TEMPLATE.text),
        },
        // Alertmanager drops a link whose href renders empty.
        links: [
          { href: use(TEMPLATE.runbookUrl), text: 'Runbook' },
          { href: use(TEMPLATE.dashboardUrl), text: 'Dashboard' },
        ],
        send_resolved: send_resolved ?? true,
      },
    ];
  }
  if (r.slack) {
    const { api_url_file, channel, title, text, send_resolved } = r.slack;
    out.slack_configs = [
      {
        api_url_file,
        channel,
        title: title ?? use(TEMPLATE.title),
        title_link: use(TEMPLATE.dashboardUrl),
        text: text ?? use(TEMPLATE.slackText),
        send_resolved: send_resolved ?? true,
      },
    ];
  }
  if (r.email)
    out.email_configs = [
      {
        to: r.email.to,
        ...(r.email.auth_password_file ? { auth_password_file: r.email.auth_password_file } : {}),
        headers: { Subject: use(TEMPLATE.title) },
        html: use(TEMPLATE.emailHtml),
        text: use(TEMPLATE.text),
        send_resolved: r.email.send_resolved ?? false,
      },
    ];
  if (r.webhook) {
    const { url, credentials_file, send_resolved, max_alerts } = r.webhook;
    out.webhook_configs = [
      {
        url,
        send_resolved: send_resolved ?? true,
        ...(max_alerts !== undefined ? { max_alerts } : {}),
        ...(credentials_file ? { http_config: { authorization: { type: 'Bearer', credentials_file } } } : {}),
      },
    ];
  }
  return out;
}

/**
 * The Alertmanager configuration of a routing policy (pure). Tree: explicit routes in order
 * (each to receivers or to a team's escalation), then one route per team on `team="<name>"`,
 * each with a child per severity; anything else reaches the default receiver.
 */
export function generateAlertmanagerConfig(model: RoutingModel): Record<string, unknown> {
  const routes: AmRoute[] = [];
  for (const r of model.routes) {
    const matchers = r.matchers.map(formatMatcher);
    const team = r.team ? model.teams[r.team] : undefined;
    const target = team ? { routes: teamRoutes(team) } : fanOut(r.receivers ?? []);
    routes.push({ matchers, ...target, ...(r.continue ? { continue: true } : {}) });
  }
  for (const [name, team] of Object.entries(model.teams))
    routes.push({ matchers: [formatMatcher({ name: LABEL_TEAM, op: '=', value: name })], routes: teamRoutes(team) });
  const global: Record<string, unknown> = { resolve_timeout: '5m' };
  if (model.smtp) {
    global.smtp_smarthost = model.smtp.smarthost;
    global.smtp_from = model.smtp.from;
    if (model.smtp.auth_username) global.smtp_auth_username = model.smtp.auth_username;
    if (model.smtp.auth_password_file) global.smtp_auth_password_file = model.smtp.auth_password_file;
    if (model.smtp.require_tls !== undefined) global.smtp_require_tls = model.smtp.require_tls;
  }
  const config: Record<string, unknown> = {
    global,
    route: {
      receiver: model.defaultReceiver,
      group_by: model.grouping.by,
      group_wait: model.grouping.wait ?? '30s',
      group_interval: model.grouping.interval ?? '5m',
      repeat_interval: '4h',
      routes,
    },
    receivers: Object.entries(model.receivers).map(([name, r]) => receiverConfig(name, r)),
    // Relative to alertmanager.yml's own directory (Alertmanager resolves it there).
    templates: [outputPaths.alertmanagerTemplates.slice(outputPaths.alertmanager.lastIndexOf('/') + 1)],
  };
  if (model.inhibitions.length > 0) {
    config.inhibit_rules = model.inhibitions.map((h) => ({
      source_matchers: h.source.map(formatMatcher),
      target_matchers: h.target.map(formatMatcher),
      equal: h.equal,
    }));
  }
  const intervals = Object.entries(model.timeIntervals);
  if (intervals.length > 0) config.time_intervals = intervals.map(([name, list]) => ({ name, time_intervals: list }));
  return config;
}

/** `alertmanager.yml`, its notification templates and the declared route tests (JSON, for `vigil test`: amtool config routes test --verify.receivers). */
export function generateAlertmanagerDocuments(model: RoutingModel): Document[] {
  return [
    { path: outputPaths.alertmanager, format: 'yaml', source: model.file, value: generateAlertmanagerConfig(model) },
    { path: outputPaths.alertmanagerTemplates, format: 'text', source: model.file, text: NOTIFICATION_TEMPLATES },
    {
      path: outputPaths.alertmanagerRouteTests,
      format: 'json',
      source: undefined,
      indent: 2,
      value: { generatedFrom: model.file, cases: model.tests.map((t) => ({ name: t.name, labels: t.labels, receivers: t.receivers })) },
    },
  ];
}
