import { Type, type TString } from '@sinclair/typebox';
import { DURATION_PATTERN } from '../runtime/duration.js';

/**
 * Schema building blocks shared by every spec kind, declared once so that a name or a duration
 * means the same in an SLO file, an alert pack, the routing policy, a rollback policy and the
 * models file. The description is what editors and diagnostic hints show; each spec may phrase
 * it for its own fields (the pattern is what must not differ).
 */

/** Kebab-case name (service, SLO, team, pack names): lower-case letters, digits and `-`, at most 63. */
export function KebabName(description = 'lower-case letters, digits and "-", starting and ending with a letter or digit'): TString {
  return Type.String({ pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$', maxLength: 63, description });
}

/** A Prometheus duration (`30s`, `1h30m`, `4w`) in runtime/duration's grammar. */
export function Duration(description = 'a duration such as 30s, 5m, 1h30m or 7d'): TString {
  return Type.String({ pattern: DURATION_PATTERN, description });
}

/**
 * `environments:` of a spec file: environment → a partial document deep-merged onto this one when
 * that environment is rendered (src/load/env-overlay.ts). The loader takes the block out and
 * validates the merged document with the kind's own schema, so the overrides are checked there;
 * here the block is only described (editors).
 */
export function EnvironmentOverrides(kind: string) {
  return Type.Optional(
    Type.Record(KebabName('a declared environment (vigil.config.yaml environments:)'), Type.Object({}, { additionalProperties: true }), {
      description: `environment → overrides of this ${kind}: maps merge, lists replace (lists of named entries merge by name), null removes a key`,
    }),
  );
}
