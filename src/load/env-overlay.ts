import { basename } from 'node:path';
import { stringify } from 'yaml';
import type { Diagnostics, Position } from '../diagnostics.js';
import { nearestName } from './nearest-name.js';
import { formatPath, type YamlSource } from './yaml-source.js';

type Path = readonly (string | number)[];
type Json = unknown;

/**
 * Environments for every input kind, in one place. A spec file is the base; the environment being
 * rendered may change it in two ways, applied in this order:
 *
 * 1. an inline `environments: { <env>: <partial spec> }` block in the file itself (for the kinds
 *    whose schema has no `environments` key of its own), and
 * 2. an overlay file `envs/<env>/<same folder>/<any name>.yaml` naming the same document (same
 *    `kind`, and the same `service` or `name` where the kind has one).
 *
 * Each layer is deep-merged onto what is below it BEFORE schema validation, so the result is
 * validated by the kind's own schema and loader: maps merge key by key (`key: null` removes the
 * key, as in a JSON merge patch); arrays replace, except
 * lists of named entries (every entry on both sides a mapping with a string `name`, e.g. `slos:`,
 * `receivers:`), which merge entry by entry on `name` (an unknown name is appended). Positions of
 * the merged document point at the layer that set each value, so a bad value in an override is
 * reported at the override's file:line:col.
 */
export interface EnvOverride {
  /** The environment the override belongs to. */
  readonly env: string;
  /** Where the override sets the value (the base file for an inline block, the overlay file otherwise). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The base document it changes. */
  readonly target: string;
  /** Spec path of the value it sets in the base document's terms; named entries by name: `slos[availability].objective`. */
  readonly path: string;
}

/** A spec file with one environment applied, and what changed it. */
export interface EnvApplied {
  readonly source: YamlSource;
  readonly overrides: readonly EnvOverride[];
}

/** Where a value of a merged document came from. */
interface Origin {
  readonly source: YamlSource;
  readonly path: Path;
}

/** A document value and where each of its nodes came from. */
interface Layer {
  readonly value: Json;
  origin(path: Path): Origin;
}

const isMap = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
const nameOf = (v: Json): string | undefined => (isMap(v) && typeof v.name === 'string' ? v.name : undefined);
const isNamedList = (v: Json): v is Record<string, Json>[] => Array.isArray(v) && v.every((e) => nameOf(e) !== undefined);

/** Merges `upper` onto `lower`: maps by key, named lists by `name`, anything else replaced by `upper`. */
export function mergeValues(lower: Json, upper: Json): Json {
  if (isMap(lower) && isMap(upper)) {
    const out: Record<string, Json> = { ...lower };
    for (const [k, v] of Object.entries(upper)) {
      // As in a JSON merge patch (RFC 7386), null removes the key.
      if (v === null) delete out[k];
      else out[k] = k in lower ? mergeValues(lower[k], v) : v;
    }
    return out;
  }
  if (isNamedList(lower) && isNamedList(upper) && lower.length > 0 && upper.length > 0) {
    const byName = new Map(upper.map((e) => [nameOf(e)!, e] as const));
    const merged = lower.map((e) => (byName.has(nameOf(e)!) ? mergeValues(e, byName.get(nameOf(e)!)) : e));
    const known = new Set(lower.map((e) => nameOf(e)!));
    return [...merged, ...upper.filter((e) => !known.has(nameOf(e)!))];
  }
  return upper;
}

/** Both sides merge (rather than `upper` replacing `lower`) exactly when mergeValues recurses. */
function merges(lower: Json, upper: Json): boolean {
  return (isMap(lower) && isMap(upper)) || (isNamedList(lower) && isNamedList(upper) && lower.length > 0 && upper.length > 0);
}

