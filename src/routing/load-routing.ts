import type { Diagnostics } from '../diagnostics.js';
import { requireApiVersion } from '../load/api-version.js';
import { validateWithSchema } from '../load/validate-schema.js';
import { formatPath, type YamlSource } from '../load/yaml-source.js';
import type { LabelMatcher } from '../query/promql.js';
import { secretsInUrl } from '../runtime/url-secrets.js';
import { parseMatcher } from './matchers.js';
import type { EscalationModel, RouteModel, RoutingModel, RoutingPosition, RulePlacementModel, Severity } from './model.js';
import { ROUTING_SCHEMA_CODES, RoutingSchema, SEVERITY_KEYS, type RoutingSpec, type RulePlacementSpec } from './schema.js';

type Path = (string | number)[];

/** Inline secret keys and the `*_file` key to use instead. */
const INLINE_SECRETS: Readonly<Record<string, string>> = {
  routing_key: 'routing_key_file',
  service_key: 'service_key_file',
  api_url: 'api_url_file',
  auth_password: 'auth_password_file',
  credentials: 'credentials_file',
};

/**
 * Validates the routing policy and builds its model. Every problem is reported with its
 * position: unknown receivers (RTE010), routes to teams that do not exist (RTE011), unknown time
 * intervals (RTE012), inline secrets (RTE030), secrets inside webhook URLs (RTE031), malformed matchers (RTE007). Undefined on errors.
 */
