import { generatedHeader } from '../conventions.js';
import type { Document } from '../generate/document.js';
import type { Artifact } from './artifact.js';
import { renderRuleGroups } from './rule-groups.js';
import { renderYaml } from './yaml.js';

/** A document's bytes (as text). Deterministic: the same document always renders the same text. */
export function renderDocument(doc: Document): string {
  const header = doc.source === undefined ? '' : `${generatedHeader(doc.source)}\n`;
  switch (doc.format) {
    case 'yaml': {
      const comment = doc.comment?.map((line) => `# ${line}\n`).join('') ?? '';
      return `${header}${comment}${renderYaml(doc.value)}`;
    }
    case 'json': {
      const value = doc.build ? doc.build() : doc.value;
      return `${header}${JSON.stringify(value, null, doc.indent || undefined)}\n`;
    }
    case 'text':
      return `${header}${doc.text}`;
    case 'rules': {
      if (!doc.resource) return `${header}groups:\n${renderRuleGroups(doc.groups, '')}`;
      // A Kubernetes object around the groups: the object's fields by the generic emitter, the
      // groups by the rule-group emitter (same YAML, much faster on large projects).
      const groups = doc.groups.length > 0 ? `  groups:\n${renderRuleGroups(doc.groups, '  ')}` : '  groups: []\n';
      return `${header}${renderYaml(doc.resource)}spec:\n${groups}`;
    }
  }
}

/**
 * Documents as artifacts whose text is rendered only when read (by the writer), so a large render
 * never holds every file's text at once.
 */
export function toArtifact(doc: Document): Artifact {
  return {
    path: doc.path,
    get content() {
      return renderDocument(doc);
    },
  };
}
