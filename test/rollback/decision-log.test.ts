import fs from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileDecisionLog } from '../../src/rollback/adapters/file-decision-log.js';
import { DecisionState } from '../../src/rollback/app/decision-state.js';
import { checkDecisionRetention } from '../../src/rollback/app/decision-retention.js';
import { RollbackTrigger } from '../../src/rollback/app/rollback-trigger.js';
import type { AlertView, DecisionEvent, DecisionRecord, Logger } from '../../src/rollback/ports.js';
import { run } from '../../src/cli/main.js';
import { policyFrom, tempDir } from './helpers.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-08-20T10:00:00Z');

function decision(id: string, atMs = NOW, verdict: DecisionRecord['verdict'] = 'dry-run', extra: Partial<DecisionRecord> = {}): DecisionRecord {
  const at = new Date(atMs).toISOString();
  return {
    type: 'decision',
    id,
    key: `fp-${id}|2026-08-20T10:00:00Z`,
    at,
    correlationId: 'c',
    verdict,
    reason: 'test',
    alert: { fingerprint: `fp-${id}`, startsAt: '2026-08-20T10:00:00Z', labels: { slo: 's' }, source: 'alertmanager' },
    ...extra,
  };
}

/** A logger that keeps what was logged at warn and error. */
function recordingLogger(): Logger & { lines: { level: string; obj: Record<string, unknown>; msg: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const l = {
    lines,
    info() {},
    debug() {},
    warn: (obj: object, msg = '') => void lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj: object, msg = '') => void lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
    child: () => l,
  };
  return l;
}

const ids = (events: DecisionEvent[]) => events.filter((e) => e.type === 'decision').map((e) => e.id);

describe('decision log records', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('writes one greppable line per event: the JSON, a tab, and the CRC-32 of the JSON', async () => {
    const log = await FileDecisionLog.open(dir, { clock: () => NOW });
    await log.append(decision('a'));
    await log.close();
    const text = await fs.readFile(path.join(dir, 'decisions.jsonl'), 'utf8');
    const [json, sum] = text.replace(/\n$/, '').split('\t');
    expect(JSON.parse(json!)).toEqual(decision('a'));
    expect(sum).toBe(crc32(json!).toString(16).padStart(8, '0'));
    expect(text).toContain('"id":"a"');
  });

  it('repairs a torn tail before appending, so the next decision never merges with it (the issue-13 double action)', async () => {
    let log = await FileDecisionLog.open(dir, { clock: () => NOW });
    await log.append(decision('a'));
    await log.close();
    const file = path.join(dir, 'decisions.jsonl');
    const whole = (await fs.stat(file)).size;
    // A crash in the middle of writing record b: half a line, no newline.
    const torn = (await fs.readFile(file, 'utf8')).slice(0, 40);
    await fs.appendFile(file, torn);
    const logger = recordingLogger();
    log = await FileDecisionLog.open(dir, { clock: () => NOW, logger, compactBytes: 1 << 30 });
    expect(log.opened.torn).toBe(40);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ offset: whole, bytes: 40 }) as unknown })]);
    expect(ids(await log.readAll())).toEqual(['a']);
    await log.append(decision('c'));
    await log.close();
    log = await FileDecisionLog.open(dir, { clock: () => NOW, logger: recordingLogger() });
    expect(ids(await log.readAll())).toEqual(['a', 'c']);
    expect(log.opened).toMatchObject({ torn: 0, bad: 0 });
    await log.close();
  });

  it('repairs the torn tail of a log written before checksums (plain JSON lines)', async () => {
    const file = path.join(dir, 'decisions.jsonl');
    await fs.writeFile(file, `${JSON.stringify(decision('a'))}\n${JSON.stringify(decision('b')).slice(0, 50)}`);
    let log = await FileDecisionLog.open(dir, { clock: () => NOW });
    expect(log.opened).toMatchObject({ torn: 50, legacy: 1 });
    await log.append(decision('c'));
    await log.close();
    log = await FileDecisionLog.open(dir, { clock: () => NOW });
    expect(ids(await log.readAll())).toEqual(['a', 'c']);
    await log.close();
  });

  it('detects a corrupt record in the middle, reports it once with its offset, quarantines it, and keeps its neighbours', async () => {
    let log = await FileDecisionLog.open(dir, { clock: () => NOW, compactBytes: 1 << 30 });
    for (const id of ['a', 'b', 'c']) await log.append(decision(id));
    await log.close();
    const file = path.join(dir, 'decisions.jsonl');
    const text = await fs.readFile(file, 'utf8');
    const offset = text.indexOf('\n') + 1;
    // Flip one character inside record b: still one line, still JSON, wrong checksum.
    const rotten = text.slice(0, offset) + text.slice(offset).replace('"id":"b"', '"id":"x"');
    await fs.writeFile(file, rotten);
    const logger = recordingLogger();
    log = await FileDecisionLog.open(dir, { clock: () => NOW, logger });
    expect(ids(await log.readAll())).toEqual(['a', 'c']);
    const reports = logger.lines.filter((l) => l.msg.includes('corrupt'));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.obj).toMatchObject({ offset, reason: 'checksum mismatch' });
    expect(await fs.readFile(path.join(dir, 'decisions.quarantine'), 'utf8')).toContain('"id":"x"');
    await log.close();
    const again = recordingLogger();
    log = await FileDecisionLog.open(dir, { clock: () => NOW, logger: again });
    expect(again.lines).toEqual([]);
    expect(ids(await log.readAll())).toEqual(['a', 'c']);
    await log.close();
  });

  it('never reads the log as one string: a multi-chunk log with large records streams back intact', async () => {
    let log = await FileDecisionLog.open(dir, { clock: () => NOW, compactBytes: 1 << 30 });
    const big = 'x'.repeat(3000);
    const events = Array.from({ length: 1500 }, (_, i) => decision(`d${i}`, NOW, 'dry-run', { reason: big }));
    await Promise.all(events.map((e) => log.append(e)));
    await log.close();
    expect((await fs.stat(path.join(dir, 'decisions.jsonl'))).size).toBeGreaterThan(4 << 20);
    log = await FileDecisionLog.open(dir, { clock: () => NOW });
    expect(await log.readAll()).toEqual(events);
    await log.close();
  });
});

