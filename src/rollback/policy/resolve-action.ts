import type { ResolvedActionSpec } from '../ports.js';
import type { TargetDocument } from './schema.js';
import { redactUrl } from '../redact-url.js';

/** Result of filling a target's `{{label}}` templates from an alert's labels. */
export type ResolveResult = { readonly ok: true; readonly spec: ResolvedActionSpec } | { readonly ok: false; readonly missing: readonly string[] };

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Fills `{{label}}` placeholders; a label the alert lacks makes the target unresolvable (never a guess). */
export function resolveAction(target: TargetDocument, labels: Readonly<Record<string, string>>): ResolveResult {
  const missing = new Set<string>();
  const fill = (text: string): string =>
    text.replace(TEMPLATE, (_, name: string) => {
      const v = labels[name];
      if (v === undefined || v === '') {
        missing.add(name);
        return '';
      }
      return v;
    });
  let spec: ResolvedActionSpec | undefined;
  if (target.argoRollout)
    spec = { kind: 'argoRollout', namespace: fill(target.argoRollout.namespace), name: fill(target.argoRollout.name), operation: target.argoRollout.operation };
  else if (target.flagdFlag)
    spec = { kind: 'flagdFlag', file: fill(target.flagdFlag.file), flag: fill(target.flagdFlag.flag), variant: fill(target.flagdFlag.variant) };
  else if (target.mlflowAlias) spec = { kind: 'mlflowAlias', model: fill(target.mlflowAlias.model), alias: fill(target.mlflowAlias.alias) };
  else if (target.webhook) spec = { kind: 'webhook', url: fill(target.webhook.url) };
  if (missing.size > 0 || !spec) return { ok: false, missing: [...missing].sort() };
  return { ok: true, spec };
}

/** The cooldown key of a resolved action: the object it changes. */
export function targetKeyOf(spec: ResolvedActionSpec): string {
  switch (spec.kind) {
    case 'argoRollout':
      return `argo:${spec.namespace}/${spec.name}`;
    case 'flagdFlag':
      return `flagd:${spec.file}#${spec.flag}`;
    case 'mlflowAlias':
      return `mlflow:${spec.model}@${spec.alias}`;
    case 'webhook':
      return `webhook:${redactUrl(spec.url)}`;
  }
}
