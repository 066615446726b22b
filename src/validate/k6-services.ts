import type { Diagnostics } from '../diagnostics.js';
import { isHttpSlo } from '../generate/k6/k6-targets.js';
import type { ProjectModel } from '../project/project-model.js';

/**
 * The `k6.services` section of vigil.config.yaml against the SLOs: a service that does not exist
 * (K6010), an SLO name that is not a ratio or latency SLO of the service (K6011), a burn-drill SLO
 * that is not a measured ratio SLO (K6012), and a grouped SLO whose groupBy labels no request
 * tags, so its threshold covers all requests instead of one per group (K6013, warning).
 */
export function checkK6Services(model: ProjectModel, diags: Diagnostics): void {
  const services = [...new Set(model.slos.map((s) => s.service))];
  for (const [service, config] of model.config.k6.services) {
    const at = config.at!;
    const own = model.slos.filter((s) => s.service === service);
    if (own.length === 0) {
      diags.error('K6010', `k6.services.${service}: no SLO file declares service ${service}`, at, `services with SLOs: ${services.join(', ') || '(none)'}`);
      continue;
    }
    const measurable = own.filter((s) => s.indicator.kind === 'ratio' || s.indicator.kind === 'latency');
    for (const { name, at: where } of config.slos ?? [])
      if (!measurable.some((s) => s.name === name))
        diags.error(
          'K6011',
          `k6.services.${service}.slos: ${name} is not a ratio or latency SLO of ${service}`,
          where,
          `a load test measures these: ${measurable.map((s) => s.name).join(', ') || '(none)'}`,
        );
    const measured = measurable.filter((s) => (config.slos ? config.slos.some((n) => n.name === s.name) : isHttpSlo(s)));
    const drill = config.burnDrill.slo;
    if (drill && !measured.some((s) => s.name === drill.name && s.indicator.kind === 'ratio'))
      diags.error(
        'K6012',
        `k6.services.${service}.burnDrill.slo: ${drill.name} is not a ratio SLO the load test measures`,
        drill.at,
        `measured ratio SLOs: ${
          measured
            .filter((s) => s.indicator.kind === 'ratio')
            .map((s) => s.name)
            .join(', ') || '(none)'
        }`,
      );
    for (const slo of measured) {
      if (slo.groupBy.length === 0) continue;
      if (config.requests.some((r) => slo.groupBy.every((l) => r.tags[l] !== undefined))) continue;
      diags.warning(
        'K6013',
        `k6.services.${service}: SLO ${slo.id} is grouped by ${slo.groupBy.join(', ')} but no request carries ${slo.groupBy.length > 1 ? 'those tags' : 'that tag'}: its thresholds cover all requests, not each group`,
        at,
        `give each request tags: { ${slo.groupBy.map((l) => `${l}: <value>`).join(', ')} }`,
      );
    }
  }
}
