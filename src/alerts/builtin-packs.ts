import fs from 'node:fs';
import path from 'node:path';
import type { Diagnostics, Position } from '../diagnostics.js';
import { nearestName } from '../load/nearest-name.js';
import { readYamlFile } from '../load/read-yaml.js';
import { validateWithSchema } from '../load/validate-schema.js';
import { formatPath, type YamlSource } from '../load/yaml-source.js';
import { packageRoot } from '../runtime/package-root.js';
import { ALERT_SCHEMA_CODES, AlertPackUseSchema, type AlertPackSpec, type AlertPackUseSpec } from './schema.js';

type Path = readonly (string | number)[];

/** The built-in packs that ship with vigil (`packs/<name>.yaml` in the package), sorted. */
export function builtinPackNames(): string[] {
  const dir = path.join(packageRoot(), 'packs');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.replace(/\.yaml$/, ''))
        .sort()
    : [];
}

/** Whether a parsed AlertPack file uses a built-in pack. */
export function usesBuiltin(source: YamlSource): boolean {
  const v = source.value;
  return v !== null && typeof v === 'object' && 'uses' in v;
}

/**
 * A pack that `uses:` a built-in pack, resolved into a complete pack (the same shape as one
 * written out): the built-in's groups with `overrides` applied and `disable`d alerts left out,
 * labels and params merged over the built-in's (an unknown param is ALR011). Params the team does
 * not set but the configuration does (`runbookBase` from runbooks.baseUrl, `exporterJob` from
 * jobs.exporter) take the configured value. Positions: what the team's
 * file sets points into it (an overridden field at its override); the built-in's own content
 * points at `uses:`. Codes: ALR080 (groups beside uses), ALR081 (no such built-in), ALR082
 * (overrides or disable naming an alert the built-in does not have).
 */
