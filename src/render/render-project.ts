import { generateDocuments } from '../generate/generate-documents.js';
import type { ProjectModel } from '../project/project-model.js';
import type { Artifact } from './artifact.js';
import { toArtifact } from './render-document.js';

/**
 * The render stage: every document of a valid model as an artifact whose text is rendered when
 * read. Lazy end to end (documents are generated as the writer pulls them), so a large project
 * holds one file's groups and text at a time. Owns the caches performance needs: rendered rule
 * groups (see rule-groups.ts) and simulations shared between promtool tests of one shape.
 * Two generators producing one path is an internal error, except for a `partial` model (one
 * with errors, rendered for a look only), where the first document of a path wins.
 */
export function* renderProject(model: ProjectModel, options: { partial?: boolean; fullProofs?: boolean } = {}): Generator<Artifact> {
  const seen = new Set<string>();
  for (const doc of generateDocuments(model, { sloTestCache: new Map(), ...(options.fullProofs ? { fullProofs: true } : {}) })) {
    if (seen.has(doc.path) && options.partial) continue;
    if (seen.has(doc.path)) throw new Error(`two generators produce ${doc.path}`);
    seen.add(doc.path);
    yield toArtifact(doc);
  }
}
