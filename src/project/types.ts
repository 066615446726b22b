import type { Diagnostics } from '../diagnostics.js';
import type { SloModel } from '../model/types.js';

/** One generated file: `path` is relative to the render output dir, `content` is final bytes. */
export interface Artifact {
  readonly path: string;
  readonly content: string;
}

/**
 * An artifact whose text is produced only when it is read (by the writer), so a large render
 * does not hold every file's text in memory at once. Rendering must be pure and must not report
 * diagnostics (those belong to the part's build).
 */
export function lazyArtifact(path: string, render: () => string): Artifact {
  return {
    path,
    get content() {
      return render();
    },
  };
}

/** Where a metric name comes from, for cross-reference checks. */
export type MetricSource = 'exporter' | 'recording-rule' | 'node-exporter' | 'external' | 'prometheus' | 'kube-state-metrics' | 'model-server';

/** Every metric name that something in or around the project produces. */
export class MetricCatalog {
  private readonly names = new Map<string, MetricSource>();
  private readonly prefixes: { prefix: string; source: MetricSource }[] = [];

  add(name: string, source: MetricSource): void {
    if (!this.names.has(name)) this.names.set(name, source);
  }

  /** Declares every metric starting with `prefix` as produced (e.g. `node_` for node_exporter). */
  addPrefix(prefix: string, source: MetricSource): void {
    this.prefixes.push({ prefix, source });
  }

  /** The source of `name`, also matching histogram/summary suffixes of a known base name. */
  sourceOf(name: string): MetricSource | undefined {
    const direct = this.names.get(name);
    if (direct) return direct;
    const base = name.replace(/_(bucket|count|sum)$/, '');
    if (base !== name && this.names.has(base)) return this.names.get(base);
    return this.prefixes.find((p) => name.startsWith(p.prefix))?.source;
  }

  has(name: string): boolean {
    return this.sourceOf(name) !== undefined;
  }
}

/** What every part of a project build shares. Parts run in order; earlier parts fill `slos` and `metrics`. */
export interface BuildContext {
  /** Absolute project root (holds slos/, alerts/, dashboards/). */
  readonly root: string;
  /** `--env NAME` when given (e.g. dev, staging, prod). */
  readonly env: string | undefined;
  readonly diags: Diagnostics;
  readonly metrics: MetricCatalog;
  /** SLOs loaded from slos/ (filled by the slos part, which runs first). */
  slos: readonly SloModel[];
}

/**
 * One part of the project (SLOs, alerts, routing, dashboards, exporter manifests, ...): loads and
 * validates its inputs under the root, reports diagnostics, and returns its artifacts. A part
 * that found errors may return no artifacts; the build then writes nothing at all.
 */
export interface ProjectPart {
  readonly name: string;
  build(ctx: BuildContext): Promise<readonly Artifact[]>;
}
