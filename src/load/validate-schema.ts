import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { Diagnostics } from '../diagnostics.js';
import { nearestName } from './nearest-name.js';
import { formatPath, pointerToPath, type YamlSource } from './yaml-source.js';

/** Codes used for schema errors; each spec family has its own prefix (SLO, ALR, RTE, POL, ...). */
export interface SchemaCodes {
  readonly unknownKey: string;
  readonly missingKey: string;
  readonly wrongType: string;
  readonly badValue: string;
}

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });
const compiled = new WeakMap<object, ValidateFunction>();

function compile(schema: TSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/**
 * Validates a parsed YAML document against a TypeBox/JSON schema and turns every ajv error into
 * a positioned diagnostic. Union (anyOf/oneOf) noise is reduced to the most specific branch error.
 * Returns true when the document is valid; `errorPaths` (if given) receives the JSON pointer of
 * every reported error, so callers can go on checking the parts that are valid.
 */
export function validateWithSchema(schema: TSchema, source: YamlSource, diags: Diagnostics, codes: SchemaCodes, errorPaths?: string[]): boolean {
  const validate = compile(schema);
  if (validate(source.value)) return true;
  for (const e of simplify(validate.errors ?? [])) {
    report(e, source, diags, codes);
    errorPaths?.push(e.instancePath);
  }
  return false;
}

function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  // A union whose object branch reported something deeper (an unknown key inside it) is best
  // explained by that deeper error: drop the union's own errors at the union's path.
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  const explainedDeeper = (p: string) =>
    errors.some((o) => o.instancePath.startsWith(`${p}/`) || (o.instancePath === p && (o.keyword === 'additionalProperties' || o.keyword === 'required')));
  const out: ErrorObject[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (unionPaths.has(e.instancePath) && explainedDeeper(e.instancePath) && ['anyOf', 'oneOf', 'const', 'enum', 'type'].includes(e.keyword)) continue;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  // Within one path, prefer additionalProperties/required over type errors from other branches;
  // a missing key that an unknown key misspells is one mistake, reported once (as the unknown key).
  return out.filter(
    (e) =>
      !(
        e.keyword === 'type' &&
        out.some((o) => o !== e && o.instancePath === e.instancePath && o.keyword !== 'type' && o.keyword !== 'anyOf' && o.keyword !== 'oneOf')
      ) && !(e.keyword === 'required' && misspelledAs(e, out) !== undefined),
  );
}

/** The unknown key at the same path that misspells the missing key of a `required` error. */
function misspelledAs(required: ErrorObject, errors: readonly ErrorObject[]): string | undefined {
  const missing = String((required.params as { missingProperty?: unknown }).missingProperty);
  return errors
    .filter((o) => o.keyword === 'additionalProperties' && o.instancePath === required.instancePath)
    .map((o) => String((o.params as { additionalProperty?: unknown }).additionalProperty))
    .find((key) => nearestName(key, [missing]) !== undefined);
}

function report(e: ErrorObject, source: YamlSource, diags: Diagnostics, codes: SchemaCodes): void {
  const path = pointerToPath(e.instancePath);
  const at = (p: (string | number)[], key = false) => {
    const pos = key ? source.keyPositionOf(p) : source.positionOf(p);
    return { file: pos.file ?? source.file, line: pos.line, column: pos.column, path: formatPath(p) || '(document)' };
  };
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = allowedKeys(e);
      const meant = allowed ? nearestName(key, allowed) : undefined;
      diags.error(
        codes.unknownKey,
        `unknown key ${JSON.stringify(key)}${meant ? ` (did you mean ${JSON.stringify(meant)}?)` : ''}`,
        at([...path, key], true),
        meant ? `rename it to ${meant}` : allowed ? `allowed keys here: ${allowed.join(', ')}` : 'remove it or check its spelling',
      );
      return;
    }
    case 'required':
      diags.error(
        codes.missingKey,
        `missing required key ${JSON.stringify(String(p.missingProperty))}`,
        at(path, path.length > 0),
        `add ${String(p.missingProperty)}: to this mapping`,
      );
      return;
    case 'type':
      diags.error(codes.wrongType, `must be ${describeType(String(p.type))}, got ${describeValue(valueAt(source.value, path))}`, at(path), shapeHint(e));
      return;
    case 'enum':
    case 'const': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [p.allowedValue];
      diags.error(
        codes.badValue,
        `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(valueAt(source.value, path))}`,
        at(path),
      );
      return;
    }
    case 'pattern':
      diags.error(
        codes.badValue,
        `${describeValue(valueAt(source.value, path))} does not match ${String(p.pattern)}`,
        at(path),
        (e.parentSchema as { description?: string } | undefined)?.description,
      );
      return;
    case 'minItems':
      diags.error(codes.badValue, `must have at least ${String(p.limit)} item(s)`, at(path));
      return;
    case 'uniqueItems':
      diags.error(codes.badValue, `items must be unique (items ${String(p.j)} and ${String(p.i)} are equal)`, at(path));
      return;
    case 'minProperties':
    case 'maxProperties':
      diags.error(codes.badValue, `${e.message ?? 'wrong number of keys'}`, at(path), (e.parentSchema as { description?: string } | undefined)?.description);
      return;
    case 'anyOf':
    case 'oneOf':
      diags.error(codes.badValue, `does not match any allowed form`, at(path), (e.parentSchema as { description?: string } | undefined)?.description);
      return;
    default:
      diags.error(codes.badValue, e.message ?? 'invalid value', at(path));
  }
}

function allowedKeys(e: ErrorObject): string[] | undefined {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : undefined;
}

/** What the value should look like: the schema's own description, else the shape of a mapping or list. */
function shapeHint(e: ErrorObject): string | undefined {
  const schema = e.parentSchema as { description?: string; properties?: Record<string, unknown>; items?: unknown } | undefined;
  if (schema?.description) return schema.description;
  const keys = allowedKeys(e);
  if (String((e.params as { type?: unknown }).type).includes('object') && keys) return `a mapping with keys ${keys.join(', ')}, e.g. { ${keys[0]}: ... }`;
  if (String((e.params as { type?: unknown }).type).includes('array')) return 'a list: one "- item" per line, or [a, b]';
  return undefined;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = root;
  for (const s of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s as string] : undefined;
  return v;
}

function describeType(t: string): string {
  return t
    .split(',')
    .map((x) => (x === 'object' ? 'a mapping' : x === 'array' ? 'a list' : `a ${x}`))
    .join(' or ');
}

/** Short human description of a value for messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
