import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedUid, dashboardUid, sloDashboardUid } from '../../src/conventions.js';

describe('dashboard uids', () => {
  it('keep short names as they are', () => {
    expect(sloDashboardUid('document-processing')).toBe('vigil-slo-document-processing');
    expect(dashboardUid('gpu-fleet')).toBe('vigil-gpu-fleet');
  });

  it('stay within 40 characters and never collide for long names with a common prefix', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{30,60})[a-z0-9]$/), fc.stringMatching(/^[a-z0-9-]{1,8}$/), (prefix, tail) => {
        const a = sloDashboardUid(prefix);
        const b = sloDashboardUid(`${prefix}${tail}`);
        expect(a.length).toBeLessThanOrEqual(40);
        expect(b.length).toBeLessThanOrEqual(40);
        expect(a).not.toBe(b);
      }),
    );
    expect(boundedUid('x'.repeat(41))).toMatch(/^x{31}-[0-9a-f]{8}$/);
  });
});