describe('decision log compaction and retention', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('compacts into a snapshot when the tail passes its size, and reads the same events back', async () => {
    let log = await FileDecisionLog.open(dir, { clock: () => NOW, compactBytes: 8192 });
    const events: DecisionEvent[] = [];
    for (let i = 0; i < 200; i++) {
      const d = decision(`d${i}`);
      events.push(d);
      await log.append(d);
    }
    expect(log.compactions).toBeGreaterThan(1);
    expect((await fs.stat(path.join(dir, 'decisions.jsonl'))).size).toBeLessThanOrEqual(
      Math.max(8192, (await fs.stat(path.join(dir, 'decisions.snapshot.jsonl'))).size) + 2048,
    );
    expect(await log.readAll()).toEqual(events);
    await log.close();
    log = await FileDecisionLog.open(dir, { clock: () => NOW });
    expect(await log.readAll()).toEqual(events);
    await log.close();
  });

  it('drops decisions past retention at open, but keeps an old act whose action never ran and folds later facts in', async () => {
    let log = await FileDecisionLog.open(dir, { clock: () => NOW - 40 * DAY });
    await log.append(decision('old', NOW - 40 * DAY));
    await log.append(decision('old-acted', NOW - 40 * DAY, 'act'));
    await log.append({ type: 'outcome', id: 'old-acted', at: new Date(NOW - 40 * DAY).toISOString(), status: 'success', detail: 'ok', attempts: 1 });
    await log.append(decision('old-pending', NOW - 40 * DAY, 'act'));
    await log.append(decision('recent', NOW - 2 * DAY));
    await log.append({ type: 'resolved', id: 'recent', at: new Date(NOW - DAY).toISOString() });
    await log.append({ type: 'resolved', id: 'old', at: new Date(NOW - DAY).toISOString() });
    await log.close();
    log = await FileDecisionLog.open(dir, { clock: () => NOW, retentionMs: 30 * DAY });
    expect(log.opened).toMatchObject({ retained: 2, dropped: 2 });
    const events = await log.readAll();
    expect(events.map((e) => `${e.type}:${e.id}`)).toEqual(['decision:old-pending', 'decision:recent', 'resolved:recent']);
    await log.close();
    const snapshot = await fs.readFile(path.join(dir, 'decisions.snapshot.jsonl'), 'utf8');
    expect(snapshot).not.toContain('"id":"old"');
    expect((await fs.stat(path.join(dir, 'decisions.jsonl'))).size).toBe(0);
  });

  it('ignores and removes the temp file of a compaction killed before its rename', async () => {
    let log = await FileDecisionLog.open(dir, { clock: () => NOW });
    await log.append(decision('a'));
    await log.close();
    const tmp = path.join(dir, 'decisions.snapshot.jsonl.tmp-4242-deadbeef');
    await fs.writeFile(tmp, `${JSON.stringify(decision('ghost'))}\n{"type":"decision","id":"hal`);
    log = await FileDecisionLog.open(dir, { clock: () => NOW });
    expect(ids(await log.readAll())).toEqual(['a']);
    await log.close();
    expect(await fs.readdir(dir)).not.toContain('decisions.snapshot.jsonl.tmp-4242-deadbeef');
  });

  it('replays a snapshot and a tail that still holds the same events (a crash between rename and truncate) without duplicates', async () => {
    let log = await FileDecisionLog.open(dir, { clock: () => NOW });
    await log.append(decision('a'));
    await log.append({ type: 'resolved', id: 'a', at: new Date(NOW).toISOString() });
    await log.close();
    const tail = await fs.readFile(path.join(dir, 'decisions.jsonl'));
    log = await FileDecisionLog.open(dir, { clock: () => NOW });
    await log.close();
    await fs.writeFile(path.join(dir, 'decisions.jsonl'), tail);
    log = await FileDecisionLog.open(dir, { clock: () => NOW });
    expect((await log.readAll()).map((e) => `${e.type}:${e.id}`)).toEqual(['decision:a', 'resolved:a']);
    await log.close();
  });
});