function mergeLayers(lower: Layer, upper: Layer): Layer {
  return {
    value: mergeValues(lower.value, upper.value),
    origin(path) {
      let lv = lower.value;
      let uv = upper.value;
      const lp: (string | number)[] = [];
      const up: (string | number)[] = [];
      for (const [i, seg] of path.entries()) {
        const rest = path.slice(i);
        if (!merges(lv, uv)) return upper.origin([...up, ...rest]);
        if (isMap(lv) && isMap(uv)) {
          const k = String(seg);
          if (!(k in uv)) return lower.origin([...lp, ...rest]);
          if (!(k in lv)) return upper.origin([...up, ...rest]);
          lv = lv[k];
          uv = uv[k];
          lp.push(seg);
          up.push(seg);
          continue;
        }
        const ls = lv as Record<string, Json>[];
        const us = uv as Record<string, Json>[];
        const index = Number(seg);
        if (index < ls.length) {
          const ui = us.findIndex((e) => nameOf(e) === nameOf(ls[index]));
          if (ui < 0) return lower.origin([...lp, ...rest]);
          lv = ls[index];
          uv = us[ui];
          lp.push(index);
          up.push(ui);
          continue;
        }
        // Entries only the upper layer names follow the lower ones, in the upper layer's order.
        const known = new Set(ls.map((e) => nameOf(e)));
        const added = us.map((e, j) => [e, j] as const).filter(([e]) => !known.has(nameOf(e)));
        const j = added[index - ls.length]?.[1] ?? index;
        return upper.origin([...up, j, ...path.slice(i + 1)]);
      }
      // A value both layers give alike (the `name` an entry is matched by) stays where the base has it.
      return merges(lv, uv) || lv === uv ? lower.origin(lp) : upper.origin(up);
    },
  };
}

/** The leaves `upper` sets, as base-document paths (named entries by name) with their origin. */
function leaves(value: Json, at: Path, shown: string, out: { shown: string; at: Path }[]): void {
  // An empty mapping merges nothing: it overrides nothing either.
  if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, [...at, k], shown ? `${shown}.${k}` : k, out);
    return;
  }
  if (isNamedList(value) && value.length > 0) {
    value.forEach((e, i) => {
      for (const [k, v] of Object.entries(e)) if (k !== 'name') leaves(v, [...at, i, k], `${shown}[${nameOf(e)!}].${k}`, out);
    });
    return;
  }
  out.push({ shown, at });
}

/**
 * A YamlSource whose value is `layer`'s and whose positions follow each value to its layer; its
 * text is that value as YAML (the exporter's ConfigMap ships the models file as the environment has it).
 */
function toSource(base: YamlSource, layer: Layer): YamlSource {
  const via = <T>(path: Path, f: (s: YamlSource, p: Path) => T): T => {
    const o = layer.origin(path);
    return f(o.source, o.path);
  };
  const pos = (s: YamlSource, p: Path, key: boolean): Position => {
    const at = key ? s.keyPositionOf(p) : s.positionOf(p);
    return s === base ? at : { ...at, ...fileOf(s) };
  };
  return {
    file: base.file,
    text: stringify(layer.value, { lineWidth: 0 }),
    value: layer.value,
    positionOf: (p) => via(p, (s, q) => pos(s, q, false)),
    keyPositionOf: (p) => via(p, (s, q) => pos(s, q, true)),
    offsetPositionOf: (p, offset) => via(p, (s, q) => (s === base ? s.offsetPositionOf(q, offset) : { ...s.offsetPositionOf(q, offset), ...fileOf(s) })),
  };
}

/**
 * Positions carry no file: a value from an overlay file is reported in that file through the
 * `file` field diagnostics accept next to line and column (see Diagnostics.error's `at`).
 */
function fileOf(s: YamlSource): { file: string } {
  return { file: s.file };
}

/** What one environment does to the spec files of one folder. */
export interface EnvironmentContext {
  /** The environment being rendered; undefined: the base files as written. */
  readonly env: string | undefined;
  /** The declared environments (config `environments:`); undefined: names are not checked here. */
  readonly declared: readonly string[] | undefined;
  /** Overlay files of `env` by folder (`slos`, `alerts`, `exporters/gpu`), parsed. */
  readonly overlays: ReadonlyMap<string, readonly YamlSource[]>;
}

