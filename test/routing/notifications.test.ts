import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandTemplate } from '../../src/alerts/template.js';
import { vigil } from '../alerts/helpers.js';
import { freePort } from '../support/free-port.js';

/**
 * What on-call receives: a fixture project rendered by the CLI, its alertmanager.yml and
 * templates run by the real Alertmanager (Debian's 0.25) on 127.0.0.1, delivering to loopback
 * sinks that speak the Slack incoming-webhook shape, PagerDuty Events API v2 and SMTP. The
 * receivers point at the sinks from the project's own routing policy (api_url_file,
 * pagerduty url + routing_key_file, smtp smarthost), so nothing is patched after rendering.
 * One SLO burn-rate page and one pack alert (XID 48) fire, then resolve.
 */
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const GRAFANA = 'https://grafana.example.test';
const RUNBOOKS = 'https://runbooks.example.test/vigil';
const ROUTING_KEY = 'a'.repeat(32);

interface Delivery {
  readonly path: string;
  readonly body: Record<string, unknown>;
}
interface SlackBody {
  channel: string;
  attachments: { title: string; title_link: string; text: string; color: string }[];
}
interface PagerDutyBody {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload: { summary: string; severity: string; custom_details: Record<string, string> };
  links: { href: string; text: string }[];
}

let root = '';
let am: ChildProcess | undefined;
let amLog = '';
let base = '';
let httpSink: http.Server;
let smtpSink: net.Server;
const posts: Delivery[] = [];
const mails: string[] = [];
let sloAlert: { labels: Record<string, string>; annotations: Record<string, string> };
let xidAlert: { labels: Record<string, string>; annotations: Record<string, string> };