export async function resolveBuiltinPack(
  source: YamlSource,
  configured: Readonly<Record<string, string | undefined>>,
  diags: Diagnostics,
): Promise<YamlSource | undefined> {
  const at = (p: Path, key = false) => ({ file: source.file, ...(key ? source.keyPositionOf(p) : source.positionOf(p)), path: formatPath(p) });
  const raw = source.value as Record<string, unknown>;
  if ('groups' in raw) {
    diags.error(
      'ALR080',
      'a pack that uses a built-in pack has no groups of its own',
      at(['groups'], true),
      'change single alerts with overrides: { AlertName: { ... } }, or write a pack of your own without uses:',
    );
    return undefined;
  }
  if (!validateWithSchema(AlertPackUseSchema, source, diags, ALERT_SCHEMA_CODES)) return undefined;
  const spec = raw as unknown as AlertPackUseSpec;
  const names = builtinPackNames();
  if (!names.includes(spec.uses)) {
    const meant = nearestName(spec.uses, names);
    diags.error(
      'ALR081',
      `no built-in pack ${JSON.stringify(spec.uses)}${meant ? ` (did you mean ${meant}?)` : ''}`,
      at(['uses']),
      `built-in packs: ${names.join(', ')}`,
    );
    return undefined;
  }
  const builtin = await readYamlFile(packageRoot(), path.join(packageRoot(), 'packs', `${spec.uses}.yaml`), diags);
  if (!builtin) return undefined;
  const base = JSON.parse(JSON.stringify(builtin.value)) as AlertPackSpec;
  const before = diags.errors.length;

  const declared = Object.keys(base.params ?? {});
  const checkParams = (values: Record<string, unknown> | undefined, p: Path) => {
    for (const k of Object.keys(values ?? {})) {
      if (!declared.includes(k))
        diags.error(
          'ALR011',
          `parameter ${JSON.stringify(k)} is not declared by built-in pack ${JSON.stringify(spec.uses)}`,
          at([...p, k], true),
          `declared parameters: ${declared.join(', ') || '(none)'}`,
        );
    }
  };
  checkParams(spec.params, ['params']);
  for (const [env, values] of Object.entries(spec.environments ?? {})) checkParams(values, ['environments', env]);

  const alerts = new Map<string, { group: number; alert: number }>();
  base.groups.forEach((g, gi) => g.alerts.forEach((a, ai) => alerts.set(a.alert, { group: gi, alert: ai })));
  const known = [...alerts.keys()];
  const unknownAlert = (name: string, p: Path, key: boolean) => {
    const meant = nearestName(name, known);
    diags.error(
      'ALR082',
      `built-in pack ${spec.uses} has no alert ${name}${meant ? ` (did you mean ${meant}?)` : ''}`,
      at(p, key),
      `its alerts: ${known.join(', ')}`,
    );
  };
  for (const name of Object.keys(spec.overrides ?? {})) if (!alerts.has(name)) unknownAlert(name, ['overrides', name], true);
  (spec.disable ?? []).forEach((name, i) => {
    if (!alerts.has(name)) unknownAlert(name, ['disable', i], false);
  });
  if (diags.errors.length > before) return undefined;

  const params = { ...base.params, ...spec.params };
  // Params the configuration sets for every built-in (runbookBase, exporterJob), unless the team's pack does.
  for (const [name, value] of Object.entries(configured))
    if (value !== undefined && name in params && !(spec.params && name in spec.params)) params[name] = value;
  const environments = { ...base.environments };
  for (const [env, values] of Object.entries(spec.environments ?? {})) environments[env] = { ...environments[env], ...values };
  // Where each alert of the resolved pack came from, to place diagnostics about overridden fields.
  const origin = new Map<string, string>();
  const groups = base.groups
    .map((g) => ({ ...g, alerts: g.alerts.filter((a) => !(spec.disable ?? []).includes(a.alert)).map((a) => overridden(a, spec.overrides?.[a.alert])) }))
    .filter((g) => g.alerts.length > 0);
  groups.forEach((g, gi) => g.alerts.forEach((a, ai) => origin.set(`${gi}/${ai}`, a.alert)));
  const merged: AlertPackSpec = {
    apiVersion: 'vigil/v1',
    kind: 'AlertPack',
    name: spec.name,
    ...((spec.description ?? base.description) ? { description: spec.description ?? base.description } : {}),
    labels: { ...base.labels, ...spec.labels },
    params,
    ...(Object.keys(environments).length > 0 ? { environments } : {}),
    groups,
  };
  const usesAt = () => source.keyPositionOf(['uses']);
  const mapped = (p: Path, key: boolean): Position => {
    const [top] = p;
    if (top === 'groups' && typeof p[1] === 'number' && p[2] === 'alerts' && typeof p[3] === 'number') {
      const name = origin.get(`${p[1]}/${p[3]}`);
      const field = p[4];
      if (name && typeof field === 'string' && spec.overrides?.[name] && field in spec.overrides[name]) {
        const q = ['overrides', name, ...p.slice(4)];
        return key ? source.keyPositionOf(q) : source.positionOf(q);
      }
      return usesAt();
    }
    if (top === 'labels' || top === 'params' || top === 'environments' || top === 'name' || top === 'description') {
      return hasPath(raw, p) ? (key ? source.keyPositionOf(p) : source.positionOf(p)) : usesAt();
    }
    return p.length === 0 ? source.positionOf([]) : usesAt();
  };
  return {
    file: source.file,
    text: source.text,
    value: merged,
    positionOf: (p) => mapped(p, false),
    keyPositionOf: (p) => mapped(p, true),
    offsetPositionOf: (p, offset) => (p[0] === 'groups' ? mapped(p, false) : source.offsetPositionOf(p, offset)),
  };
}

function hasPath(value: unknown, p: Path): boolean {
  let v = value;
  for (const step of p) {
    if (v === null || typeof v !== 'object' || !(String(step) in v)) return false;
    v = (v as Record<string, unknown>)[String(step)];
  }
  return true;
}

type AlertOf<P extends AlertPackSpec> = P['groups'][number]['alerts'][number];

/** An alert with a team's override applied (its labels merged, every other field replaced). */
function overridden<A extends AlertOf<AlertPackSpec>>(a: A, o: NonNullable<AlertPackUseSpec['overrides']>[string] | undefined): A {
  return o ? { ...a, ...o, labels: { ...a.labels, ...o.labels } } : a;
}
