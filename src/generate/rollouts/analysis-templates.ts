import { LABEL_SLO, outputPaths, rolloutAnalysisTemplateName, sloSeries } from '../../conventions.js';
import { formatThreshold, pageBreachConditions, type BurnRateBreach } from '../../model/burn-rate-breach.js';
import type { SloModel } from '../../model/types.js';
import type { YamlDocument } from '../document.js';

/** Knobs of the generated analysis; defaults in brackets. */
export interface RolloutAnalysisOptions {
  /** Prometheus URL as seen from the Argo Rollouts controller [http://prometheus.monitoring:9090]; overridable per Rollout with the `prometheus-address` arg. */
  readonly prometheusAddress?: string;
  /** Time between measurements [1m]. */
  readonly interval?: string;
  /** Measurements per analysis run [5]. */
  readonly count?: number;
  /** Inconclusive (no data / NaN) measurements tolerated before the run is Inconclusive and the rollout pauses [2]. */
  readonly inconclusiveLimit?: number;
}

/** Canary weights, in percent (PLATFORM.md: 5% → 25% → 50% → 100%). */
export const CANARY_WEIGHTS: readonly number[] = [5, 25, 50, 100];

/**
 * The PromQL of one page window pair: per series, the smaller of the long and short burn rates
 * (the pair breaches when both exceed the factor, i.e. when the smaller does), only where both
 * windows have a value, then the worst series. Series names come from conventions.
 */
export function burnRatePairQuery(slo: Pick<SloModel, 'id'>, pair: Pick<BurnRateBreach, 'long' | 'short'>): string {
  const names = [sloSeries.burnRate(pair.long), sloSeries.burnRate(pair.short)].join('|');
  const sel = `{__name__=~${JSON.stringify(names)}, ${LABEL_SLO}=${JSON.stringify(slo.id)}}`;
  return `max(min without (__name__) (${sel}) and count without (__name__) (${sel}) == 2)`;
}

/**
 * Argo Rollouts AnalysisTemplates gating a canary on a service's SLO burn rates, one file per
 * service, plus a canary steps snippet. A pure function of the SLO model.
 *
 * Conditions treat an empty result and NaN/Inf as neither success nor failure, so missing data
 * makes the measurement Inconclusive (the rollout pauses for a human) instead of aborting or
 * promoting on a guess. Failure is the page alert's breach condition (`burn rate > factor`, same
 * rounding); success is its negation.
 */
export function generateRolloutAnalysis(slos: readonly SloModel[], options: RolloutAnalysisOptions = {}): YamlDocument[] {
  const byService = new Map<string, SloModel[]>();
  for (const s of slos) if (pageBreachConditions(s).length > 0) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  const artifacts: YamlDocument[] = [];
  for (const service of [...byService.keys()].sort()) {
    const list = byService.get(service)!;
    const specPath = list[0]!.source.file;
    artifacts.push({ path: outputPaths.rolloutAnalysis(service), format: 'yaml', source: specPath, value: analysisTemplate(service, list, options) });
    artifacts.push({
      path: outputPaths.rolloutCanarySteps(service),
      format: 'yaml',
      source: specPath,
      comment: ["Paste under spec.strategy of the service's Rollout (canary with analysis at each step)."],
      value: canarySteps(service),
    });
  }
  return artifacts;
}

function analysisTemplate(service: string, slos: readonly SloModel[], o: RolloutAnalysisOptions): object {
  const metrics = slos.flatMap((slo) =>
    pageBreachConditions(slo).map((c) => {
      const f = formatThreshold(c.burnRateAbove);
      const data = 'len(result) > 0 && !isNaN(result[0]) && !isInf(result[0])';
      return {
        name: `${slo.id}-burn-${c.long}-${c.short}`,
        interval: o.interval ?? '1m',
        count: o.count ?? 5,
        failureLimit: 0,
        inconclusiveLimit: o.inconclusiveLimit ?? 2,
        successCondition: `${data} && result[0] <= ${f}`,
        failureCondition: `${data} && result[0] > ${f}`,
        provider: { prometheus: { address: '{{args.prometheus-address}}', timeout: 20, query: burnRatePairQuery(slo, c) } },
      };
    }),
  );
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: rolloutAnalysisTemplateName(service), labels: { 'app.kubernetes.io/managed-by': 'vigil', 'vigil.dev/service': service } },
    spec: {
      args: [{ name: 'prometheus-address', value: o.prometheusAddress ?? 'http://prometheus.monitoring:9090' }],
      metrics,
    },
  };
}

function canarySteps(service: string): object {
  const analysis = { analysis: { templates: [{ templateName: rolloutAnalysisTemplateName(service) }] } };
  const steps: object[] = [];
  for (const weight of CANARY_WEIGHTS) {
    steps.push({ setWeight: weight });
    // Full traffic needs no gate after it: completing the steps promotes.
    if (weight < 100) steps.push(analysis);
  }
  return { canary: { steps } };
}