/** An environment to apply while loading, and where the overrides it applied are collected. */
export interface EnvironmentLoad {
  readonly context: EnvironmentContext;
  readonly overrides: EnvOverride[];
}

/** `applyEnvironment` for a loader that may run without environments (tests, single files). */
export function withEnvironment(
  sources: readonly (YamlSource | undefined)[],
  folder: string,
  load: EnvironmentLoad | undefined,
  diags: Diagnostics,
): (YamlSource | undefined)[] {
  // Without an environment the inline blocks are still taken out: the base is what is validated.
  const applied = applyEnvironment(sources, folder, load?.context ?? { env: undefined, declared: undefined, overlays: new Map() }, diags);
  load?.overrides.push(...applied.overrides);
  return applied.sources;
}

/** Kinds whose schema already has an `environments` key of its own meaning; they take overlay files only. */
const OWN_ENVIRONMENTS_KEY = new Set(['AlertPack', 'RollbackPolicy', 'AlertParams']);

/** A document's identity: kind, and its service or name where it has one. */
export function documentIdentity(value: Json): string {
  if (!isMap(value)) return '';
  const id = typeof value.service === 'string' ? value.service : typeof value.name === 'string' ? value.name : undefined;
  return `${String(value.kind)}${id !== undefined ? ` ${id}` : ''}`;
}

/**
 * The spec files of `folder` with `ctx.env` applied (inline blocks, then overlay files), the
 * inline blocks removed, and every override. Reports env names in inline blocks that are not
 * declared (CFG011), blocks that are not mappings (CFG014) and overlay files that name no base
 * document (CFG013), each at its position.
 */
export function applyEnvironment(
  sources: readonly (YamlSource | undefined)[],
  folder: string,
  ctx: EnvironmentContext,
  diags: Diagnostics,
): { sources: (YamlSource | undefined)[]; overrides: EnvOverride[] } {
  const overlays = [...(ctx.overlays.get(folder) ?? [])];
  const overrides: EnvOverride[] = [];
  const bases = sources.filter((s): s is YamlSource => s !== undefined);
  // Each overlay patches the one document of its identity; where several share it (kinds without a
  // name, such as two rollback policies), the one whose file has the overlay's file name.
  const targetOf = new Map<YamlSource, YamlSource>();
  for (const o of overlays) {
    const same = bases.filter((b) => documentIdentity(b.value) === documentIdentity(o.value));
    const target = same.length === 1 ? same[0] : same.find((b) => basename(b.file) === basename(o.file));
    if (target) targetOf.set(o, target);
    else if (same.length > 1)
      diags.error(
        'CFG013',
        `overlay for environment ${ctx.env ?? ''} matches ${same.length} documents (${same.map((b) => b.file).join(', ')})`,
        { file: o.file, ...o.positionOf(['kind']), path: 'kind' },
        'give the overlay the file name of the one it patches',
      );
  }
  const used = new Set<YamlSource>(targetOf.keys());
  for (const o of overlays) if (!targetOf.has(o) && bases.filter((b) => documentIdentity(b.value) === documentIdentity(o.value)).length > 1) used.add(o);
  const out = sources.map((base) => {
    if (!base) return undefined;
    const mine = overlays.filter((o) => targetOf.get(o) === base);
    const applied = applyToDocument(base, mine, ctx, diags);
    overrides.push(...applied.overrides);
    return applied.source;
  });
  const known = bases.map((s) => documentIdentity(s.value));
  for (const o of overlays) {
    if (used.has(o)) continue;
    const identity = documentIdentity(o.value);
    const key = isMap(o.value) && typeof o.value.service === 'string' ? 'service' : isMap(o.value) && typeof o.value.name === 'string' ? 'name' : 'kind';
    const meant = nearestName(identity, known);
    diags.error(
      'CFG013',
      `overlay for environment ${ctx.env ?? ''} patches ${JSON.stringify(identity)}, but no file in ${folder}/ declares it${meant ? ` (did you mean ${JSON.stringify(meant)}?)` : ''}`,
      { file: o.file, ...o.positionOf([key]), path: key },
      `an overlay under envs/<env>/${folder}/ patches the ${folder}/ document of the same kind${key === 'kind' ? '' : ` and ${key}`}; documents there: ${known.join(', ') || 'none'}`,
    );
  }
  return { sources: out, overrides };
}

