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

  /** A copy to extend (e.g. with what only dashboards may read) without changing this one. */
  clone(): MetricCatalog {
    const copy = new MetricCatalog();
    for (const [name, source] of this.names) copy.names.set(name, source);
    copy.prefixes.push(...this.prefixes);
    return copy;
  }

  has(name: string): boolean {
    return this.sourceOf(name) !== undefined;
  }
}
