import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { toolChecksFor } from '../../src/cli/commands/test/tool-checks.js';
import { REPO, tempProject, vigil } from '../alerts/helpers.js';

let out: string;
let am: string;

beforeAll(async () => {
  out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-routing-')), 'build');
  const r = await vigil(['render', '--root', REPO, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  am = path.join(out, 'alertmanager/alertmanager.yml');
});

function routesTest(labels: string[], receivers?: string): { status: number | null; stdout: string } {
  const r = spawnSync('amtool', ['config', 'routes', 'test', `--config.file=${am}`, ...(receivers ? [`--verify.receivers=${receivers}`] : []), ...labels], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout.trim() };
}

describe("this repo's routing policy", () => {
  it('renders an alertmanager.yml that the real amtool check-config accepts', () => {
    expect(execFileSync('amtool', ['check-config', am], { encoding: 'utf8' })).toMatch(/SUCCESS[\s\S]*3 inhibit rules[\s\S]*11 receivers/);
  });

  it('routes every declared case to exactly its receivers (amtool config routes test)', () => {
    const checks = toolChecksFor(out).filter((c) => c.describe.startsWith('amtool route test'));
    expect(checks.length).toBe(9);
    for (const c of checks) {
      const r = spawnSync(c.tool, [...c.args], { encoding: 'utf8' });
      expect(r.status, `${c.describe}\n${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it('makes a route test fail when the expected receivers are wrong (the check bites)', () => {
    const labels = ['alertname=ErrorBudgetBurn', 'severity=critical', 'team=ml-platform'];
    expect(routesTest(labels)).toEqual({ status: 0, stdout: 'rollback-trigger,ml-platform-pager,ml-platform-chat' });
    expect(routesTest(labels, 'ml-platform-pager,ml-platform-chat').status).toBe(1);
  });

  it('sends the SLO page to the rollback webhook with a bearer token file, and continues to humans', () => {
    const cfg = parse(fs.readFileSync(am, 'utf8')) as {
      receivers: { name: string; webhook_configs?: unknown[] }[];
      route: { routes: { matchers: string[]; receiver?: string; continue?: boolean }[] };
    };
    expect(cfg.receivers.find((r) => r.name === 'rollback-trigger')!.webhook_configs).toEqual([
      {
        url: 'http://vigil-rollback:9470/v1/alertmanager',
        send_resolved: true,
        max_alerts: 0,
        http_config: { authorization: { type: 'Bearer', credentials_file: '/etc/alertmanager/secrets/rollback-token' } },
      },
    ]);
    expect(cfg.route.routes[0]).toEqual({ matchers: ['alertname="ErrorBudgetBurn"', 'severity="critical"'], receiver: 'rollback-trigger', continue: true });
  });

  it('escalates by severity: critical repeats hourly, warning twice a day, info tickets only in business hours', () => {
    const cfg = parse(fs.readFileSync(am, 'utf8')) as {
      route: { routes: { matchers: string[]; routes?: { matchers: string[]; repeat_interval?: string; active_time_intervals?: string[] }[] }[] };
      time_intervals: { name: string }[];
    };
    const infra = cfg.route.routes.find((r) => r.matchers[0] === 'team="platform-infra"')!.routes!;
    expect(infra.map((r) => [r.matchers[0], r.repeat_interval, r.active_time_intervals])).toEqual([
      ['severity="critical"', '1h', undefined],
      ['severity="warning"', '12h', undefined],
      ['severity="info"', '24h', ['business-hours']],
    ]);
    expect(cfg.time_intervals.map((t) => t.name)).toEqual(['business-hours']);
  });

  it('inhibits GPU alerts of a down node, the SLO ticket under its page, and "metrics absent" under a down exporter', () => {
    const cfg = parse(fs.readFileSync(am, 'utf8')) as { inhibit_rules: unknown[] };
    expect(cfg.inhibit_rules).toEqual([
      { source_matchers: ['alertname="NodeDown"'], target_matchers: ['component="gpu"'], equal: ['node'] },
      {
        source_matchers: ['slo=~".+"', 'severity="critical"'],
        target_matchers: ['slo=~".+"', 'severity="warning"', 'alertname!="SLOIndicatorBroken"'],
        equal: ['slo', 'model', 'model_name'],
      },
      { source_matchers: ['alertname="GpuExporterDown"'], target_matchers: ['alertname=~"GpuMetricsAbsent|GpuMigInstanceMissing"'], equal: ['node'] },
    ]);
  });

  it('never writes a secret inline: every credential is a *_file reference', () => {
    const text = fs.readFileSync(am, 'utf8');
    expect(text).not.toMatch(/^\s*(routing_key|service_key|api_url|auth_password|smtp_auth_password|credentials|password):/m);
    // 3 PagerDuty keys, 4 Slack webhook URLs, the rollback token, the SMTP password.
    expect(text.match(/_file:/g)!.length).toBe(9);
  });
});

describe('vigil test with a routing policy', () => {
  it('fails when a declared route case does not reach its receivers', async () => {
    const routing = fs
      .readFileSync(path.join(import.meta.dirname, '../alerts/fixtures/base/routing.yaml'), 'utf8')
      .replace('receivers: [pager, chat]\n', 'receivers: [chat]\n');
    const root = tempProject({ 'alerts/routing.yaml': routing });
    const r = await vigil(['test', '--root', root]);
    expect(r.stderr).toMatch(/FAIL amtool route test: a page reaches pager and chat → chat/);
    expect(r.code).toBe(1);
  });
});
