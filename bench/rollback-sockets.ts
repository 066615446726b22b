import { fork } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connectionStats } from '../src/rollback/http/connection-limits.js';
import { startRollbackService } from '../src/rollback/serve.js';
import { median, percentile, writeSection } from './lib/report.js';
import { BENCH_TOKEN as TOKEN, benchPolicy } from './lib/rollback-bench-policy.js';

/** Hostile sockets held open (the 20,000, less the client's own descriptors under a 20,000 fd limit). */
const HOSTILE = Number(process.env.SOCKETS_BENCH_HOSTILE ?? 19_900);
/** Deliveries per second offered while they are held, open loop. */
const RATE = 100;
const SECONDS = 10;
const ROUNDS = Number(process.env.SOCKETS_BENCH_ROUNDS ?? 3);

/**
 * The hostile client: opens `count` TCP connections to the trigger and sends nothing on them;
 * a connection the server closes is opened again after `reconnectMs`, so the pressure stays.
 * Reports how many it holds every second, and the closes it saw, when told to stop.
 */
const HOSTILE_CLIENT = `
const net = require('node:net');
const [port, count, reconnectMs] = process.argv.slice(2).map(Number);
let open = 0, closed = 0, failed = 0, stopping = false;
function one() {
  if (stopping) return;
  const s = net.connect(port, '127.0.0.1');
  let up = false;
  s.on('connect', () => { up = true; open++; });
  s.on('error', () => {});
  s.on('close', () => { if (up) { open--; closed++; } else failed++; if (!stopping) setTimeout(one, reconnectMs); });
  sockets.push(s);
}
const sockets = [];
(async () => {
  for (let i = 0; i < count; i++) { one(); if (i % 500 === 499) await new Promise((r) => setTimeout(r, 20)); }
  // Connections past the kernel's accept queue wait in SYN retries: stop waiting after 30 s.
  const until = Date.now() + 30000;
  while (open < count * 0.99 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  process.send({ type: 'ready', open });
})();
process.on('message', (m) => {
  if (m !== 'stop') return;
  stopping = true;
  process.send({ type: 'done', open, closed, failed }, () => { for (const s of sockets) s.destroy(); process.exit(0); });
});
`;

/**
 * The delivering client (Alertmanager's side): one alert per request at RATE req/s, open loop,
 * latency from the scheduled send time; a /healthz probe every 100 ms on its own connection.
 */
const DELIVERY_CLIENT = `
const http = require('node:http');
const [url, token, rate, seconds, tag] = process.argv.slice(2);
const u = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const lat = [], health = []; const statuses = {}; let errors = 0, healthFailures = 0;
function body(i) {
  return JSON.stringify({ version: '4', groupKey: 'g', truncatedAlerts: 0, status: 'firing', receiver: 'rollback', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am', alerts: [{ status: 'firing', labels: { alertname: 'ErrorBudgetBurn', slo: 'gpu-inference-availability', service: 'gpu-inference', severity: 'critical', model: 'm' + (i % 50) }, annotations: {}, startsAt: '2026-08-20T10:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: tag + '-' + i }] });
}
function request(opts, b, scheduled, onDone) {
  const req = http.request({ host: u.hostname, port: u.port, ...opts }, (res) => {
    res.resume(); res.on('end', () => onDone(res.statusCode, Date.now() - scheduled));
  });
  req.setTimeout(10000, () => req.destroy(new Error('timeout')));
  req.on('error', () => onDone(0, Date.now() - scheduled));
  req.end(b);
}
(async () => {
  const start = Date.now(); const end = start + Number(seconds) * 1000; let sent = 0; const inflight = new Set();
  const probe = setInterval(() => {
    const t = Date.now();
    inflight.add(new Promise((done) => request({ path: '/healthz', method: 'GET', agent: probeAgent }, undefined, t, (status, ms) => { if (status === 200) health.push(ms); else healthFailures++; done(); })));
  }, 100);
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = Date.now();
      if (now >= end) { clearInterval(timer); clearInterval(probe); resolve(); return; }
      const due = Math.floor(((now - start) / 1000) * Number(rate));
      while (sent < due) {
        const scheduled = start + (sent / Number(rate)) * 1000; const b = body(sent++);
        const p = new Promise((done) => request({ path: '/v1/alertmanager', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token, 'content-length': Buffer.byteLength(b) } }, b, scheduled, (status, ms) => {
          statuses[status] = (statuses[status] || 0) + 1; if (status === 200) lat.push(ms); else errors++; done();
        }));
        inflight.add(p); p.then(() => inflight.delete(p));
      }
    }, 1);
  });
  await Promise.all(inflight);
  process.send({ lat, health, errors, healthFailures, statuses });
  agent.destroy(); probeAgent.destroy();
})();
`;

interface Delivery {
  lat: number[];
  health: number[];
  errors: number;
  healthFailures: number;
  statuses: Record<string, number>;
}

interface Round {
  hostile: boolean;
  /** Hostile connections established (client's view) when the deliveries began, and when they ended. */
  held: number;
  heldAtEnd: number;
  delivery: Delivery;
  evictedIdle: number;
  refused: number;
  timedOut: number;
  serverOpenMax: number;
  /** Server process CPU (user + system) per delivered alert, ms. */
  cpuMsPerDelivery: number;
}

