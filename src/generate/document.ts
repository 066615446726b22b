import type { RuleGroup } from '../model/rule-group.js';

/**
 * One output file as plain data: where it goes and what it holds. Generators return documents;
 * only the render stage turns them into bytes, so every emitter, fast path and cache lives there.
 */
export type Document = YamlDocument | JsonDocument | RuleFileDocument | TextDocument;

interface DocumentBase {
  /** Path relative to the render output dir, e.g. `prometheus/rules/x.slo.rules.yaml`. */
  readonly path: string;
  /**
   * Spec path(s) named in the generated-by header (e.g. `slos/docs.yaml`); undefined writes no
   * header (formats without comments, such as JSON read by Grafana).
   */
  readonly source: string | undefined;
}

/** A YAML document; `comment` lines follow the header (each written as `# line`). */
export interface YamlDocument extends DocumentBase {
  readonly format: 'yaml';
  readonly value: unknown;
  readonly comment?: readonly string[];
}

/**
 * A JSON document (YAML 1.2 reads it too, which makes large promtool test files fast to write).
 * Exactly one of `value` and `build`: `build` when computing the value is expensive and should
 * happen only when the document is rendered (and its result dropped right after).
 */
export interface JsonDocument extends DocumentBase {
  readonly format: 'json';
  readonly value?: unknown;
  readonly build?: () => unknown;
  /** `JSON.stringify` indent (0 for one line). */
  readonly indent: number;
}

/**
 * A Prometheus rule file (`groups:`), or a Kubernetes object whose `spec.groups` holds the groups
 * (`resource` set: a prometheus-operator PrometheusRule). The same group objects may appear in
 * several documents; the render stage writes each group's text once.
 */
export interface RuleFileDocument extends DocumentBase {
  readonly format: 'rules';
  readonly groups: readonly RuleGroup[];
  readonly resource?: Readonly<Record<string, unknown>>;
}

/**
 * A text file written as is after the header (e.g. Alertmanager's Go templates, where the header
 * line is top-level text that no notification renders).
 */
export interface TextDocument extends DocumentBase {
  readonly format: 'text';
  readonly text: string;
}