/** One document with `ctx.env`'s inline block and overlay files applied. */
export function applyToDocument(base: YamlSource, overlays: readonly YamlSource[], ctx: EnvironmentContext, diags: Diagnostics): EnvApplied {
  const value = base.value;
  const inline = isMap(value) && !OWN_ENVIRONMENTS_KEY.has(String(value.kind)) && 'environments' in value;
  let layer: Layer = {
    value: inline ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'environments')) : value,
    origin: (p) => ({ source: base, path: p }),
  };
  const upper: { layer: Layer; source: YamlSource; prefix: Path }[] = [];
  if (inline) {
    const block = value.environments;
    if (!isMap(block)) {
      diags.error('CFG014', 'environments: must be a mapping of environment name → overrides of this file', {
        file: base.file,
        ...base.positionOf(['environments']),
        path: 'environments',
      });
    } else {
      for (const [name, part] of Object.entries(block)) {
        if (ctx.declared) checkDeclared(name, ctx.declared, base, ['environments', name], diags);
        if (!isMap(part)) {
          diags.error('CFG014', `environments.${name}: must be a mapping of the keys this environment overrides`, {
            file: base.file,
            ...base.positionOf(['environments', name]),
            path: `environments.${name}`,
          });
          continue;
        }
        if (name === ctx.env)
          upper.push({
            layer: { value: part, origin: (p) => ({ source: base, path: ['environments', name, ...p] }) },
            source: base,
            prefix: ['environments', name],
          });
      }
    }
  }
  for (const o of overlays) {
    // The identity keys are the match, not a change; `environments` has no meaning in an overlay.
    const v = isMap(o.value)
      ? Object.fromEntries(Object.entries(o.value).filter(([k]) => !['$schema', 'apiVersion', 'kind', 'environments'].includes(k)))
      : o.value;
    if (isMap(o.value) && 'environments' in o.value)
      diags.error('CFG014', 'an overlay file applies to its own environment only: it cannot have an environments: block', {
        file: o.file,
        ...o.keyPositionOf(['environments']),
        path: 'environments',
      });
    upper.push({ layer: { value: v, origin: (p) => ({ source: o, path: p }) }, source: o, prefix: [] });
  }
  const overrides: EnvOverride[] = [];
  for (const u of upper) {
    const found: { shown: string; at: Path }[] = [];
    leaves(u.layer.value, [], '', found);
    for (const f of found) {
      if (f.shown === 'service' || f.shown === 'name') continue;
      const pos = u.source.positionOf([...u.prefix, ...f.at]);
      overrides.push({ env: ctx.env ?? '', file: u.source.file, line: pos.line, column: pos.column, target: base.file, path: f.shown });
    }
    layer = mergeLayers(layer, u.layer);
  }
  if (!inline && upper.length === 0) return { source: base, overrides };
  // The text is the document as this environment has it (the exporter's ConfigMap ships the models file).
  return { source: toSource(base, layer), overrides };
}

/** CFG011: an environment name a file uses that the configuration does not declare. */
export function checkDeclared(name: string, declared: readonly string[], source: YamlSource, at: Path, diags: Diagnostics, keyed = true): boolean {
  if (declared.includes(name)) return true;
  const meant = nearestName(name, declared);
  diags.error(
    'CFG011',
    `environment ${JSON.stringify(name)} is not declared${declared.length > 0 ? ` (declared: ${declared.join(', ')})` : ''}${meant ? `; did you mean ${meant}?` : ''}`,
    { file: source.file, ...(keyed ? source.keyPositionOf(at) : source.positionOf(at)), path: formatPath(at) },
    'declare every environment once, in vigil.config.yaml environments:',
  );
  return false;
}
