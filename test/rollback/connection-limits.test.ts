import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionStats } from '../../src/rollback/http/connection-limits.js';
import { startRollbackService, type RunningService } from '../../src/rollback/serve.js';
import { alert, call, payload, policyFrom, tempDir } from './helpers.js';

/**
 * Issue 13, item 3: connections that send nothing used to stay open until the fd limit was
 * exhausted, and real deliveries and /healthz failed. Here a bounded crowd of hostile idle sockets
 * (3,000 against a limit of 300; the production defaults are 1,024 connections and 15 s idle) is
 * held open on 127.0.0.1 while Alertmanager-shaped deliveries and health checks go through.
 */
const MAX = 300;
const IDLE_MS = 1_500;

describe('the trigger under idle-socket pressure', () => {
  let dir: string;
  let svc: RunningService;
  let port = 0;
  const sockets: net.Socket[] = [];

  /** Opens `n` sockets that never send a byte; resolves when each is connected (or refused). */
  const crowd = async (n: number) => {
    const opened = await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(port, '127.0.0.1');
            s.on('error', () => undefined);
            s.resume();
            s.once('connect', () => resolve(s));
            s.once('close', () => resolve(s));
          }),
      ),
    );
    sockets.push(...opened);
    return opened;
  };
  const stillOpen = (list: net.Socket[]) => list.filter((s) => !s.destroyed && s.readyState === 'open').length;
  const until = async (what: string, ok: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    dir = await tempDir();
    const flag = path.join(dir, 'flags.json');
    await fs.writeFile(flag, JSON.stringify({ flags: { f: { state: 'ENABLED', variants: { stable: 1, canary: 2 }, defaultVariant: 'canary' } } }));
    const policy = policyFrom(
      `apiVersion: vigil/v1\nkind: RollbackPolicy\ndefaults: { dryRun: true }\ntargets:\n  t: { flagdFlag: { file: ${JSON.stringify(flag)}, flag: f, variant: stable } }\nrules:\n  - name: r\n    match: { severity: critical }\n    target: t\n`,
    );
    svc = await startRollbackService({
      policy,
      host: '127.0.0.1',
      port: 0,
      token: 'test-token-0123456789abcdef',
      stateDir: path.join(dir, 'state'),
      fsync: false,
      connections: { maxConnections: MAX, idleTimeoutMs: IDLE_MS },
    });
    port = Number(new URL(svc.url).port);
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await svc.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('delivers alerts and answers /healthz while 3,000 idle sockets crowd a 300-connection limit', async () => {
    const idle = await crowd(3_000);
    // The server holds at most MAX of them: the rest were closed as newer ones arrived.
    const stats = connectionStats(svc.server)!;
    // The server holds at most MAX of them: the rest were closed as newer ones arrived. (Some of
    // the 3,000 may never be accepted at all: the kernel completes handshakes into a full accept
    // queue, and the client believes it is connected. The server's own count is what matters.)
    await until('the server to evict idle sockets', () => stats.evicted.idle > 0);
    expect(stats.open()).toBeLessThanOrEqual(MAX);
    expect(stillOpen(idle)).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      const health = await call(svc.url, 'GET', '/healthz', undefined, { token: null });
      expect(health.status).toBe(200);
      const delivered = await call(svc.url, 'POST', '/v1/alertmanager', payload([alert({ severity: 'critical', slo: 's' }, { fingerprint: `fp-${i}` })]));
      expect(delivered.status).toBe(200);
      // Decided and recorded: the first acts (dry-run policy), later ones fall in its cooldown.
      expect(delivered.body.results?.[0]).toMatchObject({ fingerprint: `fp-${i}`, verdict: i === 0 ? 'dry-run' : 'skip-cooldown' });
      expect(Date.now() - t0).toBeLessThan(2_000);
      // More hostile sockets between deliveries.
      await crowd(300);
    }
  });

  it('evicts silent sockets before a keep-alive connection that has served requests', async () => {
    // The keep-alive connection of a client (Alertmanager, a probe) is idle between its requests;
    // a crowd of silent sockets many times the limit arrives while it is idle.
    const s = net.connect(port, '127.0.0.1');
    sockets.push(s);
    let answers = 0;
    s.on('data', (d: Buffer) => (answers += (d.toString().match(/HTTP\/1\.1 200/g) ?? []).length));
    await new Promise((r) => s.once('connect', r));
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await until('the first answer', () => answers === 1, 2_000);
    const stats = connectionStats(svc.server)!;
    const evictedBefore = stats.evicted.idle;
    await crowd(MAX * 3);
    await until('the server to evict silent sockets', () => stats.evicted.idle - evictedBefore >= MAX);
    // The crowd displaced itself: the used connection is still open and still answers.
    expect(s.destroyed).toBe(false);
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await until('the second answer on the same connection', () => answers === 2, 2_000);
  });

  it('closes connections that send nothing after the idle timeout', async () => {
    const quiet = await crowd(50);
    const stats = connectionStats(svc.server)!;
    const timedOut = stats.evicted.timedOut;
    await until('the new sockets to be open', () => stillOpen(quiet) === 50, 2_000);
    const t0 = Date.now();
    await until('idle sockets closed by the server', () => stillOpen(quiet) === 0, IDLE_MS * 4);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(IDLE_MS / 2);
    expect(stats.evicted.timedOut - timedOut).toBeGreaterThanOrEqual(50);
    await until('the server to hold no connection', () => stats.open() === 0, IDLE_MS * 2);
  });

  it('keeps a keep-alive connection that is in use', async () => {
    // One socket sends a request every IDLE_MS/3 for twice the idle timeout: it is never idle that long.
    const s = net.connect(port, '127.0.0.1');
    sockets.push(s);
    let answers = 0;
    s.on('data', (d: Buffer) => (answers += (d.toString().match(/HTTP\/1\.1 200/g) ?? []).length));
    await new Promise((r) => s.once('connect', r));
    for (let i = 0; i < 6; i++) {
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => setTimeout(r, IDLE_MS / 3));
    }
    await until('six answers', () => answers === 6, 2_000);
    expect(s.destroyed).toBe(false);
  });
});