const POLICY = `apiVersion: vigil/v1
kind: RollbackPolicy
defaults: { cooldown: 30m, maxActionsPerHour: 100 }
targets:
  t: { flagdFlag: { file: /f.json, flag: "mv-{{model}}", variant: stable } }
rules:
  - name: r
    match: { severity: critical }
    target: t
`;

describe('idempotency across compaction and retention', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  const alert = (fp: string, model = 'm'): AlertView => ({
    fingerprint: fp,
    startsAt: '2026-08-20T09:59:00Z',
    status: 'firing',
    labels: { severity: 'critical', model },
    source: 'alertmanager',
  });

  async function trigger(clock: () => number, compactBytes = 2048, retentionMs = 30 * DAY) {
    const calls: string[] = [];
    const log = await FileDecisionLog.open(dir, { clock, compactBytes, retentionMs });
    const t = new RollbackTrigger({
      policy: policyFrom(POLICY),
      log,
      clock,
      retentionMs,
      actions: {
        create: (spec) => ({
          kind: 'fake',
          target: `flag:${spec.kind === 'flagdFlag' ? spec.flag : ''}`,
          execute: (ctx) => {
            calls.push(ctx.decisionId);
            return Promise.resolve({ status: 'success', detail: 'ok' });
          },
        }),
      },
    });
    await t.start();
    return { t, log, calls };
  }

  it('a redelivery after compaction (at runtime and at restart) is a duplicate within retention, never a second action', async () => {
    let now = NOW;
    const first = await trigger(() => now);
    const r = await first.t.handleAlert(alert('fp-1'), 'c1');
    expect(r).toMatchObject({ result: 'decided', verdict: 'act' });
    // Many other alerts push the tail past its size: compaction runs while the trigger serves.
    for (let i = 0; i < 40; i++) await first.t.handleAlert(alert(`other-${i}`, `m${i}`), 'c');
    await first.t.idle();
    expect(first.log.compactions).toBeGreaterThan(1);
    expect(await first.t.handleAlert(alert('fp-1'), 'c2')).toMatchObject({ result: 'duplicate', decisionId: r.decisionId });
    await first.t.close();
    await first.log.close();

    now += 20 * DAY;
    const second = await trigger(() => now);
    expect(second.log.opened).toMatchObject({ retained: 41, dropped: 0 });
    expect(await second.t.handleAlert(alert('fp-1'), 'c3')).toMatchObject({ result: 'duplicate', decisionId: r.decisionId });
    await second.t.idle();
    expect(second.calls).toEqual([]);
    await second.t.close();
    await second.log.close();
    expect(first.calls.filter((id) => id === r.decisionId)).toHaveLength(1);
  });

  it('after retention the old decision is gone from the log and from memory', async () => {
    let now = NOW;
    const first = await trigger(() => now, 1 << 30, DAY);
    const r = await first.t.handleAlert(alert('fp-1'), 'c1');
    await first.t.idle();
    // Still running 2 days later: a newer decision prunes the old one from memory.
    now += 2 * DAY;
    await first.t.handleAlert(alert('fp-2', 'other'), 'c2');
    expect(first.t.state.get(r.decisionId!)).toBeUndefined();
    expect(first.t.state.size).toBe(1);
    await first.t.close();
    await first.log.close();
    const second = await trigger(() => now, 1 << 30, DAY);
    expect(second.log.opened).toMatchObject({ retained: 1, dropped: 1 });
    expect(second.log.compactions).toBe(1);
    expect(second.t.state.size).toBe(1);
    expect(await second.t.handleAlert(alert('fp-2', 'other'), 'c3')).toMatchObject({ result: 'duplicate' });
    // Forgotten after retention (which is at least the cooldown): a new decision, as documented.
    expect(await second.t.handleAlert(alert('fp-1'), 'c4')).toMatchObject({ result: 'decided' });
    await second.t.close();
    await second.log.close();
  });
});