/** A minimal SMTP server: no TLS, no AUTH; keeps each message's DATA. */
function startSmtpSink(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let buffer = '';
    let inData = false;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mails.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write('250 OK queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-sink\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 end with <CRLF>.<CRLF>\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The text parts of a MIME message, quoted-printable decoded. */
function decodeMail(raw: string): string {
  return raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

async function waitFor(ok: () => boolean | Promise<boolean>, ms: number, why: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(why());
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  httpSink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      if (req.url?.startsWith('/pagerduty')) res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success","message":"Event processed"}');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => httpSink.listen(0, '127.0.0.1', resolve));
  smtpSink = await startSmtpSink();
  const sink = `http://127.0.0.1:${portOf(httpSink)}`;

  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-notify-'));
  const secrets = path.join(root, 'secrets');
  write('secrets/slack-webhook', `${sink}/slack`);
  write('secrets/pagerduty', ROUTING_KEY);
  write('vigil.config.yaml', `apiVersion: vigil/v1\nkind: VigilConfig\ngrafana: { url: ${GRAFANA} }\nrunbooks: { baseUrl: ${RUNBOOKS} }\n`);
  write(
    'slos/shop.yaml',
    `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: shop
labels: { team: ops }
slos:
  - name: availability
    objective: 99.9
    indicator:
      ratio:
        errors: http_requests_total{job="shop", code=~"5.."}
        total: http_requests_total{job="shop"}
`,
  );
  write('alerts/gpu.yaml', 'apiVersion: vigil/v1\nkind: AlertPack\nname: gpu\nuses: gpu\nlabels: { team: ops }\n');
  write(
    'alerts/routing.yaml',
    `apiVersion: vigil/v1
kind: AlertRouting
defaultReceiver: chat
grouping: { by: [alertname, slo, node], wait: 1s, interval: 1s }
smtp: { smarthost: '127.0.0.1:${portOf(smtpSink)}', from: alertmanager@example.test, require_tls: false }
escalation: { critical: { repeat: 1h }, warning: { repeat: 4h }, info: { repeat: 24h } }
receivers:
  chat: { slack: { api_url_file: ${secrets}/slack-webhook, channel: '#ops' } }
  pager: { pagerduty: { routing_key_file: ${secrets}/pagerduty, url: '${sink}/pagerduty/v2/enqueue' } }
  mail: { email: { to: oncall@example.test, send_resolved: true } }
teams:
  ops: { critical: [pager, chat, mail], warning: [chat], info: [mail] }
`,
  );
  const out = path.join(root, 'build');
  const r = await vigil(['render', '--root', root, '--out', out], root);
  expect(r.code, r.stderr).toBe(0);
  const configFile = path.join(out, 'alertmanager/alertmanager.yml');
  expect(execFileSync('amtool', ['check-config', configFile], { encoding: 'utf8' })).toMatch(/- 1 templates/);

  // The alerts as Prometheus would send them: rule labels and annotations, templates expanded.
  type Rule = { alert?: string; record?: string; labels: Record<string, string>; annotations: Record<string, string> };
  const rules = (file: string) =>
    (parse(fs.readFileSync(path.join(out, 'prometheus/rules', file), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
  const slo = rules('shop.slo.rules.yaml');
  const page = slo.find((x) => x.alert === 'ErrorBudgetBurn' && x.labels.long_window === '1h')!;
  // The burn-rate series the alert expression returns carry the file's labels (team) from the base rule.
  const series = slo.find((x) => x.record === 'slo:burn_rate:rate1h')!.labels;
  const baseRule = slo.find((x) => x.record !== undefined && x.labels.team !== undefined)!.labels;
  sloAlert = { labels: { ...baseRule, ...series, ...page.labels, alertname: page.alert! }, annotations: page.annotations };
  const xid = rules('gpu.alerts.rules.yaml').find((x) => x.alert === 'GpuXidDoubleBitEcc')!;
  const gpu = { gpu: '3', UUID: 'GPU-3f2a', Hostname: 'gpu-node-7' };
  const expand = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, expandTemplate(v, gpu)]));
  xidAlert = { labels: { ...gpu, ...expand(xid.labels), alertname: xid.alert! }, annotations: expand(xid.annotations) };

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  am = spawn(
    ALERTMANAGER,
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(root, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  am.stdout!.on('data', (c: Buffer) => (amLog += c.toString()));
  am.stderr!.on('data', (c: Buffer) => (amLog += c.toString()));
  await waitFor(
    async () => (await fetch(`${base}/-/ready`).catch(() => undefined))?.ok === true,
    10_000,
    () => `Alertmanager did not become ready:\n${amLog}`,
  );
}, 60_000);

afterAll(async () => {
  am?.kill('SIGTERM');
  await new Promise<void>((resolve) => httpSink?.close(() => resolve()) ?? resolve());
  await new Promise<void>((resolve) => smtpSink?.close(() => resolve()) ?? resolve());
});

async function post(alerts: { labels: Record<string, string>; annotations: Record<string, string> }[], endsAt: Date): Promise<void> {
  const res = await fetch(`${base}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts.map((a) => ({ ...a, endsAt: endsAt.toISOString() }))),
  });
  expect(res.status, await res.text()).toBe(200);
}

const slack = () => posts.filter((p) => p.path === '/slack').map((p) => p.body as unknown as SlackBody);
const pagerduty = () => posts.filter((p) => p.path === '/pagerduty/v2/enqueue').map((p) => p.body as unknown as PagerDutyBody);
const about = (text: string, alertname: string) => text.includes(alertname === 'ErrorBudgetBurn' ? 'shop-availability' : 'XID 48');

describe('notifications from the real Alertmanager with vigil templates', () => {
  const sloRunbook = `${RUNBOOKS}/error-budget-burn.md`;
  const sloDashboard = `${GRAFANA}/d/vigil-slo-shop?var-slo=shop-availability`;
  const xidRunbook = `${RUNBOOKS}/gpu-xid-double-bit-ecc.md`;
  const xidDashboard = `${GRAFANA}/d/vigil-gpu-fleet?var-Hostname=gpu-node-7&var-gpu=3`;

  it('render the alerts with absolute runbook and dashboard links and the SLO figures', () => {
    expect(sloAlert.annotations).toMatchObject({
      runbook_url: sloRunbook,
      dashboard_url: sloDashboard,
      objective: '99.9% over 30d',
      burn_rate_threshold: '14.4x',
      error_ratio_threshold: '1.44%',
      budget_consumed: '2%',
    });
    expect(xidAlert.annotations).toMatchObject({ runbook_url: xidRunbook, dashboard_url: xidDashboard });
    expect(xidAlert.labels).toMatchObject({ severity: 'critical', node: 'gpu-node-7', team: 'ops' });
    expect(sloAlert.labels).toMatchObject({ severity: 'critical', slo: 'shop-availability', team: 'ops', long_window: '1h', short_window: '5m' });
  });

  it('deliver Slack, PagerDuty and e-mail messages on-call can act on, then the resolved ones', async () => {
    await post([sloAlert, xidAlert], new Date(Date.now() + 3_600_000));
    await waitFor(
      () => slack().length >= 2 && pagerduty().length >= 2 && mails.length >= 2,
      20_000,
      () => `not delivered: ${JSON.stringify(posts.map((p) => p.path))}, ${mails.length} mails\n${amLog}`,
    );

    // Slack: title = state, alertname, severity and summary; text = every alert with its figures and links.
    const [sloSlack, xidSlack] = ['ErrorBudgetBurn', 'GpuXidDoubleBitEcc'].map((n) => slack().find((b) => b.attachments[0]!.title.includes(n))!);
    expect(sloSlack!.channel).toBe('#ops');
    expect(sloSlack!.attachments[0]!.title).toBe(`[FIRING:1] ErrorBudgetBurn (critical): ${sloAlert.annotations.summary}`);
    expect(sloSlack!.attachments[0]!.title_link).toBe(sloDashboard);
    const sloText = sloSlack!.attachments[0]!.text;
    expect(sloText).toContain(`*FIRING critical* ${sloAlert.annotations.summary}`);
    expect(sloText).toContain(sloAlert.annotations.description);
    expect(sloText).toContain('SLO shop-availability: objective 99.9% over 30d');
    expect(sloText).toContain('Budget: burning above 14.4x over 1h and 5m (error ratio above 1.44%); at that rate 2% of the error budget is spent in 1h');
    expect(sloText).toContain(`<${sloRunbook}|Runbook> · <${sloDashboard}|Dashboard>`);
    const xidText = xidSlack!.attachments[0]!.text;
    expect(xidSlack!.attachments[0]!.title).toBe(`[FIRING:1] GpuXidDoubleBitEcc (critical): ${xidAlert.annotations.summary}`);
    expect(xidText).toContain(`*FIRING critical* ${xidAlert.annotations.summary}`);
    expect(xidText).toContain('GPU 3 (GPU-3f2a) on gpu-node-7 reported XID 48');
    expect(xidText).toContain('Labels: Hostname=gpu-node-7 UUID=GPU-3f2a gpu=3 node=gpu-node-7 xid=48');
    expect(xidText).toContain(`<${xidRunbook}|Runbook> · <${xidDashboard}|Dashboard>`);
    expect(xidText).not.toContain('Budget:');

    // PagerDuty Events v2: summary, severity, links and details.
    for (const [alert, runbook, dashboard] of [
      [sloAlert, sloRunbook, sloDashboard],
      [xidAlert, xidRunbook, xidDashboard],
    ] as const) {
      const event = pagerduty().find((e) => e.payload.summary.includes(alert.labels.alertname!))!;
      expect(event.routing_key).toBe(ROUTING_KEY);
      expect(event.event_action).toBe('trigger');
      expect(event.payload.summary).toBe(`[FIRING:1] ${alert.labels.alertname} (critical): ${alert.annotations.summary}`);
      expect(event.payload.severity).toBe('critical');
      expect(event.links).toEqual([
        { href: runbook, text: 'Runbook' },
        { href: dashboard, text: 'Dashboard' },
      ]);
      expect(event.payload.custom_details).toMatchObject({ summary: alert.annotations.summary, severity: 'critical', runbook, dashboard });
      expect(event.payload.custom_details.alerts).toContain(`Runbook: ${runbook}\nDashboard: ${dashboard}`);
    }
    const sloEvent = pagerduty().find((e) => e.payload.summary.includes('ErrorBudgetBurn'))!;
    expect(sloEvent.payload.custom_details.slo).toBe('shop-availability');
    expect(sloEvent.payload.custom_details.alerts).toContain('at that rate 2% of the error budget is spent in 1h');

    // E-mail: subject, HTML with links, plain-text part.
    const sloMail = decodeMail(mails.find((m) => about(decodeMail(m), 'ErrorBudgetBurn'))!);
    expect(sloMail).toMatch(/^Subject: \[FIRING:1\] ErrorBudgetBurn \(critical\): shop-availability/m);
    expect(sloMail).toContain(`<a href="${sloRunbook}">Runbook</a>`);
    expect(sloMail).toContain(`<a href="${sloDashboard}">Dashboard</a>`);
    expect(sloMail).toContain('Budget: burning above 14.4x over 1h and 5m');
    expect(sloMail).toContain(`Runbook: ${sloRunbook}`);
    const xidMail = decodeMail(mails.find((m) => about(decodeMail(m), 'GpuXidDoubleBitEcc'))!);
    // html/template escapes & in the href as &amp;, which the mail client reads back as &.
    expect(xidMail).toContain(`<a href="${xidDashboard.replace('&', '&amp;')}">Dashboard</a>`);

    // Resolved: every channel says so.
    const before = { slack: slack().length, pd: pagerduty().length, mails: mails.length };
    await post([sloAlert, xidAlert], new Date(Date.now() - 1000));
    await waitFor(
      () => slack().length >= before.slack + 2 && pagerduty().length >= before.pd + 2 && mails.length >= before.mails + 2,
      20_000,
      () => `no resolved notifications: ${posts.length} posts, ${mails.length} mails\n${amLog}`,
    );
    const resolvedSlack = slack().slice(before.slack);
    for (const b of resolvedSlack) {
      expect(b.attachments[0]!.title).toMatch(/^\[RESOLVED\] /);
      expect(b.attachments[0]!.text).toMatch(/^\*RESOLVED\* /);
    }
    expect(resolvedSlack.find((b) => b.attachments[0]!.title.includes('GpuXidDoubleBitEcc'))!.attachments[0]!.text).toContain(xidRunbook);
    for (const e of pagerduty().slice(before.pd)) expect(e.event_action).toBe('resolve');
    for (const m of mails.slice(before.mails)) expect(decodeMail(m)).toMatch(/^Subject: \[RESOLVED\] /m);
  }, 60_000);
});
