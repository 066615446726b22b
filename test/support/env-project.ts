import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A small project with two declared environments (prod, staging) for the environment and parity
 * tests: one SLO file with an inline staging block, a routing policy, an alert pack and a config
 * whose staging settings choose another Prometheus data source. `files` add or replace files
 * (path under the root → content; null deletes).
 */
export function envProject(files: Record<string, string | null> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-envs-'));
  const all: Record<string, string | null> = { ...ENV_PROJECT, ...files };
  for (const [rel, content] of Object.entries(all)) {
    if (content === null) continue;
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

export const ENV_PROJECT: Readonly<Record<string, string>> = {
  'vigil.config.yaml': `apiVersion: vigil/v1
kind: VigilConfig
environments:
  prod: {}
  staging:
    grafana:
      datasources: { prometheus: prom-staging }
`,
  'slos/api.yaml': `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
labels: { team: infra }
slos:
  - name: availability
    objective: 99.9
    indicator:
      ratio:
        errors: http_requests_total{job="api", code=~"5.."}
        total: http_requests_total{job="api"}
  - name: latency
    objective: 99
    indicator:
      latency:
        histogram: http_request_duration_seconds{job="api"}
        threshold: 1s
environments:
  staging:
    slos:
      - name: latency
        objective: 98
`,
  'alerts/routing.yaml': `apiVersion: vigil/v1
kind: AlertRouting
defaultReceiver: chat
escalation:
  critical: { repeat: 1h }
  warning: { repeat: 4h }
receivers:
  chat:
    slack: { api_url_file: /etc/am/slack, channel: '#alerts' }
  pager:
    pagerduty: { routing_key_file: /etc/am/pd }
teams:
  infra:
    critical: [pager, chat]
    warning: [chat]
`,
  'alerts/base.yaml': `apiVersion: vigil/v1
kind: AlertPack
name: base
labels: { team: infra }
params: { downFor: 5m }
groups:
  - name: base
    alerts:
      - alert: TargetDown
        expr: up == 0
        for: \${downFor}
        severity: warning
        summary: A target is down.
        description: "{{ $labels.instance }} is down."
        tests:
          - name: fires
            series: { 'up{instance="a"}': 0+0x20 }
            at: 20m
            fires: [{ labels: { instance: a } }]
          - name: quiet
            series: { 'up{instance="a"}': 1x20 }
            at: 20m
            fires: []
`,
};