export function routingModelFromSource(source: YamlSource, diags: Diagnostics): RoutingModel | undefined {
  const raw = source.value as Record<string, unknown>;
  const at = (p: Path, key = false) => ({ file: source.file, ...(key ? source.keyPositionOf(p) : source.positionOf(p)), path: formatPath(p) || '(document)' });
  if (!requireApiVersion(source, diags, { code: 'RTE001' })) return undefined;
  const before = diags.errors.length;
  reportInlineSecrets(source, diags);
  if (!validateWithSchema(RoutingSchema, source, diags, ROUTING_SCHEMA_CODES)) return undefined;
  const spec = raw as unknown as RoutingSpec;
  for (const [name, r] of Object.entries(spec.receivers))
    if (r.webhook)
      for (const s of secretsInUrl(r.webhook.url)) {
        const p = ['receivers', name, 'webhook', 'url'];
        diags.error(
          'RTE031',
          `secret in a webhook URL: ${s.what} would be written into alertmanager.yml`,
          { file: source.file, ...source.offsetPositionOf(p, s.offset), path: formatPath(p) },
          'send it as a header instead: credentials_file: /etc/alertmanager/secrets/... (Authorization: Bearer <file content>)',
        );
      }

  const receiver = (name: string, p: Path) => {
    if (!(name in spec.receivers))
      diags.error('RTE010', `unknown receiver ${JSON.stringify(name)}`, at(p), `receivers: ${Object.keys(spec.receivers).join(', ')}`);
  };
  const interval = (name: string, p: Path) => {
    if (!(name in (spec.timeIntervals ?? {})))
      diags.error(
        'RTE012',
        `unknown time interval ${JSON.stringify(name)}`,
        at(p),
        `timeIntervals: ${Object.keys(spec.timeIntervals ?? {}).join(', ') || '(none declared)'}`,
      );
  };
  const matchers = (list: readonly string[], p: Path): LabelMatcher[] =>
    list.flatMap((text, i) => {
      const r = parseMatcher(text);
      if (r.error) diags.error('RTE007', r.error, at([...p, i]));
      return r.matcher ? [r.matcher] : [];
    });

  receiver(spec.defaultReceiver, ['defaultReceiver']);
  for (const [name, r] of Object.entries(spec.receivers)) {
    if (r.pagerduty && !r.pagerduty.routing_key_file && !r.pagerduty.service_key_file && !r.pagerduty.routing_key && !r.pagerduty.service_key)
      diags.error('RTE004', 'pagerduty needs routing_key_file (Events API v2) or service_key_file', at(['receivers', name, 'pagerduty']));
    if (r.slack && !r.slack.api_url_file && !r.slack.api_url)
      diags.error('RTE004', 'slack needs api_url_file (the incoming-webhook URL is a secret)', at(['receivers', name, 'slack']));
    if (r.email && !spec.smtp) diags.error('RTE004', 'an email receiver needs the top-level smtp: settings', at(['receivers', name, 'email']));
  }
  const teams: Record<string, Partial<Record<Severity, EscalationModel>>> = {};
  for (const [team, t] of Object.entries(spec.teams)) {
    const out: Partial<Record<Severity, EscalationModel>> = {};
    for (const sev of SEVERITY_KEYS) {
      const list = t[sev];
      if (!list) continue;
      list.forEach((r, i) => receiver(r, ['teams', team, sev, i]));
      const step = spec.escalation[sev];
      if (!step) {
        diags.error(
          'RTE013',
          `team ${team} routes severity ${sev}, but escalation has no ${sev} entry`,
          at(['teams', team, sev], true),
          `add escalation: { ${sev}: { repeat: 4h } }`,
        );
        continue;
      }
      out[sev] = {
        receivers: list,
        ...(step.repeat ? { repeat: step.repeat } : {}),
        ...(step.activeIn ? { activeIn: step.activeIn } : {}),
        ...(step.muteIn ? { muteIn: step.muteIn } : {}),
      };
    }
    teams[team] = out;
  }
  for (const sev of SEVERITY_KEYS) {
    const step = spec.escalation[sev];
    step?.activeIn?.forEach((n, i) => interval(n, ['escalation', sev, 'activeIn', i]));
    step?.muteIn?.forEach((n, i) => interval(n, ['escalation', sev, 'muteIn', i]));
  }
  const routes: RouteModel[] = (spec.routes ?? []).map((r, i) => {
    if ((r.team === undefined) === (r.receivers === undefined)) diags.error('RTE014', 'a route needs exactly one of team: or receivers:', at(['routes', i]));
    if (r.team !== undefined && !(r.team in spec.teams))
      diags.error(
        'RTE011',
        `route to team ${JSON.stringify(r.team)}, which is not declared under teams:`,
        at(['routes', i, 'team']),
        `teams: ${Object.keys(spec.teams).join(', ')}`,
      );
    r.receivers?.forEach((n, j) => receiver(n, ['routes', i, 'receivers', j]));
    return {
      matchers: matchers(r.matchers, ['routes', i, 'matchers']),
      ...(r.team ? { team: r.team } : {}),
      ...(r.receivers ? { receivers: r.receivers } : {}),
      continue: r.continue ?? false,
    };
  });
  const inhibitions = (spec.inhibitions ?? []).map((h, i) => ({
    ...(h.name ? { name: h.name } : {}),
    source: matchers(h.source, ['inhibitions', i, 'source']),
    target: matchers(h.target, ['inhibitions', i, 'target']),
    equal: h.equal,
  }));
  (spec.tests ?? []).forEach((t, i) => {
    t.receivers.forEach((n, j) => receiver(n, ['tests', i, 'receivers', j]));
    for (const k of Object.keys(t.labels))
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) diags.error('RTE005', `${JSON.stringify(k)} is not a label name`, at(['tests', i, 'labels', k], true));
  });
  const used = new Set<string>([
    spec.defaultReceiver,
    ...Object.values(spec.teams).flatMap((t) => SEVERITY_KEYS.flatMap((s) => t[s] ?? [])),
    ...(spec.routes ?? []).flatMap((r) => r.receivers ?? []),
  ]);
  for (const name of Object.keys(spec.receivers))
    if (!used.has(name)) diags.warning('RTE040', `receiver ${name} is never routed to`, at(['receivers', name], true));

  if (diags.errors.length > before) return undefined;
  return {
    file: source.file,
    defaultReceiver: spec.defaultReceiver,
    grouping: {
      by: spec.grouping?.by ?? ['alertname', 'team', 'service', 'slo', 'node'],
      ...(spec.grouping?.wait ? { wait: spec.grouping.wait } : {}),
      ...(spec.grouping?.interval ? { interval: spec.grouping.interval } : {}),
    },
    ...(spec.smtp ? { smtp: spec.smtp } : {}),
    receivers: spec.receivers,
    teams,
    routes,
    inhibitions,
    timeIntervals: spec.timeIntervals ?? {},
    tests: (spec.tests ?? []).map((t) => ({ name: t.name, labels: t.labels, receivers: t.receivers })),
    ...(spec.rulePlacement ? { rulePlacement: rulePlacementModel(spec.rulePlacement, (p) => at(p, true)) } : {}),
  };
}

function rulePlacementModel(spec: RulePlacementSpec, keyAt: (p: Path) => RoutingPosition): RulePlacementModel {
  const positions = (kind: 'teams' | 'files') => Object.fromEntries(Object.keys(spec[kind] ?? {}).map((k) => [k, keyAt(['rulePlacement', kind, k])]));
  return { spec, at: keyAt(['rulePlacement']), teamsAt: positions('teams'), filesAt: positions('files') };
}

/** Reports every inline secret anywhere in the file, wherever a schema error may also be. */
function reportInlineSecrets(source: YamlSource, diags: Diagnostics): void {
  const walk = (v: unknown, p: Path) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const instead = INLINE_SECRETS[k];
        if (instead && typeof x === 'string' && p[0] !== 'tests') {
          diags.error(
            'RTE030',
            `inline secret ${k}: secrets must not be written into the config`,
            { file: source.file, ...source.keyPositionOf([...p, k]), path: formatPath([...p, k]) },
            `put the secret in a file mounted into Alertmanager and reference it with ${instead}: /etc/alertmanager/secrets/...`,
          );
        }
        walk(x, [...p, k]);
      }
    }
  };
  walk(source.value, []);
}