function onMessage<T>(child: ReturnType<typeof fork>, type?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (m: unknown) => {
      if (type === undefined || (m as { type?: string }).type === type) {
        child.off('message', listener);
        resolve(m as T);
      }
    };
    child.on('message', listener);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench client exited with ${code}`)));
  });
}

async function round(dir: string, hostile: boolean, tag: string): Promise<Round> {
  const stateDir = await fs.mkdtemp(path.join(dir, 'state-'));
  const policy = benchPolicy(dir);
  // Default connection limits: what `vigil rollback serve` runs with.
  const svc = await startRollbackService({ policy, host: '127.0.0.1', port: 0, token: TOKEN, stateDir, fsync: true });
  const stats = connectionStats(svc.server)!;
  let serverOpenMax = 0;
  const sampler = setInterval(() => (serverOpenMax = Math.max(serverOpenMax, stats.open())), 50);
  let attacker: ReturnType<typeof fork> | undefined;
  try {
    let held = 0;
    let heldAtEnd = 0;
    if (hostile) {
      attacker = fork(path.join(dir, 'hostile.cjs'), [new URL(svc.url).port, String(HOSTILE), '100'], { stdio: 'inherit' });
      held = (await onMessage<{ open: number }>(attacker, 'ready')).open;
    }
    const before = { ...stats.evicted };
    const cpu0 = process.cpuUsage();
    const client = fork(path.join(dir, 'delivery.cjs'), [svc.url, TOKEN, String(RATE), String(SECONDS), tag], { stdio: 'inherit' });
    const delivery = await onMessage<Delivery>(client);
    const cpu = process.cpuUsage(cpu0);
    if (attacker) {
      attacker.send('stop');
      heldAtEnd = (await onMessage<{ open: number }>(attacker, 'done')).open;
    }
    return {
      hostile,
      held,
      heldAtEnd,
      delivery,
      evictedIdle: stats.evicted.idle - before.idle,
      refused: stats.evicted.refused - before.refused,
      timedOut: stats.evicted.timedOut - before.timedOut,
      serverOpenMax,
      cpuMsPerDelivery: (cpu.user + cpu.system) / 1000 / Math.max(1, delivery.lat.length),
    };
  } finally {
    clearInterval(sampler);
    attacker?.kill('SIGKILL');
    await svc.close();
  }
}

/** Delivery latency and /healthz while 19,900 hostile idle sockets are held open against the default limits. */
export async function run(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bench-sockets-'));
  await fs.writeFile(path.join(dir, 'hostile.cjs'), HOSTILE_CLIENT);
  await fs.writeFile(path.join(dir, 'delivery.cjs'), DELIVERY_CLIENT);
  const load = os.loadavg()[0]!;
  const rounds: Round[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate quiet and hostile rounds so drift in the machine's load hits both alike.
      rounds.push(await round(dir, false, `q${r}`));
      rounds.push(await round(dir, true, `h${r}`));
      console.log(
        rounds
          .slice(-2)
          .map((x) => `${x.hostile ? 'hostile' : 'quiet'}: p99 ${percentile(x.delivery.lat, 99)} ms, errors ${x.delivery.errors}`)
          .join('; '),
      );
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  const row = (name: string, rs: Round[]) => {
    const all = rs.flatMap((x) => x.delivery.lat);
    const health = rs.flatMap((x) => x.delivery.health);
    const sum = (f: (x: Round) => number) => rs.reduce((s, x) => s + f(x), 0);
    return `| ${name} | ${median(rs.map((x) => x.held)).toLocaleString('en')} / ${median(rs.map((x) => x.heldAtEnd)).toLocaleString('en')} | ${all.length} / ${sum((x) => x.delivery.lat.length + x.delivery.errors)} | ${percentile(all, 50).toFixed(0)} | ${median(rs.map((x) => percentile(x.delivery.lat, 99))).toFixed(0)} | ${Math.max(...all).toFixed(0)} | ${health.length} ok, ${sum((x) => x.delivery.healthFailures)} failed, p99 ${percentile(health, 99).toFixed(0)} ms | ${Math.max(...rs.map((x) => x.serverOpenMax))} | ${sum((x) => x.evictedIdle).toLocaleString('en')} / ${sum((x) => x.refused)} | ${median(rs.map((x) => x.cpuMsPerDelivery)).toFixed(2)} |`;
  };
  const quiet = rounds.filter((r) => !r.hostile);
  const hostile = rounds.filter((r) => r.hostile);
  const md = `## Rollback trigger: deliveries with 20,000 hostile idle sockets open

\`npm run bench rollback-sockets\`. The trigger (\`startRollbackService\` in-process, durable log,
dry-run policy) runs with its default connection limits: 1,024 connections, 15 s idle timeout,
the longest-idle connection evicted when a new one arrives at the limit. A hostile child process
opens ${HOSTILE.toLocaleString('en')} TCP connections and sends nothing on them (the issue's 20,000, less the
client's own descriptors under this machine's 20,000 fd limit); each one the server closes is
reopened 100 ms later, so the pressure never lets up. Meanwhile a second child plays
Alertmanager: ${RATE} deliveries per second, open loop (latency counted from the scheduled send time, so a
stall is not hidden), one new alert each, for ${SECONDS} s, plus a \`/healthz\` probe every 100 ms. Quiet
rounds are the same without the hostile client, alternated with the hostile ones, ${ROUNDS} rounds
each. "held" is the number of hostile connections the client saw established when the
deliveries began and when they ended (beyond the server's limit they sit in the kernel's accept
queue, or were accepted and evicted and are being reopened; the server never holds more than its
limit). Load average when the run began: ${load.toFixed(1)} on ${os.cpus().length} cores,
shared with other engineers' jobs.

| round | hostile sockets held (start / end) | delivered / sent | p50 ms | p99 ms (median of rounds) | max ms | /healthz | server connections (max) | evicted idle / refused | server CPU ms per delivery |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${row('quiet', quiet)}
${row('hostile', hostile)}`;
  writeSection('rollback-sockets', md);
  console.log(md);
}
