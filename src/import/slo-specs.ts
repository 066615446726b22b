import { Document, isMap, isSeq, YAMLMap } from 'yaml';
import type { SloSpec } from '../load/slo-schema.js';
import type { ImportOutput, ObjectReport } from './outcome.js';

/** One SLO an importer produced, with where it came from. */
export interface ImportedSlo {
  readonly service: string;
  /** Prometheus duration, e.g. `30d`. */
  readonly period: string;
  /** File-level labels (added to every rule and alert of the service). */
  readonly labels: Readonly<Record<string, string>>;
  readonly slo: SloSpec;
  /** `file:line:col` and object name of the source, written as a comment above the SLO. */
  readonly origin: string;
  readonly report: ObjectReport;
}

/**
 * Groups imported SLOs into vigil spec v1 files, one per service (`<service>.yaml`). A spec file
 * has one period and one label set: an SLO whose period or labels differ from the first SLO of
 * its service goes to `<service>-<period>` (or `-2`, `-3` …) with IMP030 saying so.
 */
export function renderSloSpecFiles(slos: readonly ImportedSlo[], kind: string): ImportOutput[] {
  const files = new Map<string, { service: string; period: string; labels: Readonly<Record<string, string>>; slos: ImportedSlo[] }>();
  const sameLabels = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
  for (const s of slos) {
    let service = s.service;
    let f = files.get(service);
    if (f && (f.period !== s.period || !sameLabels(f.labels, s.labels))) {
      const candidates = [`${s.service}-${s.period}`, ...Array.from({ length: 1000 }, (_, i) => `${s.service}-${i + 2}`)];
      service = candidates.find((c) => {
        const g = files.get(c);
        return !g || (g.period === s.period && sameLabels(g.labels, s.labels));
      })!;
      s.report.warning(
        'IMP030',
        `service ${JSON.stringify(s.service)} already has SLOs with period ${f.period} and labels ${JSON.stringify(f.labels)}; a vigil spec file has one period and one label set, so this SLO goes to service ${JSON.stringify(service)}`,
        [],
      );
      f = files.get(service);
    }
    if (!f) {
      f = { service, period: s.period, labels: s.labels, slos: [] };
      files.set(service, f);
    }
    const twin = f.slos.find((o) => o.slo.name === s.slo.name);
    if (twin) {
      s.report.error(
        'IMP031',
        `SLO ${service}-${s.slo.name} was already imported from ${twin.origin}; vigil SLO ids must be unique`,
        [],
        'import the files separately, or rename one SLO',
      );
      continue;
    }
    f.slos.push(s);
    s.report.produced.push(`${service}-${s.slo.name}`);
  }
  return [...files.values()].filter((f) => f.slos.length > 0).map((f) => ({ path: `${f.service}.yaml`, content: renderSpec(f, kind) }));
}

function sortKeys(o: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1));
}

function renderSpec(f: { service: string; period: string; labels: Readonly<Record<string, string>>; slos: ImportedSlo[] }, kind: string): string {
  const body: Record<string, unknown> = { apiVersion: 'vigil/v1', kind: 'ServiceLevelObjectives', service: f.service };
  if (Object.keys(f.labels).length) body.labels = f.labels;
  body.period = f.period;
  body.slos = f.slos.map((s) => s.slo);
  const doc = new Document(body);
  doc.commentBefore = ` Imported by vigil import ${kind}; review, then commit. Each SLO names its source object.`;
  const seq = (doc.contents as YAMLMap).get('slos', true);
  if (isSeq(seq))
    seq.items.forEach((item, i) => {
      if (isMap(item)) item.commentBefore = ` from ${f.slos[i]!.origin}`;
    });
  return `# yaml-language-server: $schema=../schemas/slo.v1.json\n${doc.toString({ lineWidth: 0 })}`;
}
