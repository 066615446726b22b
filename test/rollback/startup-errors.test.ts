import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { tempDir } from './helpers.js';

/**
 * Issue 13, item 4: every start-up failure of `vigil rollback serve` is one clear line and exit 1,
 * never "internal error" with a stack: files the policy names, the state dir, the port, and a
 * hostile policy file.
 */
const HEAD = 'apiVersion: vigil/v1\nkind: RollbackPolicy\n';
const RULES = 'rules:\n  - name: r\n    match: { slo: x }\n    target: t\n';

describe('rollback serve start-up failures', () => {
  let dir: string;
  let token: string;
  const serve = async (policy: string, extra: { stateDir?: string; listen?: string } = {}) => {
    await fs.writeFile(path.join(dir, 'policy.yaml'), policy);
    let stderr = '';
    const stop = new AbortController();
    const code = await run(
      [
        'rollback',
        'serve',
        '--policy',
        'policy.yaml',
        '--listen',
        extra.listen ?? '127.0.0.1:0',
        '--token-file',
        token,
        '--state-dir',
        extra.stateDir ?? path.join(dir, 'state'),
      ],
      { cwd: dir, stdout: { write: () => true }, stderr: { write: (s: string) => ((stderr += s), true) }, signal: stop.signal },
    );
    return { code, lines: stderr.trim().split('\n') };
  };

  beforeAll(async () => {
    dir = await tempDir();
    token = path.join(dir, 'token');
    await fs.writeFile(token, '0123456789abcdef0123\n');
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  const oneLine = (r: { code: number; lines: string[] }, pattern: RegExp) => {
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(pattern);
    expect(r.lines[0]).not.toMatch(/internal error/);
  };

  it('an MLflow tokenFile that does not exist', async () => {
    const policy = `${HEAD}mlflow: { url: http://127.0.0.1:9/, tokenFile: ${dir}/missing-token }\ntargets:\n  t:\n    mlflowAlias: { model: m, alias: champion }\n${RULES}`;
    oneLine(await serve(policy), /cannot read mlflow\.tokenFile .*missing-token \(named in policy\.yaml\): ENOENT/);
  });

  it('an empty webhook secret file', async () => {
    await fs.writeFile(path.join(dir, 'empty'), '\n');
    const policy = `${HEAD}webhook: { secretFile: ${dir}/empty }\ntargets:\n  t:\n    webhook: { url: "http://127.0.0.1:9/hook" }\n${RULES}`;
    oneLine(await serve(policy), /webhook\.secretFile .*empty \(named in policy\.yaml\) is empty/);
  });

  const FLAG = `${HEAD}targets:\n  t:\n    flagdFlag: { file: /tmp/f.json, flag: f, variant: stable }\n${RULES}`;

  it('a state dir that cannot be created (a file is in the way)', async () => {
    await fs.writeFile(path.join(dir, 'a-file'), 'x');
    oneLine(await serve(FLAG, { stateDir: path.join(dir, 'a-file', 'state') }), /--state-dir .*a-file\/state is not usable \((ENOTDIR|EEXIST)\)/);
  });

  it('a port that is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      oneLine(
        await serve(FLAG, { listen: `127.0.0.1:${port}`, stateDir: path.join(dir, 'state-port') }),
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`),
      );
    } finally {
      blocker.close();
    }
  });

  it('a policy that is a YAML alias bomb: YAML005 at its line and column, no stack', async () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c]',
    ];
    const r = await serve(`${bomb.join('\n')}\n`);
    expect(r.code).toBe(1);
    expect(r.lines.join('\n')).toMatch(/policy\.yaml:3:8: error YAML005: aliases here expand to more than 100 copies/);
    expect(r.lines.join('\n')).not.toMatch(/internal error|\n\s+at /);
  });
});
