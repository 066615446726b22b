import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * Issue 13, item 8: the image. No container runtime runs on this machine, so the Dockerfile is
 * checked statically: its stages, that the runtime stage is Node 20 slim, non-root, with `vigil`
 * as entrypoint and only production dependencies, that every COPY source exists and survives
 * .dockerignore, and that the runtime stage holds everything package.json publishes.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

interface Instruction {
  readonly line: number;
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly name: string | undefined;
  readonly from: string;
  readonly instructions: Instruction[];
}

/** Splits a Dockerfile into instructions (comments dropped, `\` continuations joined) and stages. */
export function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') start = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = pending + line;
    pending = '';
    const m = /^(\w+)\s+(.*)$/.exec(full);
    if (!m) throw new Error(`Dockerfile:${start}: cannot parse ${JSON.stringify(full)}`);
    instructions.push({ line: start, op: m[1]!.toUpperCase(), args: m[2]! });
  });
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile:${ins.line}: bad FROM`);
      stages.push({ from: m[1]!.replace(/^\$\{(\w+)\}$/, (_, k: string) => args.get(k) ?? `\${${k}}`), name: m[2], instructions: [] });
    } else if (stages.length === 0) {
      if (ins.op !== 'ARG') throw new Error(`Dockerfile:${ins.line}: only ARG may come before FROM`);
      const [k, v] = ins.args.split('=');
      args.set(k!, v ?? '');
    } else stages.at(-1)!.instructions.push(ins);
  }
  return { args, stages };
}

/** .dockerignore as Docker applies it: patterns in order, `!` re-includes, the last match wins. */
function dockerignored(patterns: string[], file: string): boolean {
  let ignored = false;
  for (const p of patterns) {
    const negate = p.startsWith('!');
    const glob = negate ? p.slice(1) : p;
    const re = new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]]/g, '\\$&')
        .replace(/\*\*\/?/g, '\uE000')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\uE000/g, '.*')}$`,
    );
    if (re.test(file)) ignored = !negate;
  }
  return ignored;
}

function filesUnder(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (fs.statSync(abs).isFile()) return [rel];
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

describe('Dockerfile (static checks; no container runtime here)', () => {
  const { args, stages } = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const runtime = stages.at(-1)!;
  const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);
  const ignore = fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('is multi-stage: build, production dependencies, runtime on Node 20 slim', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    expect(args.get('NODE_IMAGE')).toMatch(/^node:20(\.\d+)*-(bookworm-)?slim$/);
    for (const s of stages) expect(s.from).toBe(args.get('NODE_IMAGE'));
    const deps = stages.find((s) => s.name === 'deps')!;
    expect(
      ops(deps, 'RUN')
        .map((r) => r.args)
        .join('\n'),
    ).toMatch(/npm ci --omit=dev/);
    // The runtime stage builds nothing and installs nothing: it copies.
    expect(ops(runtime, 'RUN').map((r) => r.args)).toEqual(['chmod 0555 bin/vigil.js && ln -s /app/bin/vigil.js /usr/local/bin/vigil']);
  });

  it('runs as a non-root user with vigil as the entrypoint', () => {
    const users = ops(runtime, 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0]!.args.split(':');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid)).toBeGreaterThan(0);
    // USER comes after the last RUN, so nothing after it runs as root.
    expect(users[0]!.line).toBeGreaterThan(Math.max(...ops(runtime, 'RUN').map((r) => r.line)));
    expect(JSON.parse(ops(runtime, 'ENTRYPOINT')[0]!.args)).toEqual(['vigil']);
    expect(fs.readFileSync(path.join(ROOT, 'bin/vigil.js'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\nimport \{ run \} from '\.\.\/dist\/src\/cli\/main\.js';/,
    );
    expect(fs.existsSync(path.join(ROOT, 'src/cli/main.ts'))).toBe(true);
    // Read-only root filesystem: HOME points at /tmp, which the manifests mount as an emptyDir.
    expect(
      ops(runtime, 'ENV')
        .map((e) => e.args)
        .join(' '),
    ).toMatch(/HOME=\/tmp/);
  });

  it('copies only sources that exist and that .dockerignore lets into the build context', () => {
    const problems: string[] = [];
    for (const stage of stages)
      for (const copy of ops(stage, 'COPY')) {
        const parts = copy.args.split(/\s+/);
        const from = parts.find((p) => p.startsWith('--from='));
        const paths = parts.filter((p) => !p.startsWith('--'));
        const sources = paths.slice(0, -1);
        if (from) {
          const name = from.slice('--from='.length);
          if (!stages.slice(0, stages.indexOf(stage)).some((s) => s.name === name)) problems.push(`line ${copy.line}: --from=${name} is not an earlier stage`);
          continue;
        }
        for (const src of sources) {
          if (!fs.existsSync(path.join(ROOT, src))) problems.push(`line ${copy.line}: ${src} does not exist`);
          else if (filesUnder(src).every((f) => dockerignored(ignore, f))) problems.push(`line ${copy.line}: ${src} is excluded by .dockerignore`);
        }
      }
    expect(problems).toEqual([]);
    // Tests, node_modules and build output stay out of the context.
    expect(dockerignored(ignore, 'src/cli/main.ts')).toBe(false);
    expect(dockerignored(ignore, 'test/rollback/e2e.test.ts')).toBe(true);
    expect(dockerignored(ignore, 'src/rollback/x.test.ts')).toBe(true);
    expect(dockerignored(ignore, 'node_modules/yaml/package.json')).toBe(true);
    expect(dockerignored(ignore, 'build/kubernetes/x.yaml')).toBe(true);
  });

  it('holds everything package.json publishes, compiled from what tsconfig.build.json includes', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    const copied = ops(runtime, 'COPY').map((c) =>
      c.args
        .split(/\s+/)
        .at(-1)!
        .replace(/^\.\/|\/$/g, ''),
    );
    // README.md and docs/ are for readers; nothing under src/ or exporters/ reads them at run time.
    const runtimeFiles = pkg.files.filter((f) => !f.startsWith('!') && !['README.md', 'docs/'].includes(f));
    expect(runtimeFiles.length).toBeGreaterThanOrEqual(6);
    for (const entry of runtimeFiles) expect(copied, entry).toContain(entry.replace(/\/$/, ''));
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(build.include).toEqual(expect.arrayContaining(['src', 'exporters']));
    const buildStage = stages.find((s) => s.name === 'build')!;
    expect(ops(buildStage, 'RUN').map((r) => r.args)).toContain('npx tsc -p tsconfig.build.json');
  });

  it('matches the generated manifests: the same non-root user, a read-only root and a writable /tmp', () => {
    const file = path.join(ROOT, 'test/cases/full-platform/expected/kubernetes/rollback-trigger/statefulset.yaml');
    const sts = parseAllDocuments(fs.readFileSync(file, 'utf8'))[0]!.toJS() as {
      spec: {
        template: { spec: { securityContext: { runAsUser: number }; containers: { securityContext: object; volumeMounts: { mountPath: string }[] }[] } };
      };
    };
    const pod = sts.spec.template.spec;
    expect(String(pod.securityContext.runAsUser)).toBe(ops(runtime, 'USER')[0]!.args.split(':')[0]);
    expect(pod.containers[0]!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.containers[0]!.volumeMounts.map((m) => m.mountPath)).toContain('/tmp');
  });
});
