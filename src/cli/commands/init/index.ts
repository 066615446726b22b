import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../../diagnostics.js';
import { parseFlags } from '../../args.js';
import { EXIT_OK, EXIT_USAGE, type Command } from '../../io.js';
import { packageRoot } from '../../../runtime/package-root.js';
import { kubeName } from '../../../generate/kubernetes/exporter-manifests.js';
import { packageVersion } from '../../version.js';

const usage = 'vigil init [--root DIR] [--service NAME] [--team NAME] [--force] [--format text|json]';
const KEBAB = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** `vigil init`: a working starting point in a team's repository, without touching what is there. */
export const initCommand: Command = {
  summary: "Set up vigil in this repository: config, one service's SLOs, alerts, routing, a dashboard, a rollback policy and CI.",
  usage,
  examples: [
    'vigil init --service checkout --team payments   # then: npm install && npx vigil render',
    'vigil init --force                              # replace files init wrote before',
  ],
  run(argv, io) {
    const { values } = parseFlags(argv, { service: { type: 'string' }, team: { type: 'string' }, force: { type: 'boolean', default: false } }, usage);
    const root = path.resolve(io.cwd, values.root ?? '.');
    fs.mkdirSync(root, { recursive: true });
    const service = values.service ?? kebab(packageName(root) ?? path.basename(root));
    const team = values.team ?? 'platform';
    for (const [flag, v] of [
      ['--service', service],
      ['--team', team],
    ] as const) {
      if (!KEBAB.test(v))
        throw new UserError(`${flag} ${JSON.stringify(v)}: use lower-case letters, digits and "-" (e.g. checkout-api)\nusage: ${usage}`, EXIT_USAGE);
    }
    const written: string[] = [];
    const kept: string[] = [];
    const templates = path.join(packageRoot(), 'templates/init');
    for (const rel of listFiles(templates)) {
      const target = rel.replaceAll('__SERVICE__', service);
      const text = fs.readFileSync(path.join(templates, rel), 'utf8').replaceAll('__SERVICE__', service).replaceAll('__TEAM__', team);
      (writeFile(root, target, text, values.force) ? written : kept).push(target);
    }
    (addDevDependency(root) ? written : kept).push('package.json');
    (ignoreBuild(root) ? written : kept).push('.gitignore');
    if (values.format === 'json') io.stdout.write(`${JSON.stringify({ root, service, team, written, kept }, null, 2)}\n`);
    else {
      for (const f of written) io.stdout.write(`wrote ${f}\n`);
      for (const f of kept) io.stdout.write(`kept  ${f} (it exists; --force replaces what init writes)\n`);
      io.stdout.write(`\nnext: npm install && npx vigil check --strict && npx vigil render && npx vigil test\n`);
    }
    return Promise.resolve(EXIT_OK);
  },
};

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

/** Writes `text` unless the file exists (and `force` is off); true when written. */
function writeFile(root: string, rel: string, text: string, force: boolean): boolean {
  const file = path.join(root, rel);
  if (fs.existsSync(file) && !force) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return true;
}

function packageName(root: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name?: string }).name?.replace(/^@[^/]+\//, '');
  } catch {
    return undefined;
  }
}

/** A service or package name as a Kubernetes-style name (what slos/, alerts/ and series need). */
function kebab(name: string): string {
  return kubeName(name) || 'my-service';
}

/** Adds vigil-monitoring to devDependencies (creating package.json when there is none); true when changed. */
function addDevDependency(root: string): boolean {
  const file = path.join(root, 'package.json');
  let pkg: { name?: string; private?: boolean; devDependencies?: Record<string, string> } = { name: kebab(path.basename(root)), private: true };
  if (fs.existsSync(file)) {
    try {
      pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof pkg;
    } catch {
      throw new UserError('package.json is not valid JSON; fix it, then run vigil init again', 1);
    }
  }
  const deps = (pkg as { dependencies?: Record<string, string> }).dependencies ?? {};
  if (pkg.devDependencies?.['vigil-monitoring'] || deps['vigil-monitoring']) return false;
  pkg.devDependencies = { ...pkg.devDependencies, 'vigil-monitoring': `^${packageVersion()}` };
  fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  return true;
}

/** Keeps the render output out of Git; true when .gitignore changed. */
function ignoreBuild(root: string): boolean {
  const file = path.join(root, '.gitignore');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (/^\/?build\/?$/m.test(text)) return false;
  fs.writeFileSync(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}/build/\n`);
  return true;
}
