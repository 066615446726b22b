import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO, vigil } from './helpers.js';

describe('PrometheusRule objects', () => {
  it('exist for every Prometheus rule file (SLO and alert packs) and hold exactly the same groups', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-crd-')), 'b');
    const r = await vigil(['render', '--root', REPO, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const ruleFiles = fs.readdirSync(path.join(out, 'prometheus/rules')).sort();
    expect(fs.readdirSync(path.join(out, 'kubernetes/prometheus-rules')).sort()).toEqual(ruleFiles);
    for (const f of ruleFiles) {
      const crd = parse(fs.readFileSync(path.join(out, 'kubernetes/prometheus-rules', f), 'utf8')) as { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: { groups: unknown } };
      const rules = parse(fs.readFileSync(path.join(out, 'prometheus/rules', f), 'utf8')) as { groups: unknown };
      expect(crd.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(crd.kind).toBe('PrometheusRule');
      expect(crd.metadata.name).toMatch(/^vigil-[a-z0-9-]{1,57}$/);
      expect(crd.metadata.namespace).toBe('monitoring');
      expect(crd.spec.groups, f).toEqual(rules.groups);
    }
  });
});