describe('DecisionState retention', () => {
  it('prunes decisions older than retention at most once a minute, keeping actions that must still run and recent cooldowns', () => {
    const s = new DecisionState(10 * 60_000);
    s.apply(decision('old', NOW, 'dry-run', { target: 't' }));
    s.apply(decision('pending', NOW, 'act', { target: 't' }));
    s.apply(decision('new', NOW + 11 * 60_000, 'dry-run', { target: 't' }));
    expect(s.get('old')).toBeUndefined();
    expect(s.idForKey(decision('old').key)).toBeUndefined();
    expect(s.get('pending')).toBeDefined();
    expect(s.actionsSince('t', 0)).toEqual([NOW, NOW + 11 * 60_000]);
    expect(s.size).toBe(2);
  });
});

describe('--decision-retention against the policy', () => {
  it('must cover the longest cooldown of any rule and environment, and the rate limit hour', () => {
    const policy = policyFrom(`${POLICY}    environments: [prod]\nenvironments: { prod: { cooldown: 36h } }\n`);
    expect(checkDecisionRetention(policy, 30 * DAY)).toBeUndefined();
    expect(checkDecisionRetention(policy, DAY)).toMatch(/^1d is shorter than the cooldown of rule r in prod \(36h\) in policy\.yaml/);
    expect(checkDecisionRetention(policyFrom(POLICY), 45 * 60_000)).toMatch(/shorter than maxActionsPerHour counts actions over the last hour \(1h\)/);
  });
});

describe('vigil rollback serve --decision-retention', () => {
  it('refuses a retention shorter than the policy cooldown, or not a duration, in one line before opening anything', async () => {
    const dir = await tempDir();
    try {
      await fs.writeFile(path.join(dir, 'policy.yaml'), POLICY.replace('cooldown: 30m', 'cooldown: 2h'));
      await fs.writeFile(path.join(dir, 'token'), '0123456789abcdef0123\n');
      const serve = async (retention: string) => {
        let stderr = '';
        const argv = ['rollback', 'serve', '--policy', 'policy.yaml', '--listen', '127.0.0.1:0', '--token-file', 'token', '--state-dir', 'state'];
        const code = await run([...argv, '--decision-retention', retention], {
          cwd: dir,
          stdout: { write: () => true },
          stderr: { write: (t: string) => ((stderr += t), true) },
          signal: AbortSignal.abort(),
        });
        return { code, stderr };
      };
      const short = await serve('90m');
      expect(short.code).toBe(2);
      expect(short.stderr).toMatch(
        /^vigil rollback: --decision-retention 90m is shorter than the default cooldown \(2h\) in policy\.yaml; a redelivered alert could act twice\n$/,
      );
      expect(short.stderr).not.toMatch(/internal error|\n\s+at /);
      const bad = await serve('a month');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--decision-retention must be a duration such as 30d/);
      await expect(fs.stat(path.join(dir, 'state'))).rejects.toThrow(/ENOENT/);
      expect(await serve('2h')).toMatchObject({ code: 0 });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
